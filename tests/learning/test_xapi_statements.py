"""What learning says in xAPI, as it arrives in the platform's LRS once the changes commit."""

import json
from collections import Counter

import pytest
from django.conf import settings
from django.utils import translation

from lms.learning import services
from lms.learning import statements as xapi
from lms.tracking import profile
from lms.tracking.models import Delivery
from lms.tracking.services import pseudonym
from lms.xapi.models import Statement
from lms.xapi.validation import validate_statement
from lms.xapi.versions import V2
from tests import factories as f

pytestmark = pytest.mark.django_db

VERB = {name: iri for name, (iri, _display, _doc) in profile.VERBS.items()}
EXT = {name: iri for name, (iri, _doc) in profile.EXTENSIONS.items()}


@pytest.fixture
def course():
    return f.course_with_lessons(f.curriculum_programme(), "CM-101", "Qabul va baholash")


@pytest.fixture
def learner():
    unit = f.OrgUnitFactory(code="R0-D0-INSON", parent=None)
    return f.UserFactory(
        username="dilnoza.k",
        first_name="Dilnoza",
        last_name="Karimova",
        email="dilnoza.karimova@staff.example",
        org_unit=unit,
        position=f.PositionFactory(code="case-manager"),
    )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a service call as a request would: its transaction commits, and what waits for the
    commit (the outbox delivery, run eagerly in tests) runs."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def stored(**filters):
    return [s.data for s in Statement.objects.filter(**filters).order_by("seq")]


def verb_counts(statements):
    names = {iri: name for name, iri in VERB.items()}
    return Counter(names[s["verb"]["id"]] for s in statements)


def test_a_learner_journey_reaches_the_lrs_under_one_registration(commit, learner, course):
    enrolment = commit(services.self_enrol, learner, course.course)
    for lesson in course.lessons:
        commit(services.open_lesson, learner, lesson)
        commit(services.complete_lesson, learner, lesson)

    statements = stored()
    assert statements == stored(registration=enrolment.registration)
    assert {s["context"]["registration"] for s in statements} == {str(enrolment.registration)}
    assert verb_counts(statements) == {
        "registered": 1,
        "launched": 1,
        "experienced": 4,
        "progressed": 4,
        "completed": 4 + 2 + 1,  # lessons, modules, the course
    }
    assert [s["verb"]["id"] for s in statements[:3]] == [
        VERB["registered"],
        VERB["launched"],
        VERB["experienced"],
    ]
    assert statements[-1]["verb"]["id"] == VERB["completed"]
    assert statements[-1]["object"]["id"] == xapi.activity_iri("course", course.course)
    progress = [
        s["result"]["extensions"][xapi.PROGRESS]
        for s in statements
        if s["verb"]["id"] == VERB["progressed"]
    ]
    assert progress == [25, 50, 75, 100]
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.DELIVERED}


def test_statements_are_valid_pseudonymous_and_in_the_profile(commit, learner, course):
    commit(services.self_enrol, learner, course.course)
    commit(services.open_lesson, learner, course.lessons[0])
    commit(services.complete_lesson, learner, course.lessons[0])
    commit(services.complete_lesson, learner, course.lessons[1])

    statements = stored()
    assert len(statements) >= 6
    course_activity = xapi.activity_iri("course", course.course)
    for data in statements:
        validate_statement(data, V2)
        assert data["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": settings.XAPI_HOMEPAGE, "name": pseudonym(learner)},
        }
        text = json.dumps(data, ensure_ascii=False).lower()
        for private in (learner.email, learner.username, "dilnoza", "karimova"):
            assert private.lower() not in text
        assert learner.employee_number.lower() not in text
        extensions = data["context"]["extensions"]
        assert extensions[EXT["course_code"]] == "CM-101"
        assert extensions[EXT["org_unit"]] == "R0-D0-INSON"
        assert extensions[EXT["position"]] == "case-manager"
        assert extensions[EXT["locale"]] == "en"
        kind = data["object"]["definition"]["type"]
        assert kind in profile.ACTIVITY_TYPES.values()
        if kind != profile.ACTIVITY_TYPES["course"]:
            assert data["context"]["contextActivities"]["parent"][0]["id"] == course_activity

    lesson_completed = next(
        s
        for s in statements
        if s["verb"]["id"] == VERB["completed"]
        and s["object"]["definition"]["type"] == profile.ACTIVITY_TYPES["lesson"]
    )
    assert lesson_completed["result"] == {"completion": True}
    assert lesson_completed["object"]["definition"]["name"] == {"uz": "Dars 1.1"}
    module_completed = [
        s
        for s in statements
        if s["object"]["definition"]["type"] == profile.ACTIVITY_TYPES["module"]
    ]
    assert [s["object"]["id"] for s in module_completed] == [
        xapi.activity_iri("module", course.modules[0])
    ]


def test_each_attempt_has_its_own_registration(commit, learner, course):
    colleague = f.UserFactory()
    mine = commit(services.self_enrol, learner, course.course)
    theirs = commit(services.self_enrol, colleague, course.course)
    commit(services.open_lesson, colleague, course.lessons[0])

    assert mine.registration != theirs.registration
    assert len(stored(registration=mine.registration)) == 1
    assert verb_counts(stored(registration=theirs.registration)) == {
        "registered": 1,
        "launched": 1,
        "experienced": 1,
    }
    assert {s["actor"]["account"]["name"] for s in stored(registration=theirs.registration)} == {
        pseudonym(colleague)
    }


def test_the_interface_language_is_said_but_the_activity_is_the_same(commit, learner, course):
    programme = course.course.get_parent()
    home = programme.get_parent().get_parent()
    lesson = course.lessons[0]
    chain = [home, programme.get_parent(), programme, course.course, course.modules[0], lesson]
    ru_lesson = f.translate_tree(chain, "ru")[lesson.pk]
    commit(services.self_enrol, learner, course.course)

    with translation.override("ru"):
        commit(services.open_lesson, learner, ru_lesson)

    experienced = stored(verb_id=VERB["experienced"])
    assert len(experienced) == 1
    assert experienced[0]["object"]["id"] == xapi.activity_iri("lesson", lesson)
    assert experienced[0]["context"]["extensions"][EXT["locale"]] == "ru"


def test_marking_complete_without_opening_still_launches_first(commit, learner, course):
    enrolment = commit(services.self_enrol, learner, course.course)
    commit(services.complete_lesson, learner, course.lessons[0])
    verbs = [s["verb"]["id"] for s in stored(registration=enrolment.registration)]
    assert verbs[:3] == [VERB["registered"], VERB["launched"], VERB["completed"]]


def test_nothing_reaches_the_lrs_when_the_change_is_refused(commit, learner, course):
    commit(services.self_enrol, learner, course.course)
    with pytest.raises(services.LearningError):
        commit(services.self_enrol, learner, course.course)
    assert verb_counts(stored()) == {"registered": 1}
