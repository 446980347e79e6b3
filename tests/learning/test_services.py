"""Enrolment, assignment and withdrawal: who may take a course, who must, and who may leave."""

import datetime as dt

import pytest
from django.utils import timezone

from lms.learning import services
from lms.learning.models import Enrolment
from lms.learning.services import LearningError
from lms.people.roles import Role
from lms.people.seeding import load_groups
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def org():
    tree = f.org_tree(regions=2, districts=2)
    tree["social_worker"] = f.PositionFactory(code="social-worker")
    tree["case_manager"] = f.PositionFactory(code="case-manager")
    return tree


@pytest.fixture
def programme():
    return f.curriculum_programme()


@pytest.fixture
def intro(programme):
    """CM-101: open to everyone, two modules of two lessons."""
    return f.course_with_lessons(programme, "CM-101", "Qabul va baholash")


@pytest.fixture
def advanced(programme, intro):
    """CM-201: requires CM-101."""
    return f.course_with_lessons(
        programme,
        "CM-201",
        "Murakkab holatlar",
        modules=1,
        lessons=1,
        prerequisites=[intro.course],
    )


@pytest.fixture
def mandatory(programme):
    """RM-101: assigned by HR only."""
    return f.course_with_lessons(
        programme, "RM-101", "Xavflarni boshqarish", modules=1, lessons=1, self_enrolment=False
    )


@pytest.fixture
def hr(org):
    """An HR officer whose scope is the first region."""
    groups = load_groups()
    officer = f.UserFactory(username="hr-officer", employee_number=None, scope=org["regions"][0])
    officer.groups.add(groups[Role.HR_OFFICER])
    return officer


def person(org, region=0, position="social_worker", **kw):
    centre = [c for c in org["centres"] if c.path.startswith(org["regions"][region].path)][0]
    return f.UserFactory(org_unit=centre, position=org[position], **kw)


def complete_course(learner, tree):
    for lesson in tree.lessons:
        services.complete_lesson(learner, lesson)


# -- self-enrolment ------------------------------------------------------------------------------


def test_self_enrolment_enrols_the_learner(org, intro):
    learner = person(org)
    enrolment = services.self_enrol(learner, intro.course)

    enrolment.refresh_from_db()
    assert enrolment.learner == learner
    assert enrolment.course.pk == intro.course.pk
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.source == Enrolment.Source.SELF
    assert enrolment.due_date is None
    assert enrolment.lessons_total == 4
    assert enrolment.percent == 0
    assert services.enrolment_for(learner, intro.course) == enrolment


def test_self_enrolment_is_refused_for_a_course_only_hr_assigns(org, mandatory):
    learner = person(org)
    with pytest.raises(LearningError, match="assigned by HR"):
        services.self_enrol(learner, mandatory.course)
    assert not Enrolment.objects.exists()


def test_enrolling_twice_is_refused_and_keeps_one_enrolment(org, intro):
    learner = person(org)
    services.self_enrol(learner, intro.course)
    with pytest.raises(LearningError, match="already enrolled"):
        services.self_enrol(learner, intro.course)
    assert Enrolment.objects.filter(learner=learner).count() == 1


def test_missing_prerequisite_is_refused_with_a_message_naming_the_course(org, intro, advanced):
    learner = person(org)
    with pytest.raises(LearningError) as refused:
        services.self_enrol(learner, advanced.course)
    assert "CM-101" in str(refused.value)
    assert "Qabul va baholash" in str(refused.value)
    assert not Enrolment.objects.filter(learner=learner).exists()

    # Enrolled but not completed is not enough.
    services.self_enrol(learner, intro.course)
    with pytest.raises(LearningError, match="CM-101"):
        services.self_enrol(learner, advanced.course)

    complete_course(learner, intro)
    assert services.missing_prerequisites(learner, advanced.course) == []
    enrolment = services.self_enrol(learner, advanced.course)
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_an_unpublished_prerequisite_does_not_block_enrolment(org, intro, advanced):
    """A learner cannot take a course that is no longer published, so it cannot be required."""
    intro.course.unpublish()
    learner = person(org)
    assert services.missing_prerequisites(learner, advanced.course) == []
    assert services.self_enrol(learner, advanced.course).status == Enrolment.Status.ENROLLED


def test_re_enrolment_after_withdrawal_reopens_the_enrolment_and_keeps_progress(org, intro):
    learner = person(org)
    first = services.self_enrol(learner, intro.course)
    services.open_lesson(learner, intro.lessons[0])
    services.complete_lesson(learner, intro.lessons[0])
    services.withdraw(first, by=learner)
    first.refresh_from_db()
    assert first.status == Enrolment.Status.WITHDRAWN
    assert first.withdrawn_at is not None
    assert services.enrolment_for(learner, intro.course) is None

    again = services.self_enrol(learner, intro.course)

    again.refresh_from_db()
    assert again.pk == first.pk
    assert again.status == Enrolment.Status.ENROLLED
    assert again.withdrawn_at is None
    assert again.source == Enrolment.Source.SELF
    assert again.lessons_completed == 1
    assert services.completed_lesson_ids(again) == {intro.lessons[0].pk}


# -- assignment ----------------------------------------------------------------------------------


def test_assigning_one_person_with_a_due_date(org, hr, mandatory):
    learner = person(org)
    due = TODAY + dt.timedelta(days=30)

    result = services.assign(mandatory.course, [learner], due_date=due, assigned_by=hr)

    assert (result.assigned, result.already) == (1, 0)
    enrolment = Enrolment.objects.get(learner=learner)
    assert enrolment.course.pk == mandatory.course.pk
    assert enrolment.source == Enrolment.Source.ASSIGNED
    assert enrolment.assigned_by == hr
    assert enrolment.due_date == due
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_assigning_a_selection_counts_those_already_enrolled(org, hr, intro):
    people = [person(org) for _ in range(3)]
    due = TODAY + dt.timedelta(days=14)
    result = services.assign(intro.course, people[:2], due_date=due, assigned_by=hr)
    assert (result.assigned, result.already) == (2, 0)

    result = services.assign(intro.course, people, due_date=due, assigned_by=hr)

    assert (result.assigned, result.already) == (1, 2)
    assert Enrolment.objects.filter(course=intro.course).count() == 3
    assert set(Enrolment.objects.values_list("due_date", flat=True)) == {due}


def test_assigning_a_position_in_an_org_unit_subtree(org, hr, intro):
    region_a = org["regions"][0]
    in_reach = [person(org, 0, "case_manager"), person(org, 0, "case_manager")]
    other_position = person(org, 0, "social_worker")
    other_region = person(org, 1, "case_manager")
    inactive = person(org, 0, "case_manager", is_active=False)
    due = TODAY + dt.timedelta(days=60)

    result = services.assign_matching(
        intro.course, region_a, org["case_manager"], due_date=due, assigned_by=hr
    )

    assert result.assigned == 2
    enrolled = Enrolment.objects.filter(course=intro.course)
    assert {e.learner_id for e in enrolled} == {p.pk for p in in_reach}
    assert all(e.due_date == due and e.source == Enrolment.Source.ASSIGNED for e in enrolled)
    for outsider in (other_position, other_region, inactive):
        assert not Enrolment.objects.filter(learner=outsider).exists()


def test_assigning_every_position_in_a_subtree(org, hr, intro):
    district = org["districts"][0]
    inside = [person(org, 0, "case_manager"), person(org, 0, "social_worker")]
    services.assign_matching(intro.course, district, None, due_date=None, assigned_by=hr)
    assert set(Enrolment.objects.values_list("learner_id", flat=True)) == {p.pk for p in inside}


def test_assigning_a_self_enrolled_learner_sets_the_due_date(org, hr, intro):
    learner = person(org)
    mine = services.self_enrol(learner, intro.course)
    services.open_lesson(learner, intro.lessons[0])
    due = TODAY + dt.timedelta(days=10)

    result = services.assign(intro.course, [learner], due_date=due, assigned_by=hr)

    assert (result.assigned, result.already) == (0, 1)
    mine.refresh_from_db()
    assert mine.due_date == due
    assert mine.source == Enrolment.Source.ASSIGNED
    assert mine.assigned_by == hr
    assert mine.status == Enrolment.Status.IN_PROGRESS  # progress is kept
    with pytest.raises(LearningError, match="only be withdrawn by HR"):
        services.withdraw(mine, by=learner)


def test_assigning_a_self_enrolled_learner_without_a_date_still_makes_it_mandatory(org, hr, intro):
    learner = person(org)
    mine = services.self_enrol(learner, intro.course)
    services.assign(intro.course, [learner], due_date=None, assigned_by=hr)
    mine.refresh_from_db()
    assert mine.source == Enrolment.Source.ASSIGNED
    with pytest.raises(LearningError):
        services.withdraw(mine, by=learner)


def test_a_new_assignment_moves_the_due_date(org, hr, intro):
    learner = person(org)
    first, later = TODAY + dt.timedelta(days=10), TODAY + dt.timedelta(days=40)
    services.assign(intro.course, [learner], due_date=first, assigned_by=hr)
    services.assign(intro.course, [learner], due_date=later, assigned_by=hr)
    assert Enrolment.objects.get(learner=learner).due_date == later


def test_assigning_a_completed_course_changes_nothing(org, hr, intro):
    learner = person(org)
    services.self_enrol(learner, intro.course)
    complete_course(learner, intro)
    result = services.assign(
        intro.course, [learner], due_date=TODAY + dt.timedelta(days=5), assigned_by=hr
    )
    assert result.already == 1
    enrolment = Enrolment.objects.get(learner=learner)
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.source == Enrolment.Source.SELF
    assert enrolment.due_date is None


# -- withdrawal ----------------------------------------------------------------------------------


def test_learner_withdraws_from_a_course_she_chose(org, intro):
    learner = person(org)
    enrolment = services.self_enrol(learner, intro.course)
    services.withdraw(enrolment, by=learner)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.state() == "withdrawn"
    services.withdraw(enrolment, by=learner)  # a second time is harmless
    assert services.open_lesson(learner, intro.lessons[0]) is None


def test_learner_cannot_withdraw_from_assigned_training_but_hr_can(org, hr, mandatory):
    learner = person(org)
    services.assign(mandatory.course, [learner], due_date=None, assigned_by=hr)
    enrolment = Enrolment.objects.get(learner=learner)

    with pytest.raises(LearningError, match="only be withdrawn by HR"):
        services.withdraw(enrolment, by=learner)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED

    services.withdraw(enrolment, by=hr)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_hr_can_withdraw_a_self_enrolment_in_scope(org, hr, intro):
    learner = person(org)
    enrolment = services.self_enrol(learner, intro.course)
    services.withdraw(enrolment, by=hr)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_nobody_else_may_withdraw_a_learner(org, hr, intro):
    """Not another learner, and not an HR officer for someone outside her scope."""
    learner = person(org, region=1)
    colleague = person(org, region=1)
    enrolment = services.self_enrol(learner, intro.course)
    for someone in (colleague, hr):
        with pytest.raises(LearningError):
            services.withdraw(enrolment, by=someone)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED
    admin = f.UserFactory(username="admin", is_superuser=True)
    services.withdraw(enrolment, by=admin)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_a_completed_course_cannot_be_withdrawn_from(org, hr, intro):
    learner = person(org)
    enrolment = services.self_enrol(learner, intro.course)
    complete_course(learner, intro)
    for someone in (learner, hr):
        with pytest.raises(LearningError, match="completed"):
            services.withdraw(enrolment, by=someone)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED


def test_a_stale_copy_does_not_withdraw_a_course_completed_meanwhile(org, intro):
    learner = person(org)
    stale = services.self_enrol(learner, intro.course)
    complete_course(learner, intro)
    with pytest.raises(LearningError, match="completed"):
        services.withdraw(stale, by=learner)
    assert Enrolment.objects.get(pk=stale.pk).status == Enrolment.Status.COMPLETED


# -- states --------------------------------------------------------------------------------------


def test_states_as_the_learner_sees_them(org, hr, intro):
    learner = person(org)
    due = TODAY + dt.timedelta(days=3)
    services.assign(intro.course, [learner], due_date=due, assigned_by=hr)
    enrolment = Enrolment.objects.get(learner=learner)

    assert enrolment.state(TODAY) == "enrolled"
    assert enrolment.state(due) == "enrolled"  # due today is not late yet
    late = due + dt.timedelta(days=1)
    assert enrolment.state(late) == "overdue"
    assert enrolment.get_state_display(late) == "Overdue"
    assert list(Enrolment.objects.overdue(late)) == [enrolment]
    assert not Enrolment.objects.overdue(due).exists()

    services.open_lesson(learner, intro.lessons[0])
    enrolment.refresh_from_db()
    assert enrolment.state(TODAY) == "in_progress"
    assert enrolment.state(late) == "overdue"

    complete_course(learner, intro)
    enrolment.refresh_from_db()
    assert enrolment.state(late) == "completed"  # done late is done, not overdue
    assert enrolment.percent == 100
    assert not Enrolment.objects.overdue(late).exists()


def test_withdrawn_enrolment_is_never_overdue(org, hr, intro):
    learner = person(org)
    services.assign(intro.course, [learner], due_date=TODAY, assigned_by=hr)
    enrolment = Enrolment.objects.get(learner=learner)
    services.withdraw(enrolment, by=hr)
    enrolment.refresh_from_db()
    assert enrolment.state(TODAY + dt.timedelta(days=30)) == "withdrawn"
    assert not Enrolment.objects.current().exists()


def test_state_defaults_to_the_local_date(org, hr, intro):
    learner = person(org)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.assign(intro.course, [learner], due_date=yesterday, assigned_by=hr)
    assert Enrolment.objects.get(learner=learner).state() == "overdue"
