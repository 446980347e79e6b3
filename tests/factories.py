"""factory_boy factories for the platform's objects. The seed loader builds the same objects
(lms/people/seeding.py, content/seeding.py); these make small, explicit ones for tests."""

from __future__ import annotations

import json
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from content.models import GlossaryTerm, HomePage
from courses.models import (
    CataloguePage,
    CoursePage,
    LessonPage,
    ModulePage,
    Partner,
    ProgrammePage,
)
from lms.people.models import OrgUnit, Position, User


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """`parent=None` makes a root (the agency); otherwise a child of `parent`."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Birlik {n}")
    name_ru = factory.Sequence(lambda n: f"Подразделение {n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.CENTRE

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.add_root(**kwargs)
        return parent.add_child(**kwargs)


def org_tree(regions: int = 2, districts: int = 2) -> dict:
    """agency → regions → districts → one centre each; returns them by role."""
    agency = OrgUnitFactory(code="NASP", kind=OrgUnit.Kind.AGENCY, parent=None)
    tree = {"agency": agency, "regions": [], "districts": [], "centres": []}
    for r in range(regions):
        region = OrgUnitFactory(code=f"R{r}", kind=OrgUnit.Kind.REGION, parent=agency)
        tree["regions"].append(region)
        for d in range(districts):
            district = OrgUnitFactory(code=f"R{r}-D{d}", kind=OrgUnit.Kind.DISTRICT, parent=region)
            centre = OrgUnitFactory(
                code=f"R{r}-D{d}-INSON", kind=OrgUnit.Kind.CENTRE, parent=district
            )
            tree["districts"].append(district)
            tree["centres"].append(centre)
    return tree


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"position-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    name_ru = factory.LazyAttribute(lambda o: f"Должность {o.code}")
    name_en = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    employee_number = factory.Sequence(lambda n: f"E{50000 + n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@staff.example")
    password = factory.LazyFunction(lambda: make_password("malaka-demo"))
    position = factory.SubFactory(PositionFactory, code="social-worker")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)

    code = "haus"
    name = "HAUS"
    name_en = "HAUS Finnish Institute of Public Management"


def locales() -> dict[str, Locale]:
    return {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code in ("uz", "uz-cyrl", "ru", "en")
    }


def _add(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def home_page(title: str = "Malaka") -> HomePage:
    """A live uz home page as the default site's root."""
    uz = locales()["uz"]
    root = Page.get_first_root_node()
    home = _add(root, HomePage(title=title, slug="home-uz", locale=uz))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Malaka"},
    )
    return home


def catalogue_page(home: HomePage, title: str = "Katalog") -> CataloguePage:
    return _add(home, CataloguePage(title=title, slug="catalogue", locale=home.locale))


def programme_page(catalogue: Page, title: str = "Keys-menejment", **kw) -> ProgrammePage:
    kw.setdefault("slug", slugify(title) or "programme")
    return _add(
        catalogue, ProgrammePage(title=title, summary="Dastur", locale=catalogue.locale, **kw)
    )


def course_page(programme: Page, code: str = "CM-101", title: str = "Kurs", **kw) -> CoursePage:
    kw.setdefault("slug", code.lower())
    kw.setdefault("summary", f"{title}: qisqacha")
    kw.setdefault("duration_hours", Decimal("4"))
    kw.setdefault("cpd_hours", Decimal("3"))
    positions = kw.pop("target_positions", [])
    page = _add(programme, CoursePage(title=title, code=code, locale=programme.locale, **kw))
    if positions:
        page.target_positions.set(positions)
        page.save_revision().publish()
    return page


def module_page(course: Page, title: str = "Modul", slug: str = "modul") -> ModulePage:
    return _add(course, ModulePage(title=title, slug=slug, summary="", locale=course.locale))


def lesson_page(
    module: Page, title: str = "Dars", slug: str = "dars", words: int = 360
) -> LessonPage:
    text = " ".join(["soʻz"] * words)
    body = json.dumps(
        [
            {"type": "heading", "value": {"text": title, "level": "h2"}, "id": f"{slug}-h"},
            {"type": "paragraph", "value": f"<p>{text}</p>", "id": f"{slug}-p"},
        ]
    )
    return _add(module, LessonPage(title=title, slug=slug, body=body, locale=module.locale))


def glossary_term(
    slug: str = "keys", term: str = "Keys", definition: str = "Taʼrif"
) -> GlossaryTerm:
    return GlossaryTerm.objects.create(
        slug=slug, term=term, definition=definition, locale=locales()["uz"]
    )


# -- learning ------------------------------------------------------------------------------------
# Learning tests build many small courses: their pages are added live, without the revision
# and publish round (a tenth of the time); `translate_tree` publishes translations properly.


def _add_live(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)  # a new page is live
    return page


def curriculum_programme(title: str = "Keys-menejment") -> ProgrammePage:
    """Locales, a home page (the default site's root), the catalogue and one programme."""
    uz = locales()["uz"]
    home = _add_live(
        Page.get_first_root_node(), HomePage(title="Malaka", slug="home-uz", locale=uz)
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Malaka"},
    )
    catalogue = _add_live(home, CataloguePage(title="Katalog", slug="catalogue", locale=uz))
    return _add_live(
        catalogue,
        ProgrammePage(title=title, slug="case-management", summary="Dastur", locale=uz),
    )


class CourseTree:
    """A course with its modules and lessons (default locale), in reading order."""

    def __init__(self, course: CoursePage, modules: list[ModulePage], lessons: list[LessonPage]):
        self.course = course
        self.modules = modules
        self.lessons = lessons

    def lessons_of(self, module: ModulePage) -> list[LessonPage]:
        return [lesson for lesson in self.lessons if lesson.path.startswith(module.path)]


def course_with_lessons(
    programme: Page,
    code: str = "CM-101",
    title: str = "Kurs",
    *,
    modules: int = 2,
    lessons: int = 2,
    prerequisites: list[CoursePage] | None = None,
    **kw,
) -> CourseTree:
    """A live course of `modules` modules of `lessons` short lessons each; `kw` sets course
    fields (self_enrolment, completion_pass_mark, …)."""
    kw.setdefault("slug", code.lower())
    kw.setdefault("summary", f"{title}: qisqacha")
    course = _add_live(programme, CoursePage(title=title, code=code, locale=programme.locale, **kw))
    if prerequisites:
        course.prerequisites.set(prerequisites)
        course.save()
    tree = CourseTree(course, [], [])
    for m in range(1, modules + 1):
        module = _add_live(
            course,
            ModulePage(title=f"{title}: modul {m}", slug=f"modul-{m}", locale=course.locale),
        )
        tree.modules.append(module)
        for n in range(1, lessons + 1):
            body = json.dumps([{"type": "paragraph", "value": f"<p>Dars {m}.{n}</p>"}])
            tree.lessons.append(
                _add_live(
                    module,
                    LessonPage(
                        title=f"Dars {m}.{n}", slug=f"dars-{m}-{n}", body=body, locale=module.locale
                    ),
                )
            )
    return tree


def translate_tree(
    pages: list[Page], language_code: str, titles: dict[int, str] | None = None
) -> dict[int, Page]:
    """Publish a copy of each page in `language_code` (give parents first); `titles` renames
    copies by the original's pk. Returns {original pk: live translation}."""
    locale = locales()[language_code]
    titles = titles or {}
    copies = {}
    for page in pages:
        copy = page.specific.copy_for_translation(locale)
        if page.pk in titles:
            copy.title = titles[page.pk]
        copy.save_revision().publish()
        copies[page.pk] = copy
    return copies
