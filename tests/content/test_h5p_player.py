"""H5P activities in lessons: the package files served to the player, the statements the
player sends with the learner's session (checked and completed by the platform, never trusted),
the learner's result, the lesson gate it opens, and the player's state kept in the LRS."""

import io
import json
import uuid
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from content import h5p_services
from content.h5p_tracking import STATE_ID, h5p_activity_iri
from content.models import H5PResult
from lms.learning import gates, services
from lms.learning.models import LessonProgress
from lms.learning.statements import activity_iri
from lms.tracking.services import actor
from lms.xapi.models import Document, Statement
from tests import factories as f
from tests.content.h5p_packages import LIBRARY_FOLDER, check_package

pytestmark = pytest.mark.django_db
XAPI = {"x-experience-api-version": "1.0.3"}
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


def import_check(title="Malaka check: one question"):
    return h5p_services.import_package(
        io.BytesIO(check_package(title)), "check.h5p", may_add_libraries=True
    )


def h5p_block(package, *, required=True, pass_score=None, title="Check yourself"):
    return {
        "type": "h5p",
        "id": str(uuid.uuid4()),
        "value": {
            "package": package.pk,
            "title": title,
            "required": required,
            "pass_score": pass_score,
        },
    }


def place(lesson, *blocks):
    lesson.body = json.dumps(
        [*blocks, {"type": "paragraph", "value": "<p>Dars matni</p>", "id": str(uuid.uuid4())}]
    )
    lesson.save()
    return lesson


@pytest.fixture
def package():
    return import_check()


@pytest.fixture
def course():
    return f.course_with_lessons(f.curriculum_programme(), "CM-101", modules=1, lessons=2)


@pytest.fixture
def lesson(course, package):
    return place(course.lessons[0], h5p_block(package))


@pytest.fixture
def learner():
    return f.UserFactory(username="dilnoza")


@pytest.fixture
def enrolment(learner, course):
    return services.self_enrol(learner, course.course)


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.force_login(user)
    client.get("/admin/login/")  # sets the CSRF cookie
    return client


def write(client) -> dict:
    return {**XAPI, "x-csrftoken": client.cookies["csrftoken"].value}


def scored(object_id, *, raw=1, maximum=1, scaled=None, verb=ANSWERED, **extra):
    """A statement as H5P's triggerXAPIScored makes it (with the actor the browser knows)."""
    statement = {
        "actor": {"objectType": "Agent", "account": {"name": "browser-uuid", "homePage": "x:y"}},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1]}},
        "object": {
            "id": object_id,
            "objectType": "Activity",
            "definition": {
                "name": {"en-US": "Malaka check"},
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": "h5p-1"},
            },
        },
        "context": {
            "contextActivities": {
                "category": [
                    {"id": "http://h5p.org/libraries/H5P.MalakaCheck-1.0", "objectType": "Activity"}
                ]
            }
        },
        "result": {
            "score": {
                "min": 0,
                "max": maximum,
                "raw": raw,
                "scaled": raw / maximum if scaled is None else scaled,
            },
            "completion": True,
            "success": raw == maximum,
            "duration": "PT2.5S",
        },
    }
    statement.update(extra)
    return statement


def post(client, body):
    return client.post(
        "/xapi/statements", json.dumps(body), content_type="application/json", headers=write(client)
    )


# -- the files --------------------------------------------------------------------------------


def test_package_files_are_served_to_signed_in_people_only_with_their_types(package, learner):
    base = f"/h5p/packages/{package.key}"
    anonymous = Client()
    refused = anonymous.get(f"{base}/h5p.json")
    assert refused.status_code == 403
    assert refused["X-Content-Type-Options"] == "nosniff"

    client = signed_in(learner)
    h5p_json = client.get(f"{base}/h5p.json")
    assert h5p_json.status_code == 200
    assert h5p_json["Content-Type"] == "application/json"
    assert h5p_json.json()["mainLibrary"] == "H5P.MalakaCheck"
    expected = {
        f"{base}/content/content.json": "application/json",
        f"{base}/content/images/family.svg": "image/svg+xml",
        f"/h5p/libraries/{LIBRARY_FOLDER}/library.json": "application/json",
        f"/h5p/libraries/{LIBRARY_FOLDER}/check.js": "text/javascript; charset=utf-8",
        f"/h5p/libraries/{LIBRARY_FOLDER}/check.css": "text/css; charset=utf-8",
    }
    for url, content_type in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == content_type, url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"].startswith("private, max-age=")
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content)
    again = client.get(
        f"/h5p/libraries/{LIBRARY_FOLDER}/check.js",
        headers={"if-modified-since": client.get(f"/h5p/libraries/{LIBRARY_FOLDER}/check.js")[
            "Last-Modified"
        ]},
    )  # fmt: skip
    assert again.status_code == 304
    assert anonymous.get(f"/h5p/libraries/{LIBRARY_FOLDER}/check.js").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/h5p/packages/{key}/content/../h5p.json",
        "/h5p/packages/{key}/content/%2e%2e/%2e%2e/secret.json",
        "/h5p/packages/{key}/content/..%2f..%2fsecret.json",
        "/h5p/packages/{key}/content//etc/passwd.json",
        "/h5p/packages/{key}/content/images\\family.svg",
        "/h5p/packages/{key}/content/missing.json",
        "/h5p/packages/{other}/content/content.json",
        "/h5p/libraries/{folder}/../../secret.json",
        "/h5p/libraries/{folder}/%2e%2e/%2e%2e/secret.json",
        "/h5p/libraries/..%2f/secret.json",
        "/h5p/libraries/H5P.Unknown-1.0/library.json",
        "/h5p/libraries/{folder}/notes.exe",
        "/h5p/packages/{key}",
        "/h5p/libraries",
    ],
)
def test_no_path_reaches_a_file_outside_the_package_or_library(package, learner, path):
    default_storage.save("h5p/secret.json", ContentFile(b'{"secret": true}'))
    default_storage.save(f"h5p/libraries/{LIBRARY_FOLDER}/notes.exe", ContentFile(b"MZ"))
    url = path.format(key=package.key, other=uuid.uuid4(), folder=LIBRARY_FOLDER)
    response = signed_in(learner).get(url)
    assert response.status_code == 404, url
    assert b"secret" not in response.content


def test_the_lesson_renders_a_labelled_player_with_its_activity_and_registration(
    lesson, package, learner, enrolment
):
    page = signed_in(learner).get(lesson.url)
    html = page.content.decode()
    assert 'aria-label="Check yourself"' in html
    assert f'data-activity-id="{h5p_activity_iri(lesson.translation_key, package.key)}"' in html
    assert f'data-registration="{enrolment.registration}"' in html
    assert f'data-course-id="{activity_iri("course", lesson.get_parent().get_parent())}"' in html
    assert f'data-h5p-json-path="/h5p/packages/{package.key}"' in html
    assert 'data-libraries-path="/h5p/libraries"' in html
    assert "vendor/h5p-standalone/main.bundle.js" in html
    assert "content/h5p-lesson.js" in html
    assert 'class="h5p-activity__note"' in html  # a uz page: look for the markup, not words
    # The activity is the lesson's gate: no "mark complete" form.
    assert f"/learning/lessons/{lesson.pk}/complete/" not in html


def test_a_visitor_is_asked_to_sign_in_and_an_unenrolled_learner_is_not_tracked(lesson, learner):
    visitor = Client(headers={"accept-language": "en"}).get(lesson.url).content.decode()
    sign_in = f'<a href="/uz/accounts/login/?next={lesson.url}"'
    assert sign_in in visitor
    assert "data-h5p-player" not in visitor
    html = signed_in(learner).get(lesson.url).content.decode()
    assert "data-h5p-player" in html
    assert "data-activity-id" not in html and 'class="h5p-activity__note"' in html


def test_editors_choose_a_package_in_the_admin_chooser(lesson, package):
    admin = f.UserFactory(username="admin-chooser", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    chooser = reverse("content_h5p_package_chooser:choose")
    response = client.get(chooser)
    assert response.status_code == 200
    assert package.title in response.json()["html"]
    searched = client.get(chooser, {"q": "Malaka"})
    assert package.title in searched.json()["html"]
    editor = client.get(f"/admin/pages/{lesson.pk}/edit/")
    assert editor.status_code == 200
    assert chooser in editor.content.decode()  # the block's chooser widget in the page editor


# -- statements from the player ----------------------------------------------------------------


def test_the_platform_completes_a_statement_and_forces_actor_and_registration(
    lesson, package, learner, enrolment
):
    client = signed_in(learner)
    iri = h5p_activity_iri(lesson.translation_key, package.key)
    statement = scored(iri)
    statement["context"]["registration"] = str(uuid.uuid4())  # someone else's attempt
    statement["context"]["contextActivities"]["parent"] = [{"id": "https://evil.example/x"}]
    response = post(client, statement)
    assert response.status_code == 200, response.content
    stored = Statement.objects.get().data
    assert stored["actor"] == actor(learner)
    assert stored["context"]["registration"] == str(enrolment.registration)
    activities = stored["context"]["contextActivities"]
    assert [p["id"] for p in activities["parent"]] == [activity_iri("course", enrolment.course)]
    assert [g["id"] for g in activities["grouping"]] == [activity_iri("lesson", lesson)]
    assert activities["category"][0]["id"].startswith("http://h5p.org/libraries/")


def test_a_part_of_compound_content_keeps_its_id_and_belongs_to_the_activity(
    lesson, package, learner, enrolment
):
    iri = h5p_activity_iri(lesson.translation_key, package.key)
    part = scored(f"{iri}?subContentId=6b1f3c1e-2a7d-4c55-9a0e-1d2f3e4a5b6c")
    response = post(signed_in(learner), part)
    assert response.status_code == 200, response.content
    stored = Statement.objects.get().data
    assert stored["object"]["id"].endswith("?subContentId=6b1f3c1e-2a7d-4c55-9a0e-1d2f3e4a5b6c")
    activities = stored["context"]["contextActivities"]
    assert [p["id"] for p in activities["parent"]] == [iri]
    assert [g["id"] for g in activities["grouping"]] == [
        activity_iri("lesson", lesson),
        activity_iri("course", enrolment.course),
    ]
    assert not H5PResult.objects.exists()  # a part's score is not the activity's result


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda iri: scored("https://malaka.test/courses/cm-101"), "is not an H5P activity"),
        (
            lambda iri: scored(iri.rsplit("/", 1)[0] + f"/{uuid.uuid4()}"),
            "is not an H5P activity of a published lesson",
        ),
        (
            lambda iri: {**scored(iri), "object": {"objectType": "StatementRef", "id": iri}},
            "only send statements about an activity",
        ),
        (lambda iri: scored(iri, raw=3, maximum=1, scaled=1), "result.score.raw (3) is above max"),
        (lambda iri: scored(iri, raw=1, maximum=4, scaled=1), "does not match raw 1 of 0..4"),
    ],
    ids=["other activity", "package not in the lesson", "voiding", "raw above max", "scaled"],
)
def test_statements_the_platform_refuses_are_answered_400_with_the_reason(
    lesson, package, learner, enrolment, make, message
):
    iri = h5p_activity_iri(lesson.translation_key, package.key)
    response = post(signed_in(learner), make(iri))
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Statement.objects.exists()


def test_a_learner_not_enrolled_in_the_course_cannot_send_statements(lesson, package, learner):
    iri = h5p_activity_iri(lesson.translation_key, package.key)
    response = post(signed_in(learner), scored(iri))
    assert response.status_code == 400
    assert "not enrolled in the course" in response.json()["error"]["message"]
    assert not Statement.objects.exists()


def test_a_batch_is_refused_whole_when_one_statement_is_wrong(lesson, package, learner, enrolment):
    iri = h5p_activity_iri(lesson.translation_key, package.key)
    response = post(signed_in(learner), [scored(iri), scored("https://elsewhere.example/a")])
    assert response.status_code == 400
    assert "statement 1:" in response.json()["error"]["message"]
    assert not Statement.objects.exists()


# -- result, gate, lesson completion -------------------------------------------------------------


def test_the_answer_records_the_result_meets_the_gate_and_completes_the_lesson(
    lesson, package, learner, enrolment
):
    client = signed_in(learner)
    assert [(g.label, g.met) for g in gates.gates(enrolment, lesson)] == [("Check yourself", False)]
    iri = h5p_activity_iri(lesson.translation_key, package.key)
    assert post(client, scored(iri)).status_code == 200

    result = H5PResult.objects.get(learner=learner, lesson=lesson, package=package)
    assert (result.best_scaled, result.completed, result.passed) == (1.0, True, True)
    assert [g.met for g in gates.gates(enrolment, lesson)] == [True]
    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
    assert progress.completed_at is not None
    assert "data-lesson-complete" in client.get(lesson.url).content.decode()


def test_a_pass_mark_needs_the_score_and_the_best_score_is_kept(course, package, learner):
    lesson = place(course.lessons[1], h5p_block(package, pass_score=80))
    enrolment = services.self_enrol(learner, course.course)
    client = signed_in(learner)
    iri = h5p_activity_iri(lesson.translation_key, package.key)

    assert post(client, scored(iri, raw=2, maximum=4)).status_code == 200
    assert [g.met for g in gates.gates(enrolment, lesson)] == [False]
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()

    assert post(client, scored(iri, raw=4, maximum=4)).status_code == 200
    assert post(client, scored(iri, raw=1, maximum=4)).status_code == 200  # a worse retry
    assert H5PResult.objects.get(lesson=lesson).best_scaled == 1.0
    assert [g.met for g in gates.gates(enrolment, lesson)] == [True]
    assert LessonProgress.objects.get(lesson=lesson).completed_at is not None


def test_an_optional_activity_is_no_gate(course, package, learner):
    lesson = place(course.lessons[1], h5p_block(package, required=False))
    enrolment = services.self_enrol(learner, course.course)
    assert gates.gates(enrolment, lesson) == []


def test_statements_of_an_activity_in_a_translated_lesson_count_for_the_default_one(
    lesson, package, learner, enrolment
):
    pages = [page.specific for page in lesson.get_ancestors().filter(depth__gt=1)]
    copies = f.translate_tree([*pages, lesson], "en")
    english = copies[lesson.pk]
    assert english.translation_key == lesson.translation_key
    client = signed_in(learner)
    html = client.get(english.url).content.decode()
    iri = h5p_activity_iri(lesson.translation_key, package.key)
    assert f'data-activity-id="{iri}"' in html
    assert post(client, scored(iri)).status_code == 200
    assert H5PResult.objects.get().lesson_id == lesson.pk


# -- resume state ---------------------------------------------------------------------------------


def test_the_players_state_round_trips_through_the_state_resource_for_the_learner_only(
    lesson, package, learner, enrolment
):
    client = signed_in(learner)
    iri = h5p_activity_iri(lesson.translation_key, package.key)
    params = urlencode(
        {
            "activityId": iri,
            "stateId": STATE_ID,
            "registration": str(enrolment.registration),
            "agent": json.dumps({"account": {"homePage": "http://x.uz", "name": "session"}}),
        }
    )
    url = f"/xapi/activities/state?{params}"
    assert client.get(url, headers=XAPI).status_code == 404  # nothing saved yet
    state = json.dumps({"answered": True, "progress": [1, 2]})
    put = client.put(
        url, json.dumps({"state": state}), content_type="application/json", headers=write(client)
    )
    assert put.status_code == 204, put.content
    got = client.get(url, headers=XAPI)
    assert got.status_code == 200
    assert got.json() == {"state": state}
    from lms.xapi.store import agent_key

    assert Document.objects.get().agent_key == agent_key(actor(learner))
    other = signed_in(f.UserFactory(username="someone-else"))
    assert other.get(url, headers=XAPI).status_code == 404  # her state is hers
