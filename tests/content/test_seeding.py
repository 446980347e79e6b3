"""The seed loader: four locales from one data file, idempotent, editors' changes kept."""

from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from wagtail.models import Locale, Page

from content.models import GlossaryTerm
from content.seeding import SEED_DIR, load_all, read_yaml
from courses.models import CoursePage, LessonPage
from lms.people.models import OrgUnit, User

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MINI = Path(__file__).parent / "seed"


def load(seed_dir=MINI):
    return load_all(seed_dir=seed_dir, staff_per_centre=3)


def test_lesson_exists_in_four_locales_with_the_same_blocks(client):
    load()
    lessons = LessonPage.objects.filter(slug="first-contact")
    by_locale = {p.locale.language_code: p for p in lessons.select_related("locale")}
    assert set(by_locale) == {"uz", "uz-cyrl", "ru", "en"}
    assert all(p.live for p in by_locale.values())
    assert by_locale["ru"].title == "Первый контакт"
    assert by_locale["uz-cyrl"].title == "Биринчи алоқа"
    ids = {code: [b.id for b in p.body] for code, p in by_locale.items()}
    assert ids["uz"] == ids["ru"] == ids["en"] == ids["uz-cyrl"]
    for code, page in by_locale.items():
        response = client.get(page.url)
        assert response.status_code == 200, code
        assert f'<html lang="{code}">' in response.content.decode()
    cyrillic = client.get(by_locale["uz-cyrl"].url).content.decode()
    assert "Йўл харитаси" in cyrillic  # heading
    assert "Индивидуал режа" in cyrillic  # the glossary term, transliterated


def test_course_metadata_and_prerequisites():
    load()
    course = CoursePage.objects.get(code="MP-102", locale__language_code="ru")
    assert [p.code for p in course.prerequisites.all()] == ["MP-101"]
    first = CoursePage.objects.get(code="MP-101", locale__language_code="uz")
    assert first.delivery_mode == "blended"
    assert first.completion_pass_mark == 70 and first.completion_workshop
    assert {p.code for p in first.target_positions.all()} == {"social-worker"}
    assert [b.value for b in first.learning_objectives] == ["Oʻrganish"]


def test_reload_is_idempotent_and_keeps_editors_changes():
    load()
    counts = (Page.objects.count(), User.objects.count(), GlossaryTerm.objects.count())
    lesson = LessonPage.objects.get(slug="first-contact", locale__language_code="ru")
    lesson.title = "Первый контакт (отредактировано)"
    lesson.save_revision().publish()
    load()
    assert (Page.objects.count(), User.objects.count(), GlossaryTerm.objects.count()) == counts
    lesson.refresh_from_db()
    assert lesson.title == "Первый контакт (отредактировано)"


def test_organisation_and_demo_accounts():
    load()
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION).count() == 2
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.CENTRE).count() == 4
    hr = User.objects.get(username="hr")
    assert hr.scope.name_en.lower().startswith("tashkent city")
    assert authenticate(username="learner", password="malaka-demo") is not None
    learner = User.objects.get(username="learner")
    assert learner.org_unit.kind == OrgUnit.Kind.CENTRE
    assert learner.org_unit.path.startswith(hr.scope.path)
    for name in ("learner", "trainer", "mentor", "hr", "evaluator", "editor", "admin"):
        assert User.objects.filter(username=name).exists()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="editor").has_perm("wagtailadmin.access_admin")
    assert User.objects.filter(employee_number__isnull=False).count() == 12  # 4 centres × 3


def test_the_real_seed_files_are_complete():
    """The shipped seed: 14 regions, ≥ 40 districts with all 12 of Tashkent city, 28 pilots,
    three programmes of ≥ 3 courses, one complete course each with ≥ 300 words a lesson."""
    import re

    from django.utils.html import strip_tags

    organisation = read_yaml(SEED_DIR / "organisation.yaml")
    assert len(organisation["regions"]) == 14
    districts = [d for r in organisation["regions"] for d in r["districts"]]
    assert len(districts) >= 40
    assert sum(1 for d in districts if d.get("pilot")) == 28
    tashkent = next(
        r for r in organisation["regions"] if "tashkent city" in r["name"]["en"].lower()
    )
    assert len(tashkent["districts"]) == 12
    for region in organisation["regions"]:
        assert all(region["name"].get(code) for code in ("uz", "uz-cyrl", "ru", "en"))

    programmes = [read_yaml(p) for p in sorted((SEED_DIR / "curriculum").glob("*.yaml"))]
    assert len(programmes) == 3
    for programme in programmes:
        assert len(programme["courses"]) >= 3
        complete = [c for c in programme["courses"] if any(m["lessons"] for m in c["modules"])]
        assert len(complete) >= 1
        course = complete[0]
        assert len(course["modules"]) >= 3
        for module in course["modules"]:
            assert len(module["lessons"]) >= 2
            for lesson in module["lessons"]:
                for code in ("uz", "ru", "en"):
                    text = " ".join(_texts(lesson["body"], code))
                    words = len(re.findall(r"\w+", strip_tags(text)))
                    assert words >= 300, (lesson["slug"], code, words)
                assert any(b["type"] == "case_study" for b in lesson["body"])


def _texts(value, code):
    if isinstance(value, dict):
        if code in value and set(value) <= {"uz", "ru", "en", "uz-cyrl"}:
            item = value[code]
            yield from (item if isinstance(item, list) else [item])
        else:
            for v in value.values():
                yield from _texts(v, code)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v, code)


def test_default_locale_is_uzbek_latin():
    load()
    assert Locale.get_default().language_code == "uz"
