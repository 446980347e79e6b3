"""The xAPI statements of quizzes, tests and surveys (the Malaka profile, lms/tracking).

- attempted: an attempt starts (object: the quiz);
- answered: each question of a submitted test, with its interaction definition (type, the
  components, the correct-responses pattern), the response and its score; parent the quiz,
  grouping the course;
- responded: each question of a submitted survey, likewise;
- completed: the attempt is submitted (with the score when everything is marked);
- scored, passed / failed: the attempt is fully marked (at submission, or when the grader
  marks the last essay).

The registration is the learner's enrolment in the quiz's course, when there is one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import translation

from lms.learning import statements as learning_xapi
from lms.tracking import services as tracking
from lms.tracking.profile import ACTIVITY_TYPES

from . import marking
from .i18n import language_map
from .models import Answer, Attempt, Question, Quiz


def quiz_iri(quiz: Quiz) -> str:
    return f"{settings.XAPI_HOMEPAGE.rstrip('/')}/xapi/activities/assessment/{quiz.key}"


def question_iri(question: Question) -> str:
    return f"{settings.XAPI_HOMEPAGE.rstrip('/')}/xapi/activities/question/{question.pk}"


def quiz_activity(quiz: Quiz) -> dict:
    kind = "survey" if quiz.is_survey else "assessment"
    return {
        "objectType": "Activity",
        "id": quiz_iri(quiz),
        "definition": {"type": ACTIVITY_TYPES[kind], "name": language_map(quiz.title, "—")},
    }


def question_activity(question: Question, choices) -> dict:
    definition = {
        "type": ACTIVITY_TYPES["question"],
        "name": {"und": question.name[:200] or str(question.pk)},
        "description": language_map(question.text, "—"),
        **marking.interaction(question, choices),
    }
    return {"objectType": "Activity", "id": question_iri(question), "definition": definition}


def _grouping(attempt: Attempt) -> list[dict] | None:
    enrolment = attempt.enrolment
    if enrolment is None:
        return None
    return [learning_xapi.activity("course", enrolment.course)]


def _statement(attempt: Attempt, verb: str, target: dict, *, parent=None, result=None) -> dict:
    enrolment = attempt.enrolment
    return tracking.statement(
        attempt.learner,
        verb,
        target,
        registration=enrolment.registration if enrolment else None,
        course_code=enrolment.course.code if enrolment else None,
        locale=translation.get_language(),
        parent=parent,
        grouping=_grouping(attempt),
        result=result,
    )


def _score(score: Decimal | None, max_score: Decimal) -> dict | None:
    if score is None or not max_score:
        return None
    return {
        "raw": float(score),
        "min": 0,
        "max": float(max_score),
        "scaled": round(float(score) / float(max_score), 4),
    }


def _duration(attempt: Attempt) -> str | None:
    if not attempt.submitted_at:
        return None
    seconds = max(0.0, (attempt.submitted_at - attempt.started_at).total_seconds())
    return f"PT{seconds:.0f}S"


def attempted(attempt: Attempt) -> dict:
    return _statement(attempt, "attempted", quiz_activity(attempt.quiz))


def answered(attempt: Attempt, answer: Answer, choices) -> dict:
    question = answer.question
    verb = "responded" if attempt.quiz.is_survey else "answered"
    result: dict = {}
    response = marking.xapi_response(question, choices, answer.response)
    if response is not None:
        result["response"] = response
    score = _score(answer.score, answer.max_score)
    if score:
        result["score"] = score
        result["success"] = answer.score >= answer.max_score
    result["completion"] = answer.response is not None
    return _statement(
        attempt,
        verb,
        question_activity(question, choices),
        parent=quiz_activity(attempt.quiz),
        result=result,
    )


def completed(attempt: Attempt) -> dict:
    result: dict = {"completion": True}
    score = _score(attempt.score, attempt.max_score)
    if score and attempt.status == Attempt.Status.GRADED:
        result["score"] = score
    duration = _duration(attempt)
    if duration:
        result["duration"] = duration
    return _statement(attempt, "completed", quiz_activity(attempt.quiz), result=result)


def outcome(attempt: Attempt) -> list[dict]:
    """scored, and passed or failed where the quiz has a pass mark: once fully marked."""
    found = []
    score = _score(attempt.score, attempt.max_score)
    if score:
        scored = _statement(attempt, "scored", quiz_activity(attempt.quiz), result={"score": score})
        found.append(scored)
    if attempt.passed is not None:
        result = {"success": attempt.passed, "completion": True}
        if score:
            result["score"] = score
        verb = "passed" if attempt.passed else "failed"
        found.append(_statement(attempt, verb, quiz_activity(attempt.quiz), result=result))
    return found
