"""Surveys: the reaction survey when a course is completed, follow-ups months later to the
learner and her supervisor with one reminder, results per unit inside the viewer's scope, and
the learning levels the evaluation toolkit reads."""

import datetime as dt

import pytest
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from assessments import results, services, surveys
from assessments.models import Attempt, Question, Quiz, SurveyInvitation
from evaluation import levels
from lms.learning import services as learning
from lms.learning.models import Notification
from lms.people.roles import Role
from tests import factories as f

from . import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    region = f.OrgUnitFactory()
    return {
        "region": region,
        "a": f.OrgUnitFactory(parent=region),
        "b": f.OrgUnitFactory(parent=region),
    }


@pytest.fixture
def tree():
    return f.course_with_lessons(f.curriculum_programme(), "CM-101", "Kurs", modules=1, lessons=1)


@pytest.fixture
def likert():
    b = builders.bank()
    return [
        builders.question(b, Question.Type.LIKERT, "useful"),
        builders.question(b, Question.Type.LIKERT, "applies"),
    ]


def _survey(course, questions, kind, months=None) -> Quiz:
    return builders.quiz(
        questions,
        course=course,
        purpose=Quiz.Purpose.SURVEY,
        survey_kind=kind,
        months_after=months,
        reminder_days=7,
    )


def _answer(invitation: SurveyInvitation, points: list[int]) -> Attempt:
    attempt = services.start_attempt(
        invitation.respondent, invitation.quiz, about=invitation.about, invitation=invitation
    )
    data = QueryDict(mutable=True)
    for answer, point in zip(attempt.answers.order_by("position"), points, strict=True):
        data[f"q{answer.pk}"] = str(point)
    return services.submit(attempt, data)


def _complete(learner, tree, capture):
    learning.self_enrol(learner, tree.course)
    with capture(execute=True):
        return learning.complete_lesson(learner, tree.lessons[0])


def test_completion_brings_the_reaction_survey_and_schedules_follow_ups(
    units, tree, likert, django_capture_on_commit_callbacks
):
    reaction = _survey(tree.course, likert, Quiz.SurveyKind.REACTION)
    follow_up = _survey(tree.course, likert, Quiz.SurveyKind.FOLLOW_UP, months=3)
    supervisor_survey = _survey(tree.course, likert, Quiz.SurveyKind.FOLLOW_UP_SUPERVISOR, 3)
    boss = f.UserFactory(org_unit=units["a"])
    learner = f.UserFactory(org_unit=units["a"], supervisor=boss)
    enrolment = _complete(learner, tree, django_capture_on_commit_callbacks)
    assert enrolment.status == "completed"

    now = SurveyInvitation.objects.get(quiz=reaction)
    assert now.respondent == learner and now.sent_at is not None
    note = Notification.objects.get(kind=Notification.Kind.SURVEY, recipient=learner)
    assert note.link == f"/assessments/surveys/{now.pk}/"  # opened in the reader's language
    later = SurveyInvitation.objects.get(quiz=follow_up)
    boss_invitation = SurveyInvitation.objects.get(quiz=supervisor_survey)
    assert boss_invitation.respondent == boss and boss_invitation.about == learner
    assert later.sent_at is None
    assert later.send_on == surveys.add_months(timezone.localdate(), 3)

    # Three months later beat sends both follow-ups, and reminds the learner, once, of the
    # reaction survey she never answered.
    assert surveys.send_due(later.send_on) == (2, 1)
    assert surveys.send_due(later.send_on) == (0, 0)
    assert Notification.objects.filter(recipient=boss, kind=Notification.Kind.SURVEY).exists()
    _answer(SurveyInvitation.objects.get(pk=later.pk), [4, 5])
    SurveyInvitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=8))
    assert surveys.send_due(timezone.localdate()) == (0, 1)  # the boss; the learner answered
    assert surveys.send_due(timezone.localdate()) == (0, 0)
    assert not Notification.objects.filter(
        recipient=learner, kind=Notification.Kind.SURVEY_REMINDER, event__endswith=str(later.pk)
    ).exists()


def test_a_survey_is_answered_once(units, tree, likert, django_capture_on_commit_callbacks):
    _survey(tree.course, likert, Quiz.SurveyKind.REACTION)
    learner = f.UserFactory(org_unit=units["a"])
    _complete(learner, tree, django_capture_on_commit_callbacks)
    invitation = SurveyInvitation.objects.get()
    attempt = _answer(invitation, [5, 4])
    assert attempt.status == Attempt.Status.GRADED and attempt.percent is None
    invitation.refresh_from_db()
    assert invitation.answered_at is not None and invitation.attempt == attempt
    with pytest.raises(services.AssessmentError, match="already answered"):
        services.start_attempt(learner, invitation.quiz, invitation=invitation)
    with pytest.raises(services.AssessmentError, match="from their invitation"):
        services.start_attempt(f.UserFactory(), invitation.quiz)  # nobody asked her


def test_results_per_unit_stay_inside_the_viewers_scope(
    units, tree, likert, django_capture_on_commit_callbacks
):
    survey = _survey(tree.course, likert, Quiz.SurveyKind.REACTION)
    for unit, points in (("a", [5, 5]), ("a", [3, 4]), ("b", [1, 2])):
        learner = f.UserFactory(org_unit=units[unit])
        _complete(learner, tree, django_capture_on_commit_callbacks)
        _answer(SurveyInvitation.objects.get(respondent=learner), points)

    hr_a = builders.member(Role.HR_OFFICER, scope=units["a"])
    summary = results.survey_summary(survey, results.survey_scope(hr_a))
    assert summary["respondents"] == 2
    first = summary["questions"][0]
    assert first.counts == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1} and first.mean == 4

    hr_region = builders.member(Role.HR_OFFICER, scope=units["region"])
    scope = results.survey_scope(hr_region)
    assert results.survey_summary(survey, scope)["respondents"] == 3
    assert results.survey_summary(survey, scope, units["b"])["respondents"] == 1
    rows = {r["unit"]: r for r in results.by_unit(survey, scope, [units["a"], units["b"]])}
    assert (rows[units["a"]]["responses"], rows[units["a"]]["mean"]) == (2, 4.25)
    assert (rows[units["b"]]["responses"], rows[units["b"]]["mean"]) == (1, 1.5)


def test_the_evaluation_toolkit_reads_the_learning_levels(units, tree, likert):
    """Pre/post per learner and course, reaction and behaviour, for the study's units only."""
    b = builders.bank()
    tf = [builders.question(b, Question.Type.TRUE_FALSE, f"t{i}", correct=True) for i in range(4)]
    pre = builders.quiz(tf, course=tree.course, purpose=Quiz.Purpose.PRE_TEST)
    post = builders.quiz(tf, course=tree.course, purpose=Quiz.Purpose.POST_TEST)

    def take(learner, quiz, right):
        attempt = services.start_attempt(learner, quiz)
        data = QueryDict(mutable=True)
        for answer in attempt.answers.order_by("position")[:right]:
            data[f"q{answer.pk}"] = "true"
        return services.submit(attempt, data)

    inside = [f.UserFactory(org_unit=units["a"]) for _ in range(2)]
    outside = f.UserFactory(org_unit=units["b"])
    for person in [*inside, outside]:
        learning.self_enrol(person, tree.course)
    take(inside[0], pre, 1)  # 25 → 75
    take(inside[0], post, 3)
    take(inside[0], post, 4)  # a retake does not count
    take(inside[1], pre, 2)  # 50, no post-test yet
    take(outside, pre, 0)
    take(outside, post, 4)

    figures = levels.collect([str(tree.course.translation_key)], units["a"])
    learned = figures["learning"]
    assert (learned["learners"], learned["paired"], learned["completion_rate"]) == (2, 1, 0.5)
    assert (learned["mean_pre"], learned["mean_post"]) == (25.0, 75.0)
    assert learned["hake_gain"] == pytest.approx(2 / 3, abs=1e-3)
    assert figures["reaction"] is None and figures["behaviour"] is None

    rows = results.pre_post([tree.course], Q(learner__org_unit=units["a"]))
    by_learner = {r.learner_id: r for r in rows}
    assert by_learner[inside[0].pk].gain == pytest.approx(2 / 3)
    assert by_learner[inside[1].pk].post is None
