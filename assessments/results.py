"""Results for people who look across learners: pre/post scores per learner and per course,
survey results per course and org unit, and the evaluation toolkit's learning levels
(reaction, learning, behaviour). Every query here takes the scope it may read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from courses.models import CoursePage
from evaluation import levels
from lms.people.models import OrgUnit
from lms.people.scoping import people_q

from .models import Answer, Attempt, Question, Quiz


def courses_by_key(course_keys) -> list[CoursePage]:
    return list(
        CoursePage.objects.filter(
            translation_key__in=list(course_keys), locale__language_code=settings.LANGUAGE_CODE
        )
    )


def _in_unit(prefix: str, unit: OrgUnit | None) -> Q:
    return Q(**{f"{prefix}org_unit__path__startswith": unit.path}) if unit else Q()


# -- pre/post --------------------------------------------------------------------------------------


@dataclass
class PrePost:
    learner_id: int
    course_id: int
    pre: float | None = None
    post: float | None = None

    @property
    def gain(self) -> float | None:
        """The learner's normalised gain (post − pre) / (100 − pre)."""
        if self.pre is None or self.post is None or self.pre >= 100:
            return None
        return (self.post - self.pre) / (100 - self.pre)


def pre_post(courses, people: Q) -> list[PrePost]:
    """Per learner and course: the first marked pre-test and the first marked post-test
    (percent). Later attempts are practice, not a measurement: a learner who retakes the
    post-test until she passes would otherwise inflate the gain."""
    attempts = (
        Attempt.objects.filter(
            quiz__course__in=courses,
            quiz__purpose__in=[Quiz.Purpose.PRE_TEST, Quiz.Purpose.POST_TEST],
            status=Attempt.Status.GRADED,
            percent__isnull=False,
            about__isnull=True,
        )
        .filter(people)
        .order_by("submitted_at", "pk")
        .values_list("learner_id", "quiz__course_id", "quiz__purpose", "percent")
    )
    rows: dict[tuple[int, int], PrePost] = {}
    for learner_id, course_id, purpose, percent in attempts:
        row = rows.setdefault((learner_id, course_id), PrePost(learner_id, course_id))
        if purpose == Quiz.Purpose.PRE_TEST and row.pre is None:
            row.pre = float(percent)
        elif purpose == Quiz.Purpose.POST_TEST and row.post is None:
            row.post = float(percent)
    return list(rows.values())


def learning_level(course_keys, units_root: OrgUnit | None) -> dict | None:
    rows = pre_post(courses_by_key(course_keys), _in_unit("learner__", units_root))
    gain = levels.learning_gain((r.pre, r.post) for r in rows if r.pre is not None)
    if gain is None:
        return None
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in gain.as_dict().items()}


# -- surveys ---------------------------------------------------------------------------------------


def survey_scope(viewer) -> Q:
    """Survey answers the viewer may read: about people in her scope (a supervisor's answer
    counts where the person it is about works)."""
    return Q(about__isnull=True) & people_q(viewer, "learner__") | Q(
        about__isnull=False
    ) & people_q(viewer, "about__")


def _survey_attempts(quizzes, people: Q):
    """Answered surveys: those of an invitation only (who was asked is known, so a result
    can say who it speaks for)."""
    return Attempt.objects.filter(
        quiz__in=quizzes,
        quiz__purpose=Quiz.Purpose.SURVEY,
        status=Attempt.Status.GRADED,
        invitation__isnull=False,
    ).filter(people)


@dataclass
class QuestionSummary:
    question: Question
    answers: int = 0
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    texts: list[str] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        total = sum(self.counts.values())
        return sum(p * n for p, n in self.counts.items()) / total if total else None

    @property
    def agree_share(self) -> float | None:
        total = sum(self.counts.values())
        return (self.counts[4] + self.counts[5]) / total if total else None

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(point, count, percent of answers) for the distribution bars."""
        total = sum(self.counts.values()) or 1
        return [(p, n, round(100 * n / total)) for p, n in self.counts.items()]


def survey_summary(quiz: Quiz, people: Q, unit: OrgUnit | None = None) -> dict:
    """Per question: the Likert distribution and mean, or the written answers; how many
    responded. ``people`` is the viewer's scope, ``unit`` narrows it."""
    attempts = _survey_attempts([quiz], people)
    if unit is not None:
        attempts = attempts.filter(
            Q(about__isnull=True, learner__org_unit__path__startswith=unit.path)
            | Q(about__isnull=False, about__org_unit__path__startswith=unit.path)
        )
    answers = (
        Answer.objects.filter(attempt__in=attempts.values("pk"), response__isnull=False)
        .select_related("question")
        .order_by("position")
    )
    summaries: dict[int, QuestionSummary] = {}
    for answer in answers:
        summary = summaries.setdefault(answer.question_id, QuestionSummary(answer.question))
        summary.answers += 1
        if answer.question.type == Question.Type.LIKERT and answer.response in summary.counts:
            summary.counts[answer.response] += 1
        elif isinstance(answer.response, str):
            summary.texts.append(answer.response)
    return {"respondents": attempts.count(), "questions": list(summaries.values())}


def _likert_figures(attempts) -> tuple[int, float | None, float | None]:
    values = list(
        Answer.objects.filter(
            attempt__in=attempts.values("pk"),
            question__type=Question.Type.LIKERT,
            response__isnull=False,
        ).values_list("response", flat=True)
    )
    points = [v for v in values if isinstance(v, int)]
    if not points:
        return attempts.count(), None, None
    mean = sum(points) / len(points)
    agree = sum(1 for p in points if p >= 4) / len(points)
    return attempts.count(), round(mean, 2), round(agree, 3)


def _surveys(course_keys, *kinds: str):
    return Quiz.objects.filter(
        purpose=Quiz.Purpose.SURVEY,
        survey_kind__in=kinds,
        course__in=courses_by_key(course_keys),
    )


def reaction_level(course_keys, units_root: OrgUnit | None) -> dict | None:
    attempts = _survey_attempts(
        _surveys(course_keys, Quiz.SurveyKind.REACTION), _in_unit("learner__", units_root)
    )
    responses, mean, agree = _likert_figures(attempts)
    if not responses:
        return None
    return {"responses": responses, "mean_1_to_5": mean, "agree_share": agree}


def behaviour_level(course_keys, units_root: OrgUnit | None) -> dict | None:
    own = _survey_attempts(
        _surveys(course_keys, Quiz.SurveyKind.FOLLOW_UP), _in_unit("learner__", units_root)
    )
    supervisors = _survey_attempts(
        _surveys(course_keys, Quiz.SurveyKind.FOLLOW_UP_SUPERVISOR),
        _in_unit("about__", units_root),
    )
    n_own, mean_own, _agree = _likert_figures(own)
    n_sup, mean_sup, _agree = _likert_figures(supervisors)
    if not (n_own or n_sup):
        return None
    return {
        "learner_responses": n_own,
        "learner_mean_1_to_5": mean_own,
        "supervisor_responses": n_sup,
        "supervisor_mean_1_to_5": mean_sup,
    }


def by_unit(quiz: Quiz, people: Q, units) -> list[dict]:
    """Responses and the Likert mean of each of these units' subtrees."""
    rows = []
    totals: dict[str, list[int]] = defaultdict(list)
    answers = Answer.objects.filter(
        attempt__in=_survey_attempts([quiz], people).values("pk"),
        question__type=Question.Type.LIKERT,
        response__isnull=False,
    ).values_list("attempt__learner__org_unit__path", "attempt__about__org_unit__path", "response")
    for own_path, about_path, response in answers:
        totals[about_path or own_path or ""].append(response)
    respondents = _survey_attempts([quiz], people).values_list(
        "learner__org_unit__path", "about__org_unit__path"
    )
    counts: dict[str, int] = defaultdict(int)
    for own_path, about_path in respondents:
        counts[about_path or own_path or ""] += 1
    for unit in units:
        points = [
            p for path, values in totals.items() if path.startswith(unit.path) for p in values
        ]
        responses = sum(n for path, n in counts.items() if path.startswith(unit.path))
        rows.append(
            {
                "unit": unit,
                "responses": responses,
                "mean": round(sum(points) / len(points), 2) if points else None,
            }
        )
    return rows
