"""Attempts from start to grade: drawing, saving as one goes, the server's time limit,
submitting once, marking, grading with a rubric, and what a finished attempt sets off."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Attempt, Question, Quiz, QuizSlot
from lms.learning import services as learning
from lms.learning.models import Enrolment, LessonProgress, Notification
from lms.people.roles import Role
from lms.tracking.models import OutboxStatement
from tests import factories as f

from . import builders

pytestmark = pytest.mark.django_db

VERB = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def tree():
    return f.course_with_lessons(f.curriculum_programme(), "CM-101", "Kurs", modules=1, lessons=2)


@pytest.fixture
def unit():
    return f.OrgUnitFactory()


@pytest.fixture
def learner(unit):
    return f.UserFactory(org_unit=unit)


@pytest.fixture
def enrolment(learner, tree):
    return learning.self_enrol(learner, tree.course)


@pytest.fixture
def questions():
    return builders.every_type(builders.bank())


def _form(attempt: Attempt, answers: dict) -> QueryDict:
    """Post data for {question name: response} in the attempt's field names."""
    data = QueryDict(mutable=True)
    for answer, _shown, _targets in services.delivered(attempt):
        name = f"q{answer.pk}"
        data[f"{name}-present"] = "1"
        if answer.question.name not in answers:
            continue
        value = answers[answer.question.name]
        if isinstance(value, dict):
            for key, item in value.items():
                data[f"{name}-{key}"] = str(item)
        elif isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = str(value)
    return data


def _right_answers(questions) -> dict:
    def ids(name):
        return [c.pk for c in questions[name].choices.order_by("sort_order")]

    single, multiple = ids("single"), ids("multiple")
    matching, ordering = ids("matching"), ids("ordering")
    return {
        "single": single[0],
        "multiple": multiple[:2],
        "true_false": "true",
        "short": "Oila",
        "numeric": "25,4",
        "matching": {matching[i]: matching[i] for i in range(3)},
        "ordering": {ordering[i]: i + 1 for i in range(3)},
        "likert": 4,
        "essay": "Oilaning ehtiyojlari: uy-joy, ish, bolalar bogʻchasi.",
    }


def _verbs() -> Counter:
    """The verbs recorded so far (the outbox keeps no order within a transaction)."""
    return Counter(
        s.statement["verb"]["id"].removeprefix(VERB) for s in OutboxStatement.objects.all()
    )


def test_start_draws_by_tag_shuffles_and_never_shows_ordering_in_order(learner, questions):
    bank = questions["single"].bank
    tagged = [
        builders.question(bank, Question.Type.TRUE_FALSE, f"tf{i}", correct=True) for i in range(5)
    ]
    for q in tagged:
        q.tags.add("risk")
        q.save()
    quiz = builders.quiz([questions["ordering"]], shuffle_questions=True)
    QuizSlot.objects.create(quiz=quiz, bank=bank, tag="risk", count=3, sort_order=1)
    attempt = services.start_attempt(learner, quiz)
    drawn = [entry["question"] for entry in attempt.layout]
    assert len(drawn) == 4 and len(set(drawn)) == 4
    assert set(drawn) - {questions["ordering"].pk} <= {q.pk for q in tagged}
    entry = next(e for e in attempt.layout if e["question"] == questions["ordering"].pk)
    correct = [c.pk for c in questions["ordering"].choices.order_by("sort_order")]
    assert entry["choices"] != correct and sorted(entry["choices"]) == sorted(correct)
    assert attempt.answers.count() == 4
    assert services.start_attempt(learner, quiz) == attempt  # a reload resumes it


def test_full_marks_pass_and_statements(learner, questions, enrolment):
    quiz = builders.quiz(
        [q for name, q in questions.items() if name != "essay"],
        course=enrolment.course,
        purpose=Quiz.Purpose.POST_TEST,
        pass_mark=80,
    )
    attempt = services.start_attempt(learner, quiz)
    assert attempt.enrolment == enrolment
    attempt = services.submit(attempt, _form(attempt, _right_answers(questions)))
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.score == attempt.max_score == Decimal("7.00")  # Likert is not marked
    assert attempt.percent == 100 and attempt.passed is True
    verbs = _verbs()
    assert (verbs["attempted"], verbs["answered"], verbs["scored"], verbs["passed"]) == (1, 8, 1, 1)
    answered = [
        s.statement
        for s in OutboxStatement.objects.all()
        if s.statement["verb"]["id"].endswith("answered")
    ]
    assert all(s["context"]["registration"] == str(enrolment.registration) for s in answered)
    numeric = next(s for s in answered if s["object"]["definition"]["interactionType"] == "numeric")
    assert numeric["result"]["response"] == "25,4" and numeric["result"]["success"] is True


def test_partial_answers_fail_and_attempts_run_out(learner, questions):
    quiz = builders.quiz(
        [questions["single"], questions["true_false"]], pass_mark=60, attempts_allowed=1
    )
    attempt = services.start_attempt(learner, quiz)
    attempt = services.submit(attempt, _form(attempt, {"true_false": "true"}))
    assert attempt.percent == 50 and attempt.passed is False
    assert _verbs()["failed"] == 1
    with pytest.raises(services.AssessmentError, match="used all 1 attempts"):
        services.start_attempt(learner, quiz)


def test_answers_are_kept_as_the_learner_goes_and_a_tampered_value_is_refused(learner, questions):
    quiz = builders.quiz([questions["single"], questions["short"]])
    attempt = services.start_attempt(learner, quiz)
    single = attempt.answers.get(question=questions["single"])
    data = QueryDict(mutable=True)
    data[f"q{single.pk}"] = "999999"
    errors = services.save_answers(attempt, data)
    assert list(errors) == [single.pk]
    short = attempt.answers.get(question=questions["short"])
    data = QueryDict(mutable=True)
    data[f"q{short.pk}"] = "oila"  # only this field: the other answer is untouched
    services.save_answers(attempt, data)
    short.refresh_from_db()
    assert short.response == "oila" and short.saved_at is not None
    # A submission without a body (the connection dropped) marks what was saved.
    attempt = services.submit(attempt)
    assert attempt.score == Decimal("1.00")


def test_submitting_twice_changes_nothing(learner, questions):
    quiz = builders.quiz([questions["true_false"]])
    attempt = services.start_attempt(learner, quiz)
    first = services.submit(attempt, _form(attempt, {"true_false": "true"}))
    again = services.submit(attempt, _form(attempt, {"true_false": "false"}))
    assert again.score == first.score == Decimal("1.00")
    assert _verbs()["completed"] == 1
    with pytest.raises(services.AssessmentError):
        services.save_answers(again, _form(again, {"true_false": "false"}))


def test_the_time_limit_is_the_servers(learner, questions):
    quiz = builders.quiz([questions["true_false"], questions["short"]], time_limit_minutes=10)
    start = timezone.now() - dt.timedelta(minutes=5)
    attempt = services.start_attempt(learner, quiz, now=start)
    assert attempt.deadline == start + dt.timedelta(minutes=10)
    services.save_answers(attempt, _form(attempt, {"true_false": "true"}))
    late = start + dt.timedelta(minutes=11)
    with pytest.raises(services.AssessmentError, match="Time is up"):
        services.save_answers(attempt, _form(attempt, {"short": "oila"}), now=late)
    # Submitting late keeps what was saved in time and ignores what came with it.
    attempt = services.submit(attempt, _form(attempt, {"short": "oila"}), now=late)
    assert attempt.score == Decimal("1.00")
    assert attempt.submitted_at == attempt.deadline


def test_attempts_left_open_past_their_deadline_are_closed(learner, questions):
    quiz = builders.quiz([questions["true_false"]], time_limit_minutes=1)
    attempt = services.start_attempt(learner, quiz, now=timezone.now() - dt.timedelta(minutes=3))
    other = services.start_attempt(f.UserFactory(), quiz)
    assert services.close_expired() == 1
    attempt.refresh_from_db()
    other.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.score == 0
    assert other.status == Attempt.Status.IN_PROGRESS


def test_an_essay_waits_for_the_trainer_who_grades_it_with_the_rubric(
    learner, questions, enrolment
):
    quiz = builders.quiz(
        [questions["true_false"], questions["essay"]], course=enrolment.course, pass_mark=50
    )
    attempt = services.start_attempt(learner, quiz)
    attempt = services.submit(attempt, _form(attempt, _right_answers(questions)))
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.passed is None
    assert _verbs()["scored"] == 0
    essay = attempt.answers.get(question=questions["essay"])
    assert essay.needs_grading

    trainer = builders.member(Role.TRAINER, scope=learner.org_unit)
    outsider = builders.member(Role.TRAINER, scope=f.OrgUnitFactory())
    assert list(services.grading_queue(trainer)) == [essay]
    assert list(services.grading_queue(outsider)) == []
    with pytest.raises(services.AssessmentError):
        services.grade(essay, outsider, levels=[2, 2])
    with pytest.raises(services.AssessmentError, match="every criterion"):
        services.grade(essay, trainer, levels=[2])

    services.grade(essay, trainer, levels=[2, 1], feedback="Maqsadlarni aniqroq yozing.")
    essay.refresh_from_db()
    attempt.refresh_from_db()
    assert essay.score == Decimal("3.00")  # (2 + 1) / 4 of 4 points
    assert essay.grader_feedback == "Maqsadlarni aniqroq yozing."
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.score == Decimal("4.00") and attempt.percent == 80 and attempt.passed
    assert (_verbs()["scored"], _verbs()["passed"]) == (1, 1)
    note = Notification.objects.get(recipient=learner, kind=Notification.Kind.GRADED)
    assert note.link.endswith(f"/attempt/{attempt.pk}/result/")


def test_feedback_policy(learner, questions):
    quiz = builders.quiz(
        [questions["true_false"]],
        pass_mark=100,
        attempts_allowed=2,
        feedback=Quiz.Feedback.AFTER_LAST,
    )
    first = services.submit(services.start_attempt(learner, quiz), QueryDict())  # no answer: fails
    assert not services.shows_answers(first)
    second = services.submit(services.start_attempt(learner, quiz), QueryDict())
    assert services.shows_answers(second)  # out of attempts
    quiz.feedback = Quiz.Feedback.NONE
    quiz.save()
    second.refresh_from_db()
    assert not services.shows_answers(second) and not services.shows_score(second)


def test_a_required_quiz_completes_its_lesson_when_passed(learner, tree, enrolment, questions):
    lesson = tree.lessons[0]
    quiz = builders.quiz([questions["true_false"]], pass_mark=100)
    builders.lesson_with_quiz(lesson, quiz)
    with pytest.raises(learning.LearningError, match="Finish the activities"):
        learning.complete_lesson(learner, lesson)
    attempt = services.start_attempt(learner, quiz, lesson=lesson)
    services.submit(attempt, _form(attempt, {"true_false": "false"}))
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    attempt = services.start_attempt(learner, quiz, lesson=lesson)
    services.submit(attempt, _form(attempt, {"true_false": "true"}))
    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
    assert progress.completed_at is not None


def test_the_final_exam_completes_the_course(learner, tree, questions):
    course = tree.course
    course.completion_all_lessons = False
    course.completion_pass_mark = 70
    course.save()
    enrolment = learning.self_enrol(learner, course)
    quiz = builders.quiz(
        [questions["true_false"], questions["single"]],
        course=course,
        purpose=Quiz.Purpose.FINAL_EXAM,
    )
    attempt = services.start_attempt(learner, quiz)
    services.submit(attempt, _form(attempt, {"true_false": "true"}))  # 50%
    enrolment.refresh_from_db()
    assert enrolment.status != Enrolment.Status.COMPLETED
    attempt = services.start_attempt(learner, quiz)
    services.submit(attempt, _form(attempt, _right_answers(questions)))
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED


def test_a_test_of_a_course_needs_the_enrolment(learner, tree, questions):
    quiz = builders.quiz([questions["true_false"]], course=tree.course)
    with pytest.raises(services.AssessmentError, match="Enrol"):
        services.start_attempt(learner, quiz)
    assert not Answer.objects.exists()


def test_a_matching_answer_must_name_the_offered_options(learner, questions):
    """A tampered form cannot answer each item with itself."""
    quiz = builders.quiz([questions["matching"]])
    attempt = services.start_attempt(learner, quiz)
    answer = attempt.answers.get()
    data = QueryDict(mutable=True)
    data[f"q{answer.pk}-present"] = "1"
    for left in attempt.layout[0]["choices"]:
        data[f"q{answer.pk}-{left}"] = str(left + 100000)
    assert list(services.save_answers(attempt, data)) == [answer.pk]


def test_question_html_is_cleaned_whoever_saves_it(questions):
    q = questions["single"]
    q.text = {"uz": '<p onclick="x()">Savol<script>alert(1)</script><img src=x onerror=y></p>'}
    q.save()
    choice = q.choices.first()
    choice.text = {"uz": "<b>Ha</b><iframe src=//evil></iframe>"}
    choice.save()
    q.refresh_from_db()
    choice.refresh_from_db()
    assert q.text == {"uz": "<p>Savol</p>"} and choice.text == {"uz": "<b>Ha</b>"}


def test_trainers_do_not_grade_their_own_work_and_a_regrade_counts(unit, questions):
    quiz = builders.quiz([questions["true_false"], questions["essay"]], pass_mark=50)
    trainer = builders.member(Role.TRAINER, scope=unit, org_unit=unit)
    own = services.start_attempt(trainer, quiz)
    Answer.objects.filter(attempt=own, question=questions["essay"]).update(response="Reja")
    services.submit(own)
    essay = own.answers.get(question=questions["essay"])
    assert list(services.grading_queue(trainer)) == []
    with pytest.raises(services.AssessmentError):
        services.grade(essay, trainer, levels=[2, 2])

    learner = f.UserFactory(org_unit=unit)
    attempt = services.start_attempt(learner, quiz)
    Answer.objects.filter(attempt=attempt, question=questions["essay"]).update(response="Reja")
    services.submit(attempt)
    essay = attempt.answers.get(question=questions["essay"])
    auto = attempt.answers.get(question=questions["true_false"])
    with pytest.raises(services.AssessmentError):
        services.grade(auto, trainer, score=Decimal("1"))  # marked by the platform
    services.grade(essay, trainer, levels=[2, 2])
    attempt.refresh_from_db()
    assert attempt.percent == 80 and attempt.passed  # 0 + 4 of 5
    services.grade(essay, trainer, levels=[0, 0])  # a second look
    attempt.refresh_from_db()
    assert attempt.percent == 0 and attempt.passed is False


def test_a_changed_mark_does_not_break_attempts_already_started(learner, questions):
    quiz = builders.quiz([questions["true_false"]], time_limit_minutes=1)
    attempt = services.start_attempt(learner, quiz, now=timezone.now() - dt.timedelta(minutes=3))
    Answer.objects.filter(attempt=attempt).update(response=True)
    Question.objects.filter(pk=questions["true_false"].pk).update(mark=5)
    assert services.close_expired() == 1
    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score) == (Decimal("1.00"), Decimal("1.00"))
