"""Quizzes inside lessons: which quizzes a lesson holds, and what its quiz block shows the
signed-in learner (her attempts, what is left, where to start or resume)."""

from __future__ import annotations

from courses.models import LessonPage
from lms.learning import curriculum

from . import services
from .i18n import local
from .models import Attempt, Quiz, SurveyInvitation


def lesson_quizzes(lesson) -> list[tuple[int, bool]]:
    """(quiz id, required) for every quiz block of the lesson's body."""
    found = []
    for block in lesson.body:
        if block.block_type == "quiz" and block.value.get("quiz") is not None:
            found.append((block.value["quiz"].pk, bool(block.value.get("required"))))
    return found


def quiz_block_context(value, parent: dict) -> dict:
    quiz: Quiz | None = value.get("quiz")
    request = parent.get("request")
    page = parent.get("page")
    if quiz is None:
        return {"quiz": None}
    lesson = page if isinstance(page, LessonPage) else None  # quizzes may sit on other pages
    context = {
        "quiz": quiz,
        "quiz_title": local(quiz.title),
        "quiz_intro": local(quiz.intro),
        "question_count": quiz_size(quiz),
        "lesson_id": lesson.pk if lesson is not None else None,
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    if quiz.is_survey:  # answered from its invitation, sent when the course is completed
        context["invitation"] = (
            SurveyInvitation.objects.filter(quiz=quiz, respondent=user, about__isnull=True)
            .order_by("-pk")
            .first()
        )
        return context
    attempts = list(
        Attempt.objects.filter(quiz=quiz, learner=user, about__isnull=True).order_by("number")
    )
    current = next((a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None)
    finished = [a for a in attempts if a.status != Attempt.Status.IN_PROGRESS]
    left = services.attempts_left(quiz, user, finished=len(finished))
    course = quiz.course
    if course is None and lesson is not None:
        course = curriculum.course_of(curriculum.canonical(lesson))
    context.update(
        attempts=finished,
        current=current,
        attempts_left=left,
        can_start=current is not None or left != 0,
        shows_score=quiz.feedback != Quiz.Feedback.NONE,
        enrolled=course is None or services.learning.enrolment_for(user, course) is not None,
    )
    return context


def quiz_size(quiz: Quiz) -> int:
    """How many questions an attempt will have."""
    return sum(1 if slot.question_id else slot.count for slot in quiz.slots.all())
