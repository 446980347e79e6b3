"""Same-origin lesson content (H5P) posts statements with the learner's session: the CSRF token
is required and the actor is forced to the learner's pseudonymous account."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from lms.tracking.services import actor
from lms.xapi.models import Statement
from tests.factories import UserFactory
from tests.xapi.conftest import statement

pytestmark = pytest.mark.django_db
HEADERS = {"x-experience-api-version": "1.0.3"}


@pytest.fixture
def browser():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/admin/login/")  # any page that sets the CSRF cookie
    return client, user


def _token(client):
    return client.cookies["csrftoken"].value


def test_the_actor_is_forced_to_the_signed_in_learner(browser):
    client, user = browser
    claimed = statement(actor={"mbox": "mailto:someone-else@example.uz"})
    response = client.post(
        "/xapi/statements", json.dumps(claimed), content_type="application/json",
        headers={**HEADERS, "x-csrftoken": _token(client)},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    stored = Statement.objects.get().data
    assert stored["actor"] == actor(user)
    assert "someone-else" not in json.dumps(stored)
    assert stored["authority"]["name"] == "Malaka lesson content"


def test_without_the_csrf_token_nothing_is_stored(browser):
    client, _user = browser
    response = client.post(
        "/xapi/statements",
        json.dumps(statement()),
        content_type="application/json",
        headers=HEADERS,
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert not Statement.objects.exists()


def test_a_session_cannot_read_statements_or_profiles(browser):
    client, _user = browser
    assert client.get("/xapi/statements", headers=HEADERS).status_code == 403
    profile = client.get(
        "/xapi/activities/profile", {"activityId": "https://malaka.uz/a"}, headers=HEADERS
    )
    assert profile.status_code == 403


def test_state_is_kept_for_the_learner_only(browser):
    client, user = browser
    params = urlencode(
        {
            "activityId": "https://malaka.uz/h5p/1",
            "stateId": "progress",
            "agent": json.dumps({"mbox": "mailto:x@y.uz"}),  # replaced by the learner
        }
    )
    put = client.put(
        f"/xapi/activities/state?{params}", b'{"page": 3}', content_type="application/json",
        headers={**HEADERS, "x-csrftoken": _token(client)},
    )  # fmt: skip
    assert put.status_code == 204, put.content
    from lms.xapi.models import Document
    from lms.xapi.store import agent_key

    assert Document.objects.get().agent_key == agent_key(actor(user))
    got = client.get(f"/xapi/activities/state?{params}", headers=HEADERS)
    assert got.json() == {"page": 3}


def test_anonymous_visitors_are_asked_to_authenticate(client):
    response = client.post(
        "/xapi/statements",
        json.dumps(statement()),
        content_type="application/json",
        headers=HEADERS,
    )
    assert response.status_code == 401
