"""Assignment rules keep applying: a roster import that brings someone into a rule's reach
enrols her, in the import's own transaction."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lms.learning import services
from lms.learning.models import AssignmentRule, Enrolment, Notification
from lms.people import services as people
from lms.people.models import RosterImport, User
from lms.people.roster import COLUMNS
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    tree = f.org_tree(regions=2, districts=2)
    region_a, region_b = tree["regions"]
    tree["a"] = [c for c in tree["centres"] if c.path.startswith(region_a.path)]
    tree["b"] = [c for c in tree["centres"] if c.path.startswith(region_b.path)]
    for code in ("social-worker", "case-manager"):
        tree[code] = f.PositionFactory(code=code)
    return tree


@pytest.fixture
def course():
    return f.course_with_lessons(f.curriculum_programme(), "CM-101", "Qabul", modules=1, lessons=2)


@pytest.fixture
def hr():
    return f.UserFactory(username="hr", employee_number=None, is_superuser=True)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


class Roster:
    """The agency's roster as HR keeps it: rows by employee number, imported as a CSV through
    the real import (stored, queued, applied atomically by the task)."""

    def __init__(self, org, commit):
        self.org, self.commit, self.rows = org, commit, {}

    def put(self, number, position, centre, **extra):
        self.rows[number] = {
            "employee_number": number,
            "last_name": extra.get("last_name", f"Karimova {number}"),
            "first_name": "Dilnoza",
            "middle_name": "",
            "email": f"{number.lower()}@staff.example",
            "position_code": position,
            "org_unit_code": centre.code,
            "supervisor_number": "",
            "language": "ru",
        }

    def import_(self) -> RosterImport:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(self.rows.values())
        upload = SimpleUploadedFile("roster.csv", out.getvalue().encode(), content_type="text/csv")
        job = self.commit(people.start_roster_import, upload, self.org["agency"], None)
        job.refresh_from_db()
        assert job.status == RosterImport.Status.SUCCEEDED, job.errors
        return job


@pytest.fixture
def roster(org, commit):
    return Roster(org, commit)


def enrolled(course) -> set[str]:
    return set(
        Enrolment.objects.current()
        .filter(course=course.course)
        .values_list("learner__employee_number", flat=True)
    )


def case_managers_of_region_a(commit, org, course, hr, **kw):
    kw.setdefault("due_date", None)
    return commit(
        services.assign_matching,
        course.course,
        org["regions"][0],
        org["case-manager"],
        assigned_by=hr,
        keep_applying=True,
        **kw,
    )


def test_a_rule_enrols_newcomers_of_its_position_in_its_subtree(commit, org, course, hr, roster):
    roster.put("A1", "case-manager", org["a"][0])
    roster.put("A2", "social-worker", org["a"][0])
    roster.import_()
    result = case_managers_of_region_a(commit, org, course, hr, due_days=30)
    assert result.assigned == 1
    assert isinstance(result.rule, AssignmentRule)
    assert enrolled(course) == {"A1"}

    roster.put("A3", "case-manager", org["a"][1])  # new, in reach
    roster.put("A4", "social-worker", org["a"][1])  # new, another position
    roster.put("B1", "case-manager", org["b"][0])  # new, outside the subtree
    job = roster.import_()

    assert job.created_count == 3
    assert enrolled(course) == {"A1", "A3"}
    newcomer = Enrolment.objects.get(learner__employee_number="A3")
    assert newcomer.source == Enrolment.Source.RULE
    assert newcomer.rule == result.rule
    assert newcomer.assigned_by == hr
    assert newcomer.due_date == timezone.localdate() + dt.timedelta(days=30)
    assert Notification.objects.filter(
        recipient=newcomer.learner, kind=Notification.Kind.ASSIGNED
    ).exists()


def test_people_moved_into_reach_are_enrolled(commit, org, course, hr, roster):
    roster.put("B1", "case-manager", org["b"][0])
    roster.put("A1", "social-worker", org["a"][0])
    roster.import_()
    case_managers_of_region_a(commit, org, course, hr, due_date=dt.date(2026, 12, 31))
    assert enrolled(course) == set()

    roster.put("B1", "case-manager", org["a"][1])  # moved into region A
    roster.put("A1", "case-manager", org["a"][0])  # became a case manager
    job = roster.import_()

    assert job.updated_count == 2
    assert enrolled(course) == {"A1", "B1"}


def test_a_fixed_date_is_given_to_newcomers_until_it_has_passed(commit, org, course, hr, roster):
    today = timezone.localdate()
    rule_date = today + dt.timedelta(days=20)
    case_managers_of_region_a(commit, org, course, hr, due_date=rule_date)
    roster.put("A1", "case-manager", org["a"][0])
    roster.import_()
    assert Enrolment.objects.get(learner__employee_number="A1").due_date == rule_date

    AssignmentRule.objects.update(due_date=today - dt.timedelta(days=1))
    roster.put("A2", "case-manager", org["a"][0])
    roster.import_()
    assert Enrolment.objects.get(learner__employee_number="A2").due_date is None


def test_a_roster_change_does_not_move_the_date_or_undo_hr(commit, org, course, hr, roster):
    """Every import re-applies the rules to each person whose row changed; for someone already
    assigned that must change nothing, and someone HR withdrew stays withdrawn."""
    roster.put("A1", "case-manager", org["a"][0])
    roster.put("A2", "case-manager", org["a"][0])
    roster.import_()
    case_managers_of_region_a(commit, org, course, hr, due_days=30)
    assigned = Enrolment.objects.get(learner__employee_number="A1")
    earlier = timezone.localdate() + dt.timedelta(days=5)
    Enrolment.objects.filter(pk=assigned.pk).update(due_date=earlier)
    exempt = Enrolment.objects.get(learner__employee_number="A2")
    commit(services.withdraw, exempt, by=hr)

    roster.put("A1", "case-manager", org["a"][0], last_name="Yusupova")  # a trivial change
    roster.put("A2", "case-manager", org["a"][1], last_name="Yusupova")  # moved within reach
    job = roster.import_()

    assert job.updated_count == 2
    assert Enrolment.objects.get(pk=assigned.pk).due_date == earlier
    assert Enrolment.objects.get(pk=exempt.pk).status == Enrolment.Status.WITHDRAWN
    assert enrolled(course) == {"A1"}


def test_a_self_enrolled_newcomer_to_a_rule_gets_its_date(commit, org, course, hr, roster):
    roster.put("B1", "case-manager", org["b"][0])
    roster.import_()
    learner = User.objects.get(employee_number="B1")
    commit(services.self_enrol, learner, course.course)
    case_managers_of_region_a(commit, org, course, hr, due_days=10)

    roster.put("B1", "case-manager", org["a"][0])
    roster.import_()

    enrolment = Enrolment.objects.get(learner=learner)
    assert enrolment.source == Enrolment.Source.RULE
    assert enrolment.due_date == timezone.localdate() + dt.timedelta(days=10)


def test_a_rule_that_no_longer_applies_enrols_nobody(commit, org, course, hr, roster):
    result = case_managers_of_region_a(commit, org, course, hr)
    AssignmentRule.objects.filter(pk=result.rule.pk).update(active=False)
    roster.put("A1", "case-manager", org["a"][0])
    roster.import_()
    assert enrolled(course) == set()


def test_a_one_off_assignment_makes_no_rule(commit, org, course, hr, roster):
    roster.put("A1", "case-manager", org["a"][0])
    roster.import_()
    result = commit(
        services.assign_matching,
        course.course,
        org["regions"][0],
        org["case-manager"],
        due_date=None,
        assigned_by=hr,
    )
    assert result.rule is None and result.assigned == 1
    roster.put("A2", "case-manager", org["a"][0])
    roster.import_()
    assert enrolled(course) == {"A1"}


def test_a_rejected_import_enrols_nobody(commit, org, course, hr, roster):
    case_managers_of_region_a(commit, org, course, hr)
    roster.put("A1", "case-manager", org["a"][0])
    roster.put("A2", "astronaut", org["a"][0])
    with pytest.raises(AssertionError):
        roster.import_()
    assert not Enrolment.objects.exists()
