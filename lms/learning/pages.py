"""What the course and lesson pages show of the signed-in learner's enrolment."""

from __future__ import annotations

from . import completion, curriculum, gates, services


def course_context(request, page) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    enrolment = services.enrolment_for(user, page)
    context = {"enrolment": enrolment}
    if enrolment is None:
        course = curriculum.canonical(page)
        context["missing_prerequisites"] = [
            c.localized for c in services.missing_prerequisites(user, course)
        ]
        return context
    context["completed_lessons"] = _local_keys(enrolment)
    context["criteria"] = completion.criteria(enrolment)
    if enrolment.is_open:
        lesson = services.resume_lesson(enrolment)
        context["resume_lesson"] = lesson.localized if lesson else None
    return context


def _local_keys(enrolment) -> set[str]:
    """Translation keys of the completed lessons: lesson pages of every language match."""
    return {
        str(key)
        for key in enrolment.lessons.filter(completed_at__isnull=False).values_list(
            "lesson__translation_key", flat=True
        )
    }


def lesson_context(request, page) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    if hasattr(request, "learning_enrolment"):  # looked up when the lesson was opened
        enrolment = request.learning_enrolment
    else:
        enrolment = services.enrolment_for(user, curriculum.course_of(page))
    if enrolment is None:
        return {"enrolment": None}
    lesson_gates = gates.gates(enrolment, curriculum.canonical(page))
    return {
        "enrolment": enrolment,
        "completed_lessons": _local_keys(enrolment),
        "lesson_gates": lesson_gates,
        # All done but not complete (a prerequisite was missing then, or an activity was made
        # required afterwards): "Mark complete" comes back, and completion checks again.
        "lesson_gates_waiting": any(not gate.met for gate in lesson_gates),
    }


def lesson_opened(request, page) -> None:
    if request.user.is_authenticated and request.method == "GET":
        request.learning_enrolment = services.open_lesson(request.user, page)
