"""Attempts: starting (the questions drawn and their options shuffled once, kept in the
attempt's layout), saving answers as the learner goes, submitting once, marking, grading by a
person with a rubric, and what a finished attempt sets off (xAPI, the lesson's gate, the
course's completion, a survey invitation answered).

Time limits are the server's: an attempt's deadline is fixed when it starts; answers saved
after it are refused, and an attempt past its deadline is submitted with what was saved (when
the learner comes back, or by the beat task `assessments.close_expired`)."""

from __future__ import annotations

import datetime as dt
import logging
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import LessonPage
from lms.learning import completion
from lms.learning import curriculum as learning_curriculum
from lms.learning import services as learning
from lms.learning.models import Enrolment
from lms.people.models import User
from lms.people.scoping import people_q
from lms.tracking import services as tracking

from . import marking
from . import statements as xapi
from .models import Answer, Attempt, Choice, Question, Quiz, SurveyInvitation

logger = logging.getLogger(__name__)

#: Answers that reach the server this long after the deadline still count (the request was
#: sent in time on a slow line).
GRACE = dt.timedelta(seconds=15)


class AssessmentError(Exception):
    pass


# -- reading ---------------------------------------------------------------------------------------


def finished_attempts(quiz: Quiz, learner: User, about: User | None = None):
    return Attempt.objects.filter(quiz=quiz, learner=learner, about=about).exclude(
        status=Attempt.Status.IN_PROGRESS
    )


def open_attempt(quiz: Quiz, learner: User, about: User | None = None) -> Attempt | None:
    return Attempt.objects.filter(
        quiz=quiz, learner=learner, about=about, status=Attempt.Status.IN_PROGRESS
    ).first()


def attempts_left(
    quiz: Quiz, learner: User, about: User | None = None, *, finished: int | None = None
) -> int | None:
    """None: as many as the learner wants. ``finished``: the count, when the caller has it."""
    if finished is None:
        finished = finished_attempts(quiz, learner, about).count()
    if quiz.is_survey:
        return 0 if finished else 1
    if not quiz.attempts_allowed:
        return None
    return max(0, quiz.attempts_allowed - finished)


def question_choices(questions) -> dict[int, list[Choice]]:
    """Each question's choices in authored order, in one query."""
    by_question: dict[int, list[Choice]] = {q.pk: [] for q in questions}
    for choice in Choice.objects.filter(question__in=list(by_question)).order_by(
        "question_id", "sort_order", "pk"
    ):
        by_question[choice.question_id].append(choice)
    return by_question


def all_choices(shown: list[Choice], targets: list[Choice]) -> list[Choice]:
    """A question's choices once each: those shown, then matching's right-hand options."""
    return shown + [c for c in targets if c not in shown]


def delivered(attempt: Attempt) -> list[tuple[Answer, list[Choice], list[Choice]]]:
    """The attempt's questions as the learner sees them: (answer, choices in the order shown,
    right-hand options in the order shown for matching)."""
    answers = list(
        attempt.answers.select_related("question", "question__rubric").order_by("position")
    )
    choices = question_choices([a.question for a in answers])
    layout = {entry["question"]: entry for entry in attempt.layout}
    rows = []
    for answer in answers:
        entry = layout.get(answer.question_id, {})
        own = {c.pk: c for c in choices[answer.question_id]}
        shown = [own[pk] for pk in entry.get("choices", []) if pk in own] or list(own.values())
        targets = [own[pk] for pk in entry.get("targets", []) if pk in own]
        rows.append((answer, shown, targets))
    return rows


# -- starting --------------------------------------------------------------------------------------


def _draw(quiz: Quiz, rng: random.Random) -> list[Question]:
    chosen: list[Question] = []
    taken: set[int] = set()
    for slot in quiz.slots.select_related("question").order_by("sort_order", "pk"):
        if slot.question_id:
            if slot.question_id not in taken:
                chosen.append(slot.question)
                taken.add(slot.question_id)
            continue
        pool = Question.objects.filter(bank_id=slot.bank_id).exclude(pk__in=taken)
        if slot.tag:
            pool = pool.filter(tags__name=slot.tag)
        ids = sorted(set(pool.values_list("pk", flat=True)))
        picked = rng.sample(ids, min(slot.count, len(ids)))
        found = Question.objects.in_bulk(picked)
        for pk in picked:
            chosen.append(found[pk])
            taken.add(pk)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def _layout(questions: list[Question], rng: random.Random) -> list[dict]:
    choices = question_choices(questions)
    layout = []
    for question in questions:
        ids = [c.pk for c in choices[question.pk]]
        entry: dict = {"question": question.pk, "choices": ids}
        T = Question.Type
        if question.type in (T.SINGLE, T.MULTIPLE) and question.shuffle_choices:
            rng.shuffle(ids)
        elif question.type == T.ORDERING and len(ids) > 1:
            correct = list(ids)
            while ids == correct:  # never shown already in the right order
                rng.shuffle(ids)
        elif question.type == T.MATCHING:
            lefts = [c.pk for c in choices[question.pk] if any((c.text or {}).values())]
            targets = [c.pk for c in marking.right_options(choices[question.pk])]
            if question.shuffle_choices:
                rng.shuffle(lefts)
            rng.shuffle(targets)
            entry.update(choices=lefts, targets=targets)
        layout.append(entry)
    return layout


def _enrolment_for(learner: User, quiz: Quiz, lesson: LessonPage | None) -> Enrolment | None:
    course = quiz.course
    if course is None and lesson is not None:
        course = learning_curriculum.course_of(lesson)
    if course is None:
        return None
    return learning.enrolment_for(learner, course)


def start_attempt(
    learner: User,
    quiz: Quiz,
    *,
    lesson: LessonPage | None = None,
    about: User | None = None,
    invitation: SurveyInvitation | None = None,
    now: dt.datetime | None = None,
) -> Attempt:
    """Start an attempt, or return the learner's open one (a reload, a second tab)."""
    now = now or timezone.now()
    current = open_attempt(quiz, learner, about)
    if current is not None:
        if not current.expired(now - GRACE):
            return current
        submit(current, now=now)  # time ran out while away: submitted with what was saved
    if lesson is not None:
        lesson = learning_curriculum.canonical(lesson)
    enrolment = invitation.enrolment if invitation else _enrolment_for(learner, quiz, lesson)
    if enrolment is None and not quiz.is_survey and (quiz.course_id or lesson is not None):
        raise AssessmentError(_("Enrol in the course to take this test."))
    if quiz.is_survey and invitation is None:
        raise AssessmentError(
            _("Surveys are answered from their invitation, sent when the course is completed.")
        )
    left = attempts_left(quiz, learner, about)
    if left == 0:
        if quiz.is_survey:
            raise AssessmentError(_("You have already answered this survey. Thank you."))
        raise AssessmentError(
            _("You have used all %(count)s attempts at this test.")
            % {"count": quiz.attempts_allowed}
        )
    rng = random.Random()  # noqa: S311 (which questions, not a secret)
    questions = _draw(quiz, rng)
    if not questions:
        raise AssessmentError(_("This test has no questions yet."))
    number = (
        Attempt.objects.filter(quiz=quiz, learner=learner, about=about).count() + 1
    )  # in progress ones included: numbers are never reused
    deadline = (
        now + dt.timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    )
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                learner=learner,
                enrolment=enrolment,
                lesson=lesson,
                about=about,
                number=number,
                started_at=now,
                deadline=deadline,
                layout=_layout(questions, rng),
            )
            Answer.objects.bulk_create(
                Answer(
                    attempt=attempt,
                    question=question,
                    position=position,
                    max_score=question.mark
                    if question.is_scored and not quiz.is_survey
                    else Decimal("0"),
                )
                for position, question in enumerate(questions, start=1)
            )
            if invitation is not None:
                SurveyInvitation.objects.filter(pk=invitation.pk, attempt__isnull=True).update(
                    attempt=attempt
                )
            tracking.record(xapi.attempted(attempt))
    except IntegrityError:
        # Two starts at once (a double click): the other one won.
        current = open_attempt(quiz, learner, about)
        if current is None:
            raise
        return current
    return attempt


# -- answering -------------------------------------------------------------------------------------


def save_answers(attempt: Attempt, data, *, now: dt.datetime | None = None) -> dict[int, str]:
    """Store the posted responses. Returns {answer id: error} for values that are not
    possible answers (nothing else is lost). Refused once the time is up."""
    now = now or timezone.now()
    with transaction.atomic():
        # Under the attempt's lock: an autosave that arrives while the attempt is submitted
        # waits, then finds it submitted, so what was marked is what stays stored.
        locked = Attempt.objects.select_for_update(of=("self",)).get(pk=attempt.pk)
        if locked.status != Attempt.Status.IN_PROGRESS:
            raise AssessmentError(
                _("This attempt has been submitted; answers can no longer change.")
            )
        if locked.expired(now - GRACE):
            raise AssessmentError(_("Time is up: answers after the time limit are not accepted."))
        errors: dict[int, str] = {}
        changed = []
        for answer, shown, targets in delivered(locked):
            name = f"q{answer.pk}"
            if not _posted(answer.question, data, name, shown):
                continue  # the form did not carry this question (autosave of one field)
            try:
                response = marking.read_response(
                    answer.question,
                    [c.pk for c in shown],
                    data,
                    name,
                    target_ids=[c.pk for c in targets],
                )
            except marking.ResponseError as error:
                errors[answer.pk] = str(error)
                continue
            if response != answer.response:
                answer.response = response
                answer.saved_at = now
                changed.append(answer)
        if changed:
            Answer.objects.bulk_update(changed, ["response", "saved_at"])
    return errors


def _posted(question: Question, data, name: str, shown: list[Choice]) -> bool:
    """Whether the form carried the question: a field of it, or its marker (an unticked
    checkbox or radio sends nothing, so the form sends `<name>-present`)."""
    if f"{name}-present" in data or name in data:
        return True
    return any(f"{name}-{c.pk}" in data for c in shown)


# -- submitting and marking ------------------------------------------------------------------------


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _finalise(attempt: Attempt, answers: list[Answer], now: dt.datetime) -> None:
    """Score, percent and pass of an attempt whose every answer is marked."""
    scored = [a for a in answers if a.question.is_scored and not attempt.quiz.is_survey]
    attempt.score = _round(sum((a.score or Decimal("0") for a in scored), Decimal("0")))
    attempt.max_score = _round(sum((a.max_score for a in scored), Decimal("0")))
    attempt.percent = _round(attempt.score * 100 / attempt.max_score) if attempt.max_score else None
    quiz = attempt.quiz
    if quiz.needs_pass and attempt.percent is not None:
        attempt.passed = attempt.percent >= quiz.pass_mark
    attempt.status = Attempt.Status.GRADED
    attempt.graded_at = now


def submit(attempt: Attempt, data=None, *, now: dt.datetime | None = None) -> Attempt:
    """Submit once: a second submission (a double click, a retry on a slow line) changes
    nothing. Answers posted with the submission are saved first while there is time."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz", "learner", "enrolment__course")
            .get(pk=attempt.pk)
        )
        if attempt.status != Attempt.Status.IN_PROGRESS:
            return attempt
        if data is not None and not attempt.expired(now - GRACE):
            save_answers(attempt, data, now=now)
        rows = delivered(attempt)
        answers = [answer for answer, _shown, _targets in rows]
        waiting = False
        for answer, shown, targets in rows:
            question = answer.question
            if attempt.quiz.is_survey:
                continue  # a survey asks for opinions: nothing is marked
            value = marking.fraction(question, all_choices(shown, targets), answer.response)
            if value is not None:
                answer.score = marking.points(answer.max_score, value)
            elif question.type == Question.Type.ESSAY:
                if answer.response:
                    answer.needs_grading = True
                    waiting = True
                else:
                    answer.score = Decimal("0")  # nothing written: nothing to grade
        Answer.objects.bulk_update(answers, ["score", "needs_grading"])
        attempt.submitted_at = min(now, attempt.deadline) if attempt.deadline else now
        if waiting:
            attempt.status = Attempt.Status.SUBMITTED
        else:
            _finalise(attempt, answers, now)
        attempt.save()
        statements = [
            xapi.answered(attempt, answer, all_choices(shown, targets))
            for answer, shown, targets in rows
        ]
        statements.append(xapi.completed(attempt))
        if attempt.status == Attempt.Status.GRADED:
            statements += xapi.outcome(attempt)
        tracking.record(*statements)
        if attempt.quiz.is_survey:
            SurveyInvitation.objects.filter(attempt=attempt).update(answered_at=now)
        _after(attempt)
    return attempt


def _after(attempt: Attempt) -> None:
    """What a submitted or graded attempt sets off: the lesson's gate, the course."""
    if attempt.lesson_id:
        learning.activity_done(attempt.learner, attempt.lesson)
    if attempt.status == Attempt.Status.GRADED and attempt.enrolment_id:
        enrolment = Enrolment.objects.select_related("course").get(pk=attempt.enrolment_id)
        completion.evaluate(enrolment)


def close_expired(now: dt.datetime | None = None) -> int:
    """Submit the attempts whose time ran out, with the answers saved in time."""
    now = now or timezone.now()
    closed = 0
    for attempt in Attempt.objects.filter(
        status=Attempt.Status.IN_PROGRESS, deadline__lt=now - GRACE
    ).only("pk"):
        try:
            submit(attempt, now=now)
        except Exception:  # one broken attempt must not keep the others open
            logger.exception("Attempt %s: could not be closed after its deadline", attempt.pk)
            continue
        closed += 1
    return closed


# -- grading by a person ---------------------------------------------------------------------------


def grading_queue(viewer: User):
    """Answers waiting for a grader among the people the viewer may see."""
    return (
        Answer.objects.filter(needs_grading=True, attempt__status=Attempt.Status.SUBMITTED)
        .filter(people_q(viewer, "attempt__learner__"))
        .exclude(attempt__learner=viewer)
        .select_related(
            "question",
            "attempt__quiz",
            "attempt__learner__org_unit",
            "attempt__enrolment__course",
        )
        .order_by("attempt__submitted_at", "position")
    )


def may_grade(viewer: User, answer: Answer) -> bool:
    """A trainer grades (and may regrade) the written answers of submitted attempts of the
    people in her scope — never her own."""
    if not viewer.has_perm("assessments.change_answer"):
        return False
    learner_id, status = Attempt.objects.values_list("learner_id", "status").get(
        pk=answer.attempt_id
    )  # read now: the caller's copy of the attempt may be older than its submission
    if learner_id == viewer.pk or answer.question.type != Question.Type.ESSAY:
        return False
    if status == Attempt.Status.IN_PROGRESS:
        return False
    return User.objects.filter(people_q(viewer), pk=learner_id).exists()


def rubric_score(answer: Answer, levels: list[int]) -> Decimal:
    rows = answer.question.rubric.rows()
    if len(levels) != len(rows):
        raise AssessmentError(_("Choose a level for every criterion."))
    got = Decimal("0")
    best = Decimal("0")
    for row, level in zip(rows, levels, strict=True):
        if not 0 <= level < len(row["levels"]):
            raise AssessmentError(_("Choose a level for every criterion."))
        got += Decimal(str(row["levels"][level]["points"]))
        best += Decimal(str(max(lv["points"] for lv in row["levels"])))
    if not best:
        return Decimal("0")
    return _round(answer.max_score * got / best)


def grade(
    answer: Answer,
    grader: User,
    *,
    levels: list[int] | None = None,
    score: Decimal | None = None,
    feedback: str = "",
    now: dt.datetime | None = None,
) -> Answer:
    """Mark an essay: with its rubric (a level per criterion) or, without one, points out of
    the question's mark. The attempt is finalised when it was its last answer to grade."""
    now = now or timezone.now()
    if not may_grade(grader, answer):
        raise AssessmentError(_("You may not grade this answer."))
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz", "learner", "enrolment__course")
            .get(pk=answer.attempt_id)
        )
        answer = Answer.objects.select_related("question__rubric").get(pk=answer.pk)
        if answer.question.rubric_id:
            answer.score = rubric_score(answer, levels or [])
            answer.rubric_levels = list(levels or [])
        else:
            if score is None or not score.is_finite() or not 0 <= score <= answer.max_score:
                raise AssessmentError(
                    _("Give a score from 0 to %(max)s.") % {"max": answer.max_score.normalize()}
                )
            answer.score = _round(score)
        answer.grader_feedback = feedback.strip()
        answer.needs_grading = False
        answer.graded_by = grader
        answer.graded_at = now
        answer.save()
        if not attempt.answers.filter(needs_grading=True).exists():
            # The last answer to grade, or a regrade of a graded attempt: mark it again.
            answers = list(attempt.answers.select_related("question"))
            _finalise(attempt, answers, now)
            attempt.save()
            tracking.record(*xapi.outcome(attempt))
            _notify_graded(attempt)
            _after(attempt)
    return answer


def _notify_graded(attempt: Attempt) -> None:
    if attempt.enrolment_id is None:
        return
    from django.urls import reverse

    from lms.learning.notifications import notify_about

    notify_about(
        attempt.enrolment,
        "graded",
        event=f"graded:{attempt.pk}",
        link=reverse("assessments:result", args=[attempt.pk]),
    )


# -- what the learner may see ----------------------------------------------------------------------


def shows_answers(attempt: Attempt) -> bool:
    """Whether the result page shows the right answers and the feedback, per the quiz's
    feedback policy."""
    quiz = attempt.quiz
    policy = quiz.feedback
    if quiz.is_survey or attempt.status == Attempt.Status.IN_PROGRESS:
        return False
    if policy == Quiz.Feedback.IMMEDIATE:
        return True
    if policy == Quiz.Feedback.AFTER_LAST:
        if attempt.passed:
            return True
        return attempts_left(quiz, attempt.learner, attempt.about) == 0
    return False


def shows_score(attempt: Attempt) -> bool:
    return attempt.quiz.feedback != Quiz.Feedback.NONE and not attempt.quiz.is_survey
