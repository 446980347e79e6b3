"""Loading the seed: organisation, demo accounts and the curriculum in four locales.

The curriculum files (content/seed/curriculum/*.yaml) give every text in uz, ru and en; each
page is created in uz, copied for translation into ru and en (same block ids, so the copies are
true translations of one page), and transliterated into uz-cyrl through wagtail-localize.
Whatever already exists (matched by slug under its parent, per locale) is left untouched, so an
editor's later changes survive a reload.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import yaml
from wagtail.models import Locale, Page, Site

from courses.models import (
    CataloguePage,
    CoursePage,
    LessonPage,
    ModulePage,
    Partner,
    ProgrammePage,
)
from lms.people import seeding as people_seeding
from lms.people.models import OrgUnit, Position

from .models import GlossaryTerm, HomePage
from .translation import prefill_cyrillic

logger = logging.getLogger(__name__)

SEED_DIR = Path(__file__).resolve().parent / "seed"
SOURCE = "uz"
TRANSLATED = ("ru", "en")
CYRILLIC = "uz-cyrl"
ALL_LOCALES = (SOURCE, CYRILLIC, *TRANSLATED)
_ID_NAMESPACE = uuid.UUID("6f1c52a4-5a0e-4c55-9b43-6f2d9f1e0a11")


class SeedError(Exception):
    pass


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def block_id(*parts: str) -> str:
    """Stable block ids: the same block has the same id in every locale and on every load."""
    return str(uuid.uuid5(_ID_NAMESPACE, "/".join(parts)))


def clean_html(html: str) -> str:
    """Seed HTML in the form Wagtail's rich text editor stores (b/i, not strong/em)."""
    html = re.sub(r"<(/?)strong>", r"<\1b>", html.strip())
    html = re.sub(r"<(/?)em>", r"<\1i>", html)
    return html if html.startswith("<") else f"<p>{html}</p>"


# --- locales and site ------------------------------------------------------------------------


def ensure_locales() -> dict[str, Locale]:
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in ALL_LOCALES}


def _translation(page: Page, locale: Locale) -> Page | None:
    return page.get_translations().filter(locale=locale).first()


def ensure_home(site_data: dict, locales: dict[str, Locale]) -> HomePage:
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(locale=locales[SOURCE], depth=2).first()
    if home is None:
        # Wagtail's installation leaves a plain "Welcome" page; the site moves to our home page.
        welcome = Page.objects.filter(depth=2, content_type__model="page").first()
        home = HomePage(
            slug=site_data["slug"],
            title=site_data["title"][SOURCE],
            lead=site_data["lead"][SOURCE],
            body=clean_html(site_data["body"][SOURCE]),
            locale=locales[SOURCE],
        )
        if welcome is not None:
            welcome.slug = "welcome-old"
            welcome.save(update_fields=["slug"])
        root.add_child(instance=home)
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name="Malaka",
            )
        else:
            site.root_page = home
            site.site_name = "Malaka"
            site.save()
        if welcome is not None:
            welcome.delete()
    for code in TRANSLATED:
        if _translation(home, locales[code]) is None:
            copy = home.copy_for_translation(locales[code])
            copy.title = site_data["title"][code]
            copy.lead = site_data["lead"][code]
            copy.body = clean_html(site_data["body"][code])
            copy.save_revision().publish()
    return home


def _ensure_child(parent: Page, model, slug: str, locale: Locale, build) -> tuple[Page, bool]:
    existing = model.objects.child_of(parent).filter(slug=slug, locale=locale).first()
    if existing is not None:
        return existing, False
    page = build()
    page.slug = slug
    page.locale = locale
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def _ensure_translations(source: Page, fill) -> None:
    """Create the ru and en translations of a uz page, filled by `fill(page, code)`."""
    for code in TRANSLATED:
        locale = Locale.objects.get(language_code=code)
        if _translation(source, locale) is not None:
            continue
        copy = source.copy_for_translation(locale)
        fill(copy, code)
        copy.save()
        copy.save_revision().publish()


# --- curriculum ------------------------------------------------------------------------------


def _stream_list(items: list[str], block_type: str, *id_parts: str) -> str:
    return json.dumps(
        [
            {"type": block_type, "value": text, "id": block_id(*id_parts, str(i))}
            for i, text in enumerate(items)
        ]
    )


def lesson_body(blocks: list[dict], code: str, lesson_key: str, glossary: dict) -> str:
    """The raw StreamField data of a lesson body in one language."""
    raw = []
    for i, block in enumerate(blocks):
        kind = block["type"]
        bid = block_id(lesson_key, str(i))
        if kind == "heading":
            value: Any = {"text": block["text"][code], "level": block.get("level", "h2")}
        elif kind == "paragraph":
            value = clean_html(block["html"][code])
        elif kind == "callout":
            value = {
                "kind": block["kind"],
                "title": (block.get("title") or {}).get(code, ""),
                "body": clean_html(block["html"][code]),
            }
        elif kind == "case_study":
            value = {
                "title": block["title"][code],
                "scenario": clean_html(block["scenario"][code]),
                "questions": [
                    {"type": "item", "value": q, "id": block_id(bid, "q", str(k))}
                    for k, q in enumerate(block["questions"][code])
                ],
                "model_answer": clean_html(block["model_answer"][code]),
            }
        elif kind == "checklist":
            value = {
                "title": block["title"][code],
                "items": [
                    {"type": "item", "value": q, "id": block_id(bid, "i", str(k))}
                    for k, q in enumerate(block["items"][code])
                ],
                "template_file": None,
            }
        elif kind == "glossary":
            term = glossary.get((block["term"], code))
            if term is None:
                raise SeedError(f"{lesson_key}: unknown glossary term {block['term']!r}")
            value = {"term": term.pk}
        else:
            raise SeedError(f"{lesson_key}: unknown block type {kind!r}")
        raw.append({"type": kind, "value": value, "id": bid})
    return json.dumps(raw)


def load_glossary(
    programme: dict, locales: dict[str, Locale]
) -> dict[tuple[str, str], GlossaryTerm]:
    terms: dict[tuple[str, str], GlossaryTerm] = {}
    for item in programme.get("glossary", []):
        source = GlossaryTerm.objects.filter(slug=item["slug"], locale=locales[SOURCE]).first()
        if source is None:
            source = GlossaryTerm.objects.create(
                slug=item["slug"],
                term=item["term"][SOURCE],
                definition=item["definition"][SOURCE],
                locale=locales[SOURCE],
            )
        terms[(item["slug"], SOURCE)] = source
        for code in TRANSLATED:
            term = GlossaryTerm.objects.filter(
                translation_key=source.translation_key, locale=locales[code]
            ).first()
            if term is None:
                term = source.copy_for_translation(locales[code])
                term.term = item["term"][code]
                term.definition = item["definition"][code]
                term.save()
            terms[(item["slug"], code)] = term
    return terms


def load_programme(catalogue: CataloguePage, data: dict, locales: dict[str, Locale]) -> list[Page]:
    """Create what is missing of one programme; returns the uz pages, parents first."""
    uz = locales[SOURCE]
    glossary = load_glossary(data, locales)
    created: list[Page] = []
    programme, _ = _ensure_child(
        catalogue,
        ProgrammePage,
        data["slug"],
        uz,
        lambda: ProgrammePage(
            title=data["title"][SOURCE],
            summary=data["summary"][SOURCE],
            introduction=clean_html(data["introduction"][SOURCE]),
        ),
    )

    def fill_programme(page, code):
        page.title = data["title"][code]
        page.summary = data["summary"][code]
        page.introduction = clean_html(data["introduction"][code])

    _ensure_translations(programme, fill_programme)
    created.append(programme)

    positions = {p.code: p for p in Position.objects.all()}
    partners = {p.code: p for p in Partner.objects.all()}
    courses_by_code: dict[str, CoursePage] = {}
    for course_data in data["courses"]:
        missing = [c for c in course_data.get("prerequisites", []) if c not in courses_by_code]
        if missing:
            raise SeedError(
                f"{course_data['code']}: prerequisites {missing} must be listed before it"
            )

        def build_course(c=course_data):
            page = _course(c, SOURCE)
            # Relations are set before the first revision, so the editor shows them.
            page.target_positions = [positions[code] for code in c.get("target_positions", [])]
            page.partners = [partners[code] for code in c.get("partners", [])]
            page.prerequisites = [courses_by_code[code] for code in c.get("prerequisites", [])]
            return page

        course, _ = _ensure_child(programme, CoursePage, course_data["slug"], uz, build_course)

        def fill_course(page, code, c=course_data):
            _fill_course(page, c, code)
            page.prerequisites = [
                courses_by_code[p].get_translation_or_none(page.locale) or courses_by_code[p]
                for p in c.get("prerequisites", [])
            ]

        _ensure_translations(course, fill_course)
        courses_by_code[course_data["code"]] = course
        created.append(course)
        for module_data in course_data["modules"]:
            module, _ = _ensure_child(
                course,
                ModulePage,
                module_data["slug"],
                uz,
                lambda m=module_data: ModulePage(
                    title=m["title"][SOURCE], summary=m["summary"][SOURCE]
                ),
            )

            def fill_module(page, code, m=module_data):
                page.title = m["title"][code]
                page.summary = m["summary"][code]

            _ensure_translations(module, fill_module)
            created.append(module)
            for lesson_data in module_data.get("lessons", []):
                key = f"{course_data['code']}/{module_data['slug']}/{lesson_data['slug']}"
                lesson, _ = _ensure_child(
                    module,
                    LessonPage,
                    lesson_data["slug"],
                    uz,
                    lambda ld=lesson_data, k=key: LessonPage(
                        title=ld["title"][SOURCE],
                        summary=ld["summary"][SOURCE],
                        body=lesson_body(ld["body"], SOURCE, k, glossary),
                    ),
                )

                def fill_lesson(page, code, ld=lesson_data, k=key):
                    page.title = ld["title"][code]
                    page.summary = ld["summary"][code]
                    page.body = lesson_body(ld["body"], code, k, glossary)

                _ensure_translations(lesson, fill_lesson)
                created.append(lesson)
    return created


_COURSE_SCALARS = ("code", "delivery_mode", "duration_hours", "cpd_hours")


def _course(data: dict, code: str) -> CoursePage:
    completion = data.get("completion") or {}
    page = CoursePage(
        code=data["code"],
        delivery_mode=data.get("delivery_mode", "online"),
        duration_hours=data.get("duration_hours", 1),
        cpd_hours=data.get("cpd_hours", 0),
        self_enrolment=data.get("self_enrolment", True),
        completion_all_lessons=completion.get("all_lessons", True),
        completion_pass_mark=completion.get("final_assessment_pass_mark"),
        completion_workshop=bool(completion.get("workshop_attendance")),
        completion_placement=bool(completion.get("placement")),
    )
    _fill_course(page, data, code)
    return page


def _fill_course(page: CoursePage, data: dict, code: str) -> None:
    page.title = data["title"][code]
    page.summary = data["summary"][code]
    page.learning_objectives = _stream_list(
        data.get("objectives", {}).get(code, []), "objective", data["code"], "objectives"
    )
    page.competencies = _stream_list(
        data.get("competencies", {}).get(code, []), "competency", data["code"], "competencies"
    )


def load_partners(data: list[dict]) -> None:
    for item in data:
        if not Partner.objects.filter(code=item["code"]).exists():
            Partner.objects.create(
                code=item["code"],
                name=item["name"]["uz"],
                name_uz_cyrl=item["name"].get("uz-cyrl", ""),
                name_ru=item["name"].get("ru", ""),
                name_en=item["name"].get("en", ""),
            )


def transliterate_missing(pages: list[Page], locales: dict[str, Locale]) -> int:
    """Publish the uz-cyrl translation of every page (parents first) that has none yet."""
    done = 0
    for page in pages:
        if _translation(page, locales[CYRILLIC]) is None:
            prefill_cyrillic(page.specific, publish=True)
            done += 1
    return done


def load_all(
    *, seed_dir: Path = SEED_DIR, staff_per_centre: int = 6, stdout=None
) -> dict[str, int]:
    def say(msg: str) -> None:
        if stdout is not None:
            stdout.write(msg)

    organisation = read_yaml(seed_dir / "organisation.yaml")
    site_data = read_yaml(seed_dir / "site.yaml")
    programmes = [read_yaml(p) for p in sorted((seed_dir / "curriculum").glob("*.yaml"))]
    if not programmes:
        raise SeedError(f"No curriculum files in {seed_dir / 'curriculum'}")

    locales = ensure_locales()
    people_seeding.load_organisation(organisation)
    say(f"organisation: {OrgUnit.objects.count()} units")
    load_partners(organisation.get("partners", []))
    tashkent = _tashkent_city(organisation)
    centre = (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.CENTRE, path__startswith=tashkent.path)
        .order_by("code")
        .first()
    )
    chilonzor = OrgUnit.objects.filter(
        kind=OrgUnit.Kind.CENTRE, path__startswith=tashkent.path, name_en__icontains="Chilonzor"
    ).first()
    people_seeding.load_demo_accounts(tashkent.code, (chilonzor or centre).code)
    created_staff = people_seeding.load_demo_staff(staff_per_centre)
    say(f"people: {created_staff} demo staff created")

    # No transaction around the pages: wagtail-localize publishes on commit, and publishing a
    # parent after its children were added would restore its stale child count. Every step
    # is a get-or-create, so an interrupted load is completed by running it again.
    home = ensure_home(site_data["home"], locales)
    catalogue_data = site_data["catalogue"]
    catalogue, _ = _ensure_child(
        home,
        CataloguePage,
        catalogue_data["slug"],
        locales[SOURCE],
        lambda: CataloguePage(
            title=catalogue_data["title"][SOURCE],
            intro=clean_html(catalogue_data["intro"][SOURCE]),
        ),
    )

    def fill_catalogue(page, code):
        page.title = catalogue_data["title"][code]
        page.intro = clean_html(catalogue_data["intro"][code])

    _ensure_translations(catalogue, fill_catalogue)
    pages: list[Page] = [home, catalogue]
    for programme in programmes:
        pages.extend(load_programme(catalogue, programme, locales))
        say(f"curriculum: {programme['slug']} loaded")
    for term in GlossaryTerm.objects.filter(locale=locales[SOURCE]):
        if not GlossaryTerm.objects.filter(
            translation_key=term.translation_key, locale=locales[CYRILLIC]
        ).exists():
            prefill_cyrillic(term, publish=True)
    transliterated = transliterate_missing(pages, locales)
    say(f"curriculum: {transliterated} pages transliterated to uz-cyrl")
    from lms.learning.seeding import load_demo_learning

    say(f"learning: {load_demo_learning()} demo enrolments created")
    from assessments.seeding import load_assessments, load_demo_grading, load_demo_levels

    say(f"assessments: {load_assessments()} quizzes and surveys")
    say(f"assessments: {load_demo_grading()} essay waiting for the demo trainer")
    from evaluation.seeding import load_demo_evaluation, load_indicators

    say(f"evaluation: {load_indicators()} indicators created")

    def levels() -> None:  # the demo study reads these learning levels when it is computed
        say(f"assessments: {load_demo_levels()} demo test and survey attempts")

    written = load_demo_evaluation(before_study=levels)
    say(f"evaluation: {written} demo indicator values created")
    return {"pages": Page.objects.live().count(), "staff": created_staff}


def _tashkent_city(organisation: dict) -> OrgUnit:
    for region in organisation["regions"]:
        if "tashkent city" in region["name"]["en"].lower():
            return OrgUnit.objects.get(code=region["code"])
    raise SeedError("The organisation seed has no Tashkent city region")
