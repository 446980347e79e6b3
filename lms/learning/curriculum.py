"""The curriculum as learning sees it: a course's lessons and modules in the default locale,
whatever language the learner reads in."""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Locale, Page

from courses.models import CoursePage, LessonPage, ModulePage


def default_locale() -> Locale:
    return Locale.objects.get(language_code=settings.LANGUAGE_CODE)


def canonical(page: Page) -> Page:
    """The page's counterpart in the default locale (itself if it is in that locale)."""
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return page
    return type(page).objects.get(
        translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE
    )


def course_of(lesson: LessonPage) -> CoursePage:
    return CoursePage.objects.get(path=lesson.path[: -2 * Page.steplen])


def lessons_of(course: CoursePage):
    """The live lessons of a course's live modules, in reading order. (Unpublishing a module
    leaves its lessons live; a learner cannot reach them, so they do not count.)"""
    lessons = LessonPage.objects.live().filter(path__startswith=course.path, depth=course.depth + 2)
    for hidden in ModulePage.objects.not_live().child_of(course).values_list("path", flat=True):
        lessons = lessons.exclude(path__startswith=hidden)
    return lessons.order_by("path")


def course_path_of(page: Page) -> str | None:
    """The tree path of the course a module or lesson belongs to."""
    if isinstance(page, ModulePage):
        return page.path[: -Page.steplen]
    if isinstance(page, LessonPage):
        return page.path[: -2 * Page.steplen]
    return None


def modules_of(course: CoursePage):
    return ModulePage.objects.live().child_of(course).order_by("path")


def localized(pages, language_code: str) -> dict[str, Page]:
    """{translation_key: page in `language_code`} for the given pages, in one query; a page
    with no live translation in that language maps to itself."""
    pages = list(pages)
    by_key = {str(p.translation_key): p for p in pages}
    if not pages or language_code == settings.LANGUAGE_CODE:
        return by_key
    model = type(pages[0])
    for page in (
        model.objects.live()
        .filter(translation_key__in=list(by_key), locale__language_code=language_code)
        .select_related("locale")
    ):
        by_key[str(page.translation_key)] = page
    return by_key
