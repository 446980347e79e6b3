"""The learner's pages and HR's: what a person sees and can do, inside their scope."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse as _reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from lms.learning import services
from lms.learning.models import AssignmentJob, Enrolment
from lms.people.seeding import load_groups
from tests.factories import (
    PositionFactory,
    UserFactory,
    catalogue_page,
    course_page,
    home_page,
    lesson_page,
    module_page,
    org_tree,
    programme_page,
)

pytestmark = pytest.mark.django_db


def reverse(name, args=None):
    """English URLs: a request for a /uz/ page leaves Uzbek active in this thread."""
    with translation.override("en"):
        return _reverse(name, args=args)


@pytest.fixture
def world():
    load_groups()
    tree = org_tree(regions=2, districts=2)
    home = home_page()
    programme = programme_page(catalogue_page(home))
    courses = []
    for n in range(3):
        course = course_page(programme, code=f"CM-10{n + 1}", title=f"Kurs {n + 1}")
        for m in range(2):
            module = module_page(course, title=f"Modul {m + 1}", slug=f"m{m + 1}")
            for k in range(2):
                lesson_page(module, title=f"Dars {m + 1}.{k + 1}", slug=f"d{m + 1}{k + 1}")
        courses.append(course)
    case_manager = PositionFactory(code="case-manager")
    social_worker = PositionFactory(code="social-worker")
    region_a, region_b = tree["regions"]
    staff = {}
    for centre in tree["centres"]:
        staff[centre.code] = [
            UserFactory(org_unit=centre, position=case_manager),
            UserFactory(org_unit=centre, position=case_manager),
            UserFactory(org_unit=centre, position=social_worker),
        ]
    hr = UserFactory(username="hr-a", employee_number=None, scope=region_a)
    hr.groups.add(Group.objects.get(name="HR officers"))
    return {
        "tree": tree,
        "courses": courses,
        "staff": staff,
        "hr": hr,
        "case_manager": case_manager,
        "region_a": region_a,
        "region_b": region_b,
    }


def _lessons(course):
    from lms.learning.curriculum import lessons_of

    return list(lessons_of(course))


def test_self_enrolment_from_the_course_page(client, world):
    learner = world["staff"]["R0-D0-INSON"][0]
    client.force_login(learner)
    course = world["courses"][0]
    page = client.get(course.url)  # a uz page: look for the form, not the words
    assert f'action="/uz/learning/courses/{course.pk}/enrol/"' in page.text
    response = client.post(reverse("learning:enrol", args=[course.pk]), follow=True)
    assert "You are enrolled" in response.text
    assert Enrolment.objects.get(learner=learner).status == Enrolment.Status.ENROLLED


def test_prerequisites_refuse_self_enrolment_with_the_course_named(client, world):
    first, second = world["courses"][:2]
    second.prerequisites.set([first])
    second.save_revision().publish()
    learner = world["staff"]["R0-D0-INSON"][0]
    client.force_login(learner)
    page = client.get(second.url)
    assert page.context["missing_prerequisites"][0].code == "CM-101"
    assert 'role="note"' in page.text and "CM-101" in page.text
    response = client.post(reverse("learning:enrol", args=[second.pk]), follow=True)
    assert "Complete these courses first: CM-101" in response.text
    assert not Enrolment.objects.filter(learner=learner).exists()


def test_marking_lessons_complete_moves_the_bar_and_completes_the_course(client, world):
    learner = world["staff"]["R0-D0-INSON"][0]
    course = world["courses"][0]
    services.assign(course, [learner], due_date=None, assigned_by=world["hr"])
    client.force_login(learner)
    lessons = _lessons(course)
    for n, lesson in enumerate(lessons, start=1):
        opened = client.get(lesson.url)
        assert f'action="/uz/learning/lessons/{lesson.pk}/complete/"' in opened.text
        response = client.post(reverse("learning:complete_lesson", args=[lesson.pk]), follow=True)
        enrolment = Enrolment.objects.get(learner=learner)
        assert enrolment.lessons_completed == n
        assert f'value="{enrolment.percent}"' in response.text
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at is not None
    assert "Course completed" in response.text
    mine = client.get(reverse("learning:my_learning"))
    completed = {k: items for k, _label, items in mine.context["sections"]}["completed"]
    assert [e.course.code for e in completed] == ["CM-101"]


def test_my_learning_sorts_into_overdue_due_soon_and_assigned(client, world):
    learner = world["staff"]["R0-D0-INSON"][0]
    today = timezone.localdate()
    a, b, c = world["courses"]
    services.assign(a, [learner], due_date=today + dt.timedelta(days=60), assigned_by=world["hr"])
    services.assign(b, [learner], due_date=today + dt.timedelta(days=3), assigned_by=world["hr"])
    services.assign(c, [learner], due_date=today + dt.timedelta(days=30), assigned_by=world["hr"])
    Enrolment.objects.filter(course=c).update(due_date=today - dt.timedelta(days=1))
    client.force_login(learner)
    response = client.get(reverse("learning:my_learning"))
    sections = {k: [e.course.code for e in items] for k, _l, items in response.context["sections"]}
    assert sections["overdue"] == ["CM-103"]
    assert sections["due_soon"] == ["CM-102"]
    assert sections["assigned"] == ["CM-101"]
    assert "New assignment" in response.text  # in-app notifications


def test_resume_points_at_the_next_lesson_after_the_last_opened(client, world):
    learner = world["staff"]["R0-D0-INSON"][0]
    course = world["courses"][0]
    services.self_enrol(learner, course)
    lessons = _lessons(course)
    client.force_login(learner)
    client.post(reverse("learning:complete_lesson", args=[lessons[0].pk]))
    client.get(lessons[1].url)
    response = client.get(reverse("learning:my_learning"))
    assert response.context["resume"].next_lesson.pk == lessons[1].pk
    assert "Continue where you stopped" in response.text


def test_my_learning_query_count_does_not_grow_with_enrolments(
    client, world, django_assert_num_queries
):
    learner = world["staff"]["R0-D0-INSON"][0]
    client.force_login(learner)
    services.assign(world["courses"][0], [learner], due_date=None, assigned_by=world["hr"])
    client.get(reverse("learning:my_learning"))  # warm the site and locale caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("learning:my_learning"))
    baseline = len(few.captured_queries)  # read now: the next request clears the log
    services.assign(world["courses"][1], [learner], due_date=None, assigned_by=world["hr"])
    services.assign(world["courses"][2], [learner], due_date=None, assigned_by=world["hr"])
    client.post(reverse("learning:complete_lesson", args=[_lessons(world["courses"][1])[0].pk]))
    with django_assert_num_queries(baseline):
        client.get(reverse("learning:my_learning"))


def test_hr_assigns_everyone_matching_position_and_district(client, world):
    district = world["tree"]["districts"][0]
    client.force_login(world["hr"])
    response = client.post(
        reverse("learning:assign"),
        {
            "course": world["courses"][0].pk,
            "target": "matching",
            "unit": district.pk,
            "position": world["case_manager"].pk,
            "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
        follow=True,
    )
    assert "Assigned to 2 people" in response.text
    assigned = set(Enrolment.objects.values_list("learner_id", flat=True))
    assert assigned == {u.pk for u in world["staff"]["R0-D0-INSON"][:2]}


def test_hr_cannot_assign_outside_the_scope(client, world):
    outsider = world["staff"]["R1-D0-INSON"][0]
    client.force_login(world["hr"])
    response = client.post(
        reverse("learning:assign"),
        {
            "course": world["courses"][0].pk,
            "target": "people",
            "employee_numbers": outsider.employee_number,
        },
    )
    assert response.status_code == 200
    assert "Not found in your part of the organisation" in response.text
    response = client.post(
        reverse("learning:assign"),
        {"course": world["courses"][0].pk, "target": "matching", "unit": world["region_b"].pk},
    )
    assert "Select a valid choice" in response.text
    assert not Enrolment.objects.exists()


def test_learner_cannot_reach_hr_pages(client, world):
    client.force_login(world["staff"]["R0-D0-INSON"][0])
    assert client.get(reverse("learning:assign")).status_code == 403
    assert client.get(reverse("learning:roster")).status_code == 403


@pytest.fixture
def enrolled(world):
    everyone = [u for people in world["staff"].values() for u in people]
    services.assign(world["courses"][0], everyone, due_date=None, assigned_by=world["hr"])
    return everyone


def test_roster_stays_inside_the_scope_and_filters(client, world, enrolled):
    client.force_login(world["hr"])
    response = client.get(reverse("learning:roster"))
    listed = {e.learner_id for e in response.context["page_obj"]}
    region_a = world["region_a"].path
    assert listed == {u.pk for u in enrolled if u.org_unit.path.startswith(region_a)}
    district = world["tree"]["districts"][1]
    response = client.get(reverse("learning:roster"), {"unit": district.pk})
    assert {e.learner_id for e in response.context["page_obj"]} == {
        u.pk for u in world["staff"]["R0-D1-INSON"]
    }


def test_overdue_list(client, world, enrolled):
    late = world["staff"]["R0-D0-INSON"][0]
    Enrolment.objects.filter(learner=late).update(
        due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    client.force_login(world["hr"])
    response = client.get(reverse("learning:roster"), {"state": "overdue"})
    assert [e.learner_id for e in response.context["page_obj"]] == [late.pk]
    assert response.context["summary"]["overdue"] == 1


def test_roster_query_count_does_not_grow_with_rows(
    client, world, enrolled, django_assert_num_queries
):
    client.force_login(world["hr"])
    url = reverse("learning:roster")
    client.get(url)
    with CaptureQueriesContext(connection) as base:
        client.get(url)
    baseline = len(base.captured_queries)
    services.assign(world["courses"][1], enrolled, due_date=None, assigned_by=world["hr"])
    with django_assert_num_queries(baseline):
        response = client.get(url)
    in_scope = [u for u in enrolled if u.org_unit.path.startswith(world["region_a"].path)]
    assert len(response.context["page_obj"]) == 2 * len(in_scope)


def test_roster_exports_csv_and_xlsx_inside_the_scope(client, world, enrolled):
    client.force_login(world["hr"])
    response = client.get(reverse("learning:roster"), {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Employee number"
    numbers = {r[0] for r in rows[1:]}
    region_a = world["region_a"].path
    assert numbers == {u.employee_number for u in enrolled if u.org_unit.path.startswith(region_a)}
    response = client.get(reverse("learning:roster"), {"export": "xlsx", "state": "pending"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet_rows = list(book.active.iter_rows(values_only=True))
    assert len(sheet_rows) == 1 + len(numbers)
    assert {r[5] for r in sheet_rows[1:]} == {"CM-101"}


def test_csv_cells_cannot_become_formulas(client, world, enrolled):
    person = world["staff"]["R0-D0-INSON"][0]
    person.last_name = "=HYPERLINK(1)"
    person.save()
    client.force_login(world["hr"])
    response = client.get(
        reverse("learning:roster"), {"export": "csv", "q": person.employee_number}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_withdrawal_rules(client, world):
    learner = world["staff"]["R0-D0-INSON"][0]
    chosen = services.self_enrol(learner, world["courses"][0])
    services.assign(world["courses"][1], [learner], due_date=None, assigned_by=world["hr"])
    assigned = Enrolment.objects.get(learner=learner, course=world["courses"][1])
    client.force_login(learner)
    client.post(reverse("learning:withdraw", args=[chosen.pk]))
    response = client.post(reverse("learning:withdraw", args=[assigned.pk]), follow=True)
    assert "only be withdrawn by HR" in response.text
    chosen.refresh_from_db()
    assigned.refresh_from_db()
    assert chosen.status == Enrolment.Status.WITHDRAWN
    assert assigned.status != Enrolment.Status.WITHDRAWN
    client.force_login(world["hr"])
    client.post(reverse("learning:withdraw", args=[assigned.pk]))
    assigned.refresh_from_db()
    assert assigned.status == Enrolment.Status.WITHDRAWN


def test_hr_of_another_region_cannot_withdraw(client, world):
    learner = world["staff"]["R1-D0-INSON"][0]
    services.assign(world["courses"][0], [learner], due_date=None, assigned_by=world["hr"])
    client.force_login(world["hr"])
    enrolment = Enrolment.objects.get(learner=learner)
    assert client.post(reverse("learning:withdraw", args=[enrolment.pk])).status_code == 404


def test_hr_stops_a_rule_in_scope_only(client, world):
    district = world["tree"]["districts"][0]
    services.assign_matching(
        world["courses"][0],
        district,
        world["case_manager"],
        due_date=None,
        assigned_by=world["hr"],
        keep_applying=True,
    )
    elsewhere = services.assign_matching(
        world["courses"][1],
        world["region_b"],
        None,
        due_date=None,
        assigned_by=world["hr"],
        keep_applying=True,
    ).rule
    client.force_login(world["hr"])
    page = client.get(reverse("learning:assign"))
    assert [r.course.code for r in page.context["rules"]] == ["CM-101"]
    rule = page.context["rules"][0]
    assert client.post(reverse("learning:stop_rule", args=[elsewhere.pk])).status_code == 404
    client.post(reverse("learning:stop_rule", args=[rule.pk]))
    rule.refresh_from_db()
    elsewhere.refresh_from_db()
    assert not rule.active and elsewhere.active
    assert Enrolment.objects.filter(rule=rule).count() == 2  # what it made stays


def test_a_large_assignment_runs_as_a_job_with_progress(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BACKGROUND_THRESHOLD", 3)
    monkeypatch.setattr(services, "JOB_CHUNK", 2)
    client.force_login(world["hr"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning:assign"),
            {"course": world["courses"][0].pk, "target": "matching", "unit": world["region_a"].pk},
        )
    job = AssignmentJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:assignment_job", args=[job.pk])
    in_region = [u for c, people in world["staff"].items() if c.startswith("R0-") for u in people]
    # The worker ran on commit (tasks are eager in tests), chunk after chunk.
    job.refresh_from_db()
    assert job.status == AssignmentJob.Status.SUCCEEDED
    assert (job.total, job.processed, job.assigned, job.already) == (
        len(in_region),
        len(in_region),
        len(in_region),
        0,
    )
    assert set(Enrolment.objects.values_list("learner_id", flat=True)) == {u.pk for u in in_region}
    page = client.get(reverse("learning:assignment_job", args=[job.pk]))
    assert 'data-status="succeeded"' in page.text and 'http-equiv="refresh"' not in page.text
    # Another HR officer does not see it; running it again assigns nobody twice.
    other = UserFactory(username="hr-b", employee_number=None, scope=world["region_b"])
    other.groups.add(Group.objects.get(name="HR officers"))
    client.force_login(other)
    assert client.get(reverse("learning:assignment_job", args=[job.pk])).status_code == 404
    AssignmentJob.objects.filter(pk=job.pk).update(status=AssignmentJob.Status.PENDING)
    again = services.run_assignment_job(job.pk)
    assert (again.assigned, again.already) == (0, len(in_region))
    assert Enrolment.objects.count() == len(in_region)
