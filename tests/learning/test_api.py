"""The read API (/api/v1/): enrolments and progress, inside the caller's scope and never beyond
it; filters that refuse bad values; a schema of Malaka's endpoints only; flat query counts."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats

from lms.learning import services
from lms.learning.curriculum import lessons_of
from lms.learning.models import Enrolment
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

LIST_URL = "/api/v1/enrolments/"


def detail_url(enrolment) -> str:
    return f"/api/v1/enrolments/{enrolment.pk}/"


def local(year, month, day, hour=12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


@pytest.fixture
def world():
    """Two regions with four people each; CM-101 (4 lessons) assigned to all eight, CM-102
    (1 lesson) assigned to one person per region with a due date already past. In region A:
    one person completed CM-101, another completed one lesson and opened a second; in region
    B one person completed CM-101 and another was withdrawn from it."""
    tree = org_tree(regions=2, districts=2)
    region_a, region_b = tree["regions"]
    home = home_page()
    programme = programme_page(catalogue_page(home))
    cm101 = course_page(programme, code="CM-101", title="Qabul va baholash")
    for m in range(2):
        module = module_page(cm101, title=f"Modul {m + 1}", slug=f"m{m + 1}")
        for k in range(2):
            lesson_page(module, title=f"Dars {m + 1}.{k + 1}", slug=f"d{m + 1}{k + 1}")
    cm102 = course_page(programme, code="CM-102", title="Xavflar")
    lesson_page(module_page(cm102, title="Modul", slug="m"), title="Yagona dars", slug="d")

    case_manager = PositionFactory(code="case-manager")
    people = {"a": [], "b": []}
    for centre in tree["centres"]:
        key = "a" if centre.path.startswith(region_a.path) else "b"
        people[key] += [UserFactory(org_unit=centre, position=case_manager) for _ in range(2)]
    hr_a = UserFactory(username="hr-a", employee_number=None, scope=region_a)
    hr_b = UserFactory(username="hr-b", employee_number=None, scope=region_b)
    admin = UserFactory(username="admin", employee_number=None, is_superuser=True)

    today = timezone.localdate()
    services.assign(
        cm101, people["a"] + people["b"], due_date=today + dt.timedelta(days=30), assigned_by=hr_a
    )
    services.assign(
        cm102,
        [people["a"][0], people["b"][0]],
        due_date=today - dt.timedelta(days=1),
        assigned_by=hr_a,
    )
    lessons = list(lessons_of(cm101))
    for person in (people["a"][0], people["b"][0]):
        for lesson in lessons:
            services.complete_lesson(person, lesson)
    services.complete_lesson(people["a"][1], lessons[0])
    services.open_lesson(people["a"][1], lessons[1])
    services.withdraw(Enrolment.objects.get(learner=people["b"][1], course=cm101), by=admin)
    # Fixed completion dates, for the date filters.
    Enrolment.objects.filter(learner=people["a"][0], course=cm101).update(
        completed_at=local(2025, 3, 10, 23)
    )
    Enrolment.objects.filter(learner=people["b"][0], course=cm101).update(
        completed_at=local(2025, 6, 1, 0)
    )
    return {
        "tree": tree,
        "cm101": cm101,
        "cm102": cm102,
        "lessons": lessons,
        "a": people["a"],
        "b": people["b"],
        "hr_a": hr_a,
        "hr_b": hr_b,
        "admin": admin,
    }


def fetch(client, user, url=LIST_URL, **params):
    if user is not None:
        client.force_login(user)
    return client.get(url, {"limit": 100, **params} if url == LIST_URL else params)


def learner_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["learner"]["id"] for row in response.json()["results"]]


def pks(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def enrolment(learner, course) -> Enrolment:
    return Enrolment.objects.get(learner=learner, course=course)


# -- who sees what --------------------------------------------------------------------------------


def test_anonymous_is_refused(client, world):
    some = enrolment(world["a"][0], world["cm101"])
    assert client.get(LIST_URL).status_code in {401, 403}
    assert client.get(detail_url(some)).status_code in {401, 403}


def test_learner_sees_only_their_own_enrolments(client, world):
    me = world["a"][0]
    response = fetch(client, me)
    assert set(learner_ids(response)) == {me.pk}
    assert response.json()["count"] == 2  # CM-101 and CM-102


def test_learner_cannot_open_someone_elses_enrolment(client, world):
    me, colleague = world["a"][0], world["a"][1]
    assert fetch(client, me, detail_url(enrolment(me, world["cm101"]))).status_code == 200
    assert fetch(client, me, detail_url(enrolment(colleague, world["cm101"]))).status_code == 404


def test_hr_sees_their_region_and_never_another(client, world):
    response = fetch(client, world["hr_a"])
    assert set(learner_ids(response)) == {p.pk for p in world["a"]}
    body = response.content.decode()
    for person in world["b"]:
        assert person.employee_number not in body


def test_hr_cannot_open_an_enrolment_in_another_region(client, world):
    theirs = enrolment(world["b"][0], world["cm101"])
    ours = enrolment(world["a"][0], world["cm101"])
    assert fetch(client, world["hr_a"], detail_url(ours)).status_code == 200
    assert fetch(client, world["hr_a"], detail_url(theirs)).status_code == 404
    assert fetch(client, world["hr_b"], detail_url(theirs)).status_code == 200


def test_hr_cannot_reach_another_region_through_filters(client, world):
    outsider = world["b"][0]
    assert learner_ids(fetch(client, world["hr_a"], employee=outsider.employee_number)) == []
    response = fetch(client, world["hr_a"], unit=world["tree"]["regions"][1].code)
    assert response.status_code == 400
    assert "unit" in response.json()


def test_superuser_sees_everyone(client, world):
    response = fetch(client, world["admin"])
    assert pks(response) == set(Enrolment.objects.values_list("pk", flat=True))
    assert response.json()["count"] == 10


def test_unknown_or_non_numeric_id_is_404(client, world):
    assert fetch(client, world["admin"], "/api/v1/enrolments/999999/").status_code == 404
    assert fetch(client, world["admin"], "/api/v1/enrolments/abc/").status_code == 404


def test_api_404_is_not_redirected_to_a_language_prefix(client, world):
    response = fetch(client, world["admin"], "/api/v1/enrolments/999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


# -- what an enrolment says -----------------------------------------------------------------------


def test_list_row_describes_learner_course_and_progress(client, world):
    person = world["a"][1]
    row = next(
        r
        for r in fetch(client, world["hr_a"], employee=person.employee_number).json()["results"]
        if r["course"]["code"] == "CM-101"
    )
    mine = enrolment(person, world["cm101"])
    assert row["id"] == mine.pk
    assert row["learner"] == {
        "id": person.pk,
        "employee_number": person.employee_number,
        "display_name": person.display_name,
        "org_unit": person.org_unit.code,
        "position": "case-manager",
    }
    assert row["course"] == {
        "id": world["cm101"].pk,
        "code": "CM-101",
        "title": "Qabul va baholash",
    }
    assert row["status"] == row["state"] == "in_progress"
    assert row["source"] == "assigned"
    assert row["due_date"] == (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert row["lessons_completed"] == 1
    assert row["lessons_total"] == 4
    assert row["percent"] == 25
    assert row["registration"] == str(mine.registration)
    assert row["started_at"] is not None
    assert row["completed_at"] is None
    assert "lessons" not in row


def test_open_enrolment_past_its_date_is_overdue(client, world):
    row = fetch(client, world["hr_a"], course="CM-102").json()["results"][0]
    assert row["status"] == "enrolled"
    assert row["state"] == "overdue"


def test_completed_enrolment_shows_full_progress(client, world):
    row = fetch(client, world["a"][0], course="CM-101").json()["results"][0]
    assert row["state"] == "completed"
    assert row["percent"] == 100
    assert row["completed_at"].startswith("2025-03-10")


def test_detail_lists_the_lessons_opened_in_reading_order(client, world):
    person = world["a"][1]
    response = fetch(client, world["hr_a"], detail_url(enrolment(person, world["cm101"])))
    assert response.status_code == 200
    data = response.json()
    assert data["course"]["code"] == "CM-101"
    assert data["learner"]["id"] == person.pk
    first, second = world["lessons"][:2]
    assert [(x["lesson"], x["title"]) for x in data["lessons"]] == [
        (first.pk, "Dars 1.1"),
        (second.pk, "Dars 1.2"),
    ]
    assert all(x["opened_at"] for x in data["lessons"])
    assert data["lessons"][0]["completed_at"] is not None
    assert data["lessons"][1]["completed_at"] is None


def test_detail_of_an_untouched_enrolment_has_no_lessons(client, world):
    person = world["a"][3]
    data = fetch(client, person, detail_url(enrolment(person, world["cm101"]))).json()
    assert data["lessons"] == []
    assert data["state"] == "enrolled"


# -- filters --------------------------------------------------------------------------------------


def _expected(world, who, course):
    return {enrolment(world[key][i], world[course]).pk for key, i in who}


@pytest.mark.parametrize(
    ("params", "who", "course"),
    [
        ({"course": "CM-102"}, [("a", 0), ("b", 0)], "cm102"),
        ({"status": "overdue"}, [("a", 0), ("b", 0)], "cm102"),
        ({"status": "completed"}, [("a", 0), ("b", 0)], "cm101"),
        ({"status": "in_progress"}, [("a", 1)], "cm101"),
        ({"status": "withdrawn"}, [("b", 1)], "cm101"),
        ({"status": "enrolled"}, [("a", 2), ("a", 3), ("b", 2), ("b", 3)], "cm101"),
        ({"status": "completed", "course": "CM-102"}, [], "cm101"),
        ({"completed_since": "2025-03-10"}, [("a", 0), ("b", 0)], "cm101"),
        ({"completed_since": "2025-03-11"}, [("b", 0)], "cm101"),
        ({"completed_until": "2025-03-10"}, [("a", 0)], "cm101"),
        ({"completed_until": "2025-03-09"}, [], "cm101"),
        ({"completed_since": "2025-06-01", "completed_until": "2025-06-01"}, [("b", 0)], "cm101"),
        ({"course": "XX-999"}, [], "cm101"),
    ],
)
def test_filters(client, world, params, who, course):
    assert pks(fetch(client, world["admin"], **params)) == _expected(world, who, course)


def test_filter_by_employee_number(client, world):
    person = world["b"][0]
    response = fetch(client, world["admin"], employee=person.employee_number)
    assert set(learner_ids(response)) == {person.pk}
    assert response.json()["count"] == 2
    assert learner_ids(fetch(client, world["admin"], employee="NOBODY")) == []


def test_filter_by_unit_takes_its_subtree(client, world):
    district = world["tree"]["districts"][0]  # R0-D0, whose centre holds a[0] and a[1]
    response = fetch(client, world["hr_a"], unit=district.code)
    assert set(learner_ids(response)) == {world["a"][0].pk, world["a"][1].pk}
    region_b = world["tree"]["regions"][1]
    response = fetch(client, world["admin"], unit=region_b.code)
    assert set(learner_ids(response)) == {p.pk for p in world["b"]}


def test_filter_by_unit_needs_a_unit_in_scope(client, world):
    # A learner has no scope: no unit, not even their own, is theirs to filter by.
    me = world["a"][0]
    response = fetch(client, me, unit=me.org_unit.code)
    assert response.status_code == 400
    assert "unit" in response.json()


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"status": "late"}, "status"),
        ({"unit": "NO-SUCH-UNIT"}, "unit"),
        ({"completed_since": "yesterday"}, "completed_since"),
        ({"completed_since": "2025-13-01"}, "completed_since"),
        ({"completed_until": "10.03.2025"}, "completed_until"),
        ({"completed_since": "2025-03-11", "completed_until": "2025-03-10"}, "completed_until"),
    ],
)
def test_bad_filter_is_400_naming_the_parameter(client, world, params, name):
    response = fetch(client, world["hr_a"], **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == [name]
    assert body[name] and all(isinstance(message, str) for message in body[name])


def test_empty_filter_value_means_no_filter(client, world):
    everything = pks(fetch(client, world["hr_a"]))
    assert pks(fetch(client, world["hr_a"], status="", course="", unit="")) == everything


def test_bad_unit_message_does_not_tell_whether_the_unit_exists(client, world):
    outside = fetch(client, world["hr_a"], unit=world["tree"]["regions"][1].code).json()
    unknown = fetch(client, world["hr_a"], unit="NO-SUCH-UNIT").json()
    assert outside == unknown
    assert "scope" in unknown["unit"][0]


# -- pagination -----------------------------------------------------------------------------------


def test_pages_are_stable_and_ordered_by_id(client, world):
    client.force_login(world["admin"])
    seen = []
    offset = 0
    while True:
        data = client.get(LIST_URL, {"limit": 3, "offset": offset}).json()
        assert data["count"] == 10
        assert len(data["results"]) <= 3
        seen += [row["id"] for row in data["results"]]
        if not data["next"]:
            break
        offset += 3
    assert seen == sorted(Enrolment.objects.values_list("pk", flat=True))


# -- schema ---------------------------------------------------------------------------------------


def test_schema_documents_only_malakas_v1_endpoints(client, world):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/enrolments/",
        "/api/v1/enrolments/{id}/",
        "/api/v1/indicator-values/",
    }
    listing = schema["paths"]["/api/v1/enrolments/"]["get"]
    documented = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert documented >= {
        "course",
        "status",
        "unit",
        "employee",
        "completed_since",
        "completed_until",
        "limit",
        "offset",
    }
    status = next(p for p in listing["parameters"] if p["name"] == "status")
    assert set(status["schema"]["enum"]) == {
        "enrolled",
        "in_progress",
        "completed",
        "withdrawn",
        "overdue",
    }
    assert "400" in listing["responses"]


def test_schema_generates_without_warnings_and_validates(tmp_path):
    reset_generator_stats()
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(out),
    )
    assert not GENERATOR_STATS
    text = out.read_text()
    assert "/api/v1/enrolments/" in text
    assert "/admin/" not in text
    assert "/xapi/" not in text


# -- query counts ---------------------------------------------------------------------------------


@pytest.fixture
def crowd():
    """A course assigned to `n` people in one centre, half of whom completed a lesson."""

    def make(n):
        tree = org_tree(regions=1, districts=1)
        programme = programme_page(catalogue_page(home_page()))
        course = course_page(programme, code="CM-201", title="Kurs")
        module = module_page(course)
        lessons = [lesson_page(module, title=f"Dars {i}", slug=f"d{i}") for i in range(3)]
        people = [UserFactory(org_unit=tree["centres"][0]) for _ in range(n)]
        hr = UserFactory(username="hr", employee_number=None, scope=tree["agency"])
        services.assign(course, people, due_date=timezone.localdate(), assigned_by=hr)
        for person in people[::2]:
            services.complete_lesson(person, lessons[0])
        return hr, people, course

    return make


#: session, user, the caller's scope, the count, the page.
LIST_QUERIES = 5
#: session, user, the caller's scope, the enrolment, its lessons.
DETAIL_QUERIES = 5


@pytest.mark.parametrize("n", [5, 20])
def test_list_query_count_does_not_grow_with_rows(client, crowd, django_assert_num_queries, n):
    hr, people, _course = crowd(n)
    client.force_login(hr)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL, {"limit": 20})
    assert response.status_code == 200
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [5, 20])
def test_filtered_list_query_count_is_flat(client, crowd, django_assert_num_queries, n):
    hr, people, course = crowd(n)
    client.force_login(hr)
    params = {"unit": people[0].org_unit.code, "course": course.code, "limit": 20}
    # The unit filter looks the unit up: one query more, whatever the page holds.
    with django_assert_num_queries(LIST_QUERIES + 1):
        response = client.get(LIST_URL, params)
    assert response.status_code == 200
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("lessons_done", [1, 3])
def test_detail_query_count_does_not_grow_with_lessons(
    client, crowd, django_assert_num_queries, lessons_done
):
    hr, people, course = crowd(2)
    person = people[1]
    for lesson in list(lessons_of(course))[:lessons_done]:
        services.complete_lesson(person, lesson)
    url = detail_url(enrolment(person, course))
    client.force_login(hr)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.json()["lessons"]) == lessons_done
