"""What assessments reports to the rest of the platform, through the seams those parts offer:
lesson gates and the final-assessment criterion to `lms.learning`, the learning levels to
`evaluation`. Neither of those imports assessments."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from evaluation import levels
from lms.learning import completion, gates

from . import results
from .i18n import local
from .lesson import lesson_quizzes
from .models import Attempt, Quiz


def quiz_gates(enrolment, lesson) -> list[gates.Gate]:
    required = [pk for pk, needed in lesson_quizzes(lesson) if needed]
    if not required:
        return []
    quizzes = Quiz.objects.in_bulk(required)
    done = set(
        Attempt.objects.filter(
            learner_id=enrolment.learner_id, quiz_id__in=required, about__isnull=True
        )
        .exclude(status=Attempt.Status.IN_PROGRESS)
        .values_list("quiz_id", "status", "passed")
    )
    found = []
    for pk in required:
        quiz = quizzes.get(pk)
        if quiz is None:
            continue
        if quiz.needs_pass:
            met = any(q == pk and passed for q, _status, passed in done)
            label = _("%(quiz)s (pass mark %(mark)s%%)") % {
                "quiz": local(quiz.title),
                "mark": quiz.pass_mark,
            }
        else:
            met = any(q == pk for q, _status, _passed in done)
            label = local(quiz.title)
        found.append(gates.Gate(label, met))
    return found


def final_exams(course):
    return Quiz.objects.filter(course=course, purpose=Quiz.Purpose.FINAL_EXAM)


def final_exam_applies(course) -> bool:
    return final_exams(course).exists()


def final_exam_passed(enrolment) -> bool:
    """The course's pass mark on the best marked attempt at any of its final exams."""
    mark = enrolment.course.completion_pass_mark
    best = (
        Attempt.objects.filter(
            learner_id=enrolment.learner_id,
            quiz__in=final_exams(enrolment.course),
            status=Attempt.Status.GRADED,
            percent__isnull=False,
        )
        .order_by("-percent")
        .values_list("percent", flat=True)
        .first()
    )
    return best is not None and mark is not None and best >= Decimal(mark)


def register() -> None:
    gates.register("quiz", quiz_gates)
    completion.register(
        "assessment", final_exam_applies, final_exam_passed, "Final assessment passed"
    )
    levels.register("learning", results.learning_level)
    levels.register("reaction", results.reaction_level)
    levels.register("behaviour", results.behaviour_level)


register()
