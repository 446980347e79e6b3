"""Where a lesson sits in its course: the module outline, previous and next lesson."""

from wagtail.models import Page

from .models import CoursePage, LessonPage, ModulePage


def lesson_navigation(lesson: LessonPage) -> dict:
    """Three queries, whatever the size of the course: the course, its modules, its lessons."""
    module_path = lesson.path[: -Page.steplen]
    course_path = module_path[: -Page.steplen]
    course = CoursePage.objects.only("title", "path", "depth", "url_path", "code").get(
        path=course_path
    )
    modules = list(
        ModulePage.objects.live()
        .filter(path__startswith=course_path, depth=lesson.depth - 1)
        .order_by("path")
        .only("title", "path", "depth", "url_path")
    )
    lessons = list(
        LessonPage.objects.live()
        .filter(path__startswith=course_path, depth=lesson.depth)
        .order_by("path")
        .only("title", "path", "depth", "url_path", "reading_minutes", "translation_key")
    )
    by_module: dict[str, list[LessonPage]] = {}
    for item in lessons:
        by_module.setdefault(item.path[: -Page.steplen], []).append(item)
    outline = [(m, by_module.get(m.path, [])) for m in modules]
    index = next((i for i, item in enumerate(lessons) if item.pk == lesson.pk), None)
    previous_lesson = lessons[index - 1] if index else None
    next_lesson = lessons[index + 1] if index is not None and index + 1 < len(lessons) else None
    current_module = next((m for m in modules if m.path == module_path), None)
    return {
        "course": course,
        "outline": outline,
        "current_module": current_module,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "lesson_number": (index + 1) if index is not None else None,
        "lesson_total": len(lessons),
    }
