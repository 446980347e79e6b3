"""Pre-filling the Uzbek Cyrillic translation of a page, as wagtail-localize drafts."""

import pytest
from django.core.management import call_command
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation

from content.translation import UzbekCyrillicTransliterator, prefill_cyrillic
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    f.locales()
    home = f.home_page("Bosh sahifa")
    catalogue = f.catalogue_page(home, "Kurslar katalogi")
    programme = f.programme_page(catalogue, "Keys-menejment", slug="cm")
    course = f.course_page(programme, "CM-101", "Qabul va ehtiyojlarni baholash")
    module = f.module_page(course, "Birinchi uchrashuv", "qabul")
    return f.lesson_page(module, "Oʻzaro ishonch", "ishonch", words=5)


def test_prefill_creates_a_draft_cyrillic_page_and_its_parents(lesson):
    cyrl = Locale.objects.get(language_code="uz-cyrl")
    target = prefill_cyrillic(lesson)
    assert target.locale == cyrl
    assert not target.live  # a draft for review
    draft = target.get_latest_revision_as_object()
    assert draft.title == "Ўзаро ишонч"
    html = str(draft.body)
    assert "сўз" in html and "soʻz" not in html
    course = lesson.get_parent().get_parent().specific
    cyrillic_course = course.get_translation(cyrl).specific
    assert cyrillic_course.code == "CM-101"  # codes are synchronised, never transliterated


def test_prefill_publish_makes_the_page_live(lesson, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        target = prefill_cyrillic(lesson, publish=True)
    target.refresh_from_db()
    assert target.live
    response = client.get(target.url)
    assert response.status_code == 200
    assert '<html lang="uz-cyrl">' in response.content.decode()


def test_manual_translations_survive_a_second_prefill(lesson):
    cyrl = Locale.objects.get(language_code="uz-cyrl")
    prefill_cyrillic(lesson)
    title = StringTranslation.objects.get(
        locale=cyrl, translation_of__data="Oʻzaro ishonch", context__path="title"
    )
    title.data = "Ўзаро ишонч (таҳрир)"
    title.translation_type = StringTranslation.TRANSLATION_TYPE_MANUAL
    title.save()
    target = prefill_cyrillic(lesson)
    assert target.get_latest_revision_as_object().title == "Ўзаро ишонч (таҳрир)"
    target = prefill_cyrillic(lesson, overwrite=True)
    assert target.get_latest_revision_as_object().title == "Ўзаро ишонч"


def test_only_uz_pages_are_sources(lesson):
    cyrillic = prefill_cyrillic(lesson)
    with pytest.raises(ValueError, match="not in the uz locale"):
        prefill_cyrillic(cyrillic)


def test_machine_translator_for_the_localize_editor():
    locales = f.locales()
    translator = UzbekCyrillicTransliterator({})
    assert translator.can_translate(locales["uz"], locales["uz-cyrl"])
    assert not translator.can_translate(locales["ru"], locales["uz-cyrl"])


def test_management_command_transliterates_a_subtree(lesson, capsys):
    course = lesson.get_parent().get_parent()
    call_command("transliterate_pages", str(course.pk), "--descendants")
    out = capsys.readouterr().out
    assert out.count("(draft saved)") == 3  # course, module, lesson


def test_admin_action_fills_a_draft(lesson, admin_client):
    response = admin_client.get(f"/admin/transliterate/{lesson.pk}/")
    assert response.status_code == 200
    response = admin_client.post(f"/admin/transliterate/{lesson.pk}/")
    cyrl = Locale.objects.get(language_code="uz-cyrl")
    target = lesson.get_translation(cyrl)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{target.pk}/edit/"
