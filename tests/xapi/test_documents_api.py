"""State, Activity Profile and Agent Profile documents; the Activities and Agents resources;
ETag concurrency."""

import copy
import json
import threading

import pytest
from django.db import connection

from tests.xapi.conftest import statement

pytestmark = pytest.mark.django_db
AGENT = json.dumps({"mbox": "mailto:learner@malaka.uz"})
ACTIVITY = "https://malaka.uz/courses/cm-101"


def state_url(**params):
    params = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark", **params}
    return params


def send(lrs, method, path, params, body=b"", content_type="application/json", **headers):
    from urllib.parse import urlencode

    call = getattr(lrs.client, method.lower())
    url = f"{path}?{urlencode(params)}"
    if method in ("GET", "HEAD"):
        return call(url, headers={**lrs.headers, **headers})
    return call(url, body, content_type=content_type, headers={**lrs.headers, **headers})


def test_state_put_get_merge_list_and_delete(lrs):
    put = send(lrs, "PUT", "/xapi/activities/state", state_url(), b'{"lesson": 2}')
    assert put.status_code == 204
    got = send(lrs, "GET", "/xapi/activities/state", state_url())
    assert got.status_code == 200
    assert got.json() == {"lesson": 2}
    assert got["ETag"].startswith('"')
    assert got["Last-Modified"]

    merged = send(lrs, "POST", "/xapi/activities/state", state_url(), b'{"page": 5}')
    assert merged.status_code == 204
    assert send(lrs, "GET", "/xapi/activities/state", state_url()).json() == {
        "lesson": 2,
        "page": 5,
    }

    not_json = send(lrs, "POST", "/xapi/activities/state", state_url(), b"plain", "text/plain")
    assert not_json.status_code == 400

    send(lrs, "PUT", "/xapi/activities/state", state_url(stateId="notes"), b"hello", "text/plain")
    listed = send(lrs, "GET", "/xapi/activities/state", {"activityId": ACTIVITY, "agent": AGENT})
    assert listed.json() == ["bookmark", "notes"]
    future = {"activityId": ACTIVITY, "agent": AGENT, "since": "2999-01-01T00:00:00Z"}
    assert send(lrs, "GET", "/xapi/activities/state", future).json() == []

    delete_all = send(
        lrs, "DELETE", "/xapi/activities/state", {"activityId": ACTIVITY, "agent": AGENT}
    )
    assert delete_all.status_code == 204
    assert send(lrs, "GET", "/xapi/activities/state", state_url()).status_code == 404


def test_registration_separates_state(lrs):
    registration = "6a1b1a3c-07a8-4a5f-9e37-1c3f1b6f3c2e"
    send(lrs, "PUT", "/xapi/activities/state", state_url(registration=registration), b'{"a": 1}')
    assert send(lrs, "GET", "/xapi/activities/state", state_url()).status_code == 404
    assert (
        send(lrs, "GET", "/xapi/activities/state", state_url(registration="x")).status_code == 400
    )


@pytest.mark.parametrize(
    "params",
    [
        {"agent": AGENT, "stateId": "s"},
        {"activityId": ACTIVITY, "stateId": "s"},
        {"activityId": ACTIVITY, "agent": "{not json", "stateId": "s"},
        {"activityId": "not an iri", "agent": AGENT, "stateId": "s"},
        {"activityId": ACTIVITY, "agent": AGENT, "stateId": "s", "colour": "blue"},
    ],
)
def test_bad_state_parameters_answer_400(lrs, params):
    response = send(lrs, "PUT", "/xapi/activities/state", params, b"{}")
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_profile_concurrency_with_etags(lrs):
    params = {"activityId": ACTIVITY, "profileId": "syllabus"}
    path = "/xapi/activities/profile"
    assert send(lrs, "PUT", path, params, b'{"v": 1}', **{"If-None-Match": "*"}).status_code == 204
    etag = send(lrs, "GET", path, params)["ETag"]

    # Creating again with If-None-Match: * fails; a blind replace conflicts.
    assert send(lrs, "PUT", path, params, b'{"v": 2}', **{"If-None-Match": "*"}).status_code == 412
    assert send(lrs, "PUT", path, params, b'{"v": 2}').status_code == 409
    assert send(lrs, "PUT", path, params, b'{"v": 2}', **{"If-Match": '"stale"'}).status_code == 412
    assert send(lrs, "PUT", path, params, b'{"v": 2}', **{"If-Match": etag}).status_code == 204
    assert send(lrs, "PUT", path, params, b'{"v": 3}', **{"If-Match": etag}).status_code == 412
    assert send(lrs, "GET", path, params).json() == {"v": 2}

    assert send(lrs, "DELETE", path, params, **{"If-Match": etag}).status_code == 412
    current = send(lrs, "GET", path, params)["ETag"]
    assert send(lrs, "DELETE", path, params, **{"If-Match": current}).status_code == 204
    assert send(lrs, "GET", path, params).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_with_the_same_etag_one_wins(lrs):
    """Two clients read the same ETag and both try to replace the document: exactly one
    succeeds, the other gets 412 (PostgreSQL: the row lock; SQLite: immediate transactions)."""
    from django.test import Client

    params = {"agent": AGENT, "profileId": "preferences"}
    path = "/xapi/agents/profile"
    send(lrs, "PUT", path, params, b'{"lang": "uz"}')
    etag = send(lrs, "GET", path, params)["ETag"]

    results = []
    barrier = threading.Barrier(2)

    def writer(language):
        own = copy.copy(lrs)
        own.client = Client()
        barrier.wait()
        response = send(
            own, "PUT", path, params, json.dumps({"lang": language}).encode(), **{"If-Match": etag}
        )
        results.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=writer, args=(lang,)) for lang in ("ru", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [204, 412]


def test_agent_profile_and_agents_resource(lrs):
    path = "/xapi/agents/profile"
    params = {"agent": AGENT, "profileId": "preferences"}
    assert send(lrs, "PUT", path, params, b'{"lang": "uz"}').status_code == 204
    assert send(lrs, "GET", path, {"agent": AGENT}).json() == ["preferences"]
    assert send(lrs, "DELETE", path, {"agent": AGENT}).status_code == 400

    person = send(lrs, "GET", "/xapi/agents", {"agent": AGENT}).json()
    assert person == {"objectType": "Person", "mbox": ["mailto:learner@malaka.uz"]}
    assert send(lrs, "GET", "/xapi/agents", {}).status_code == 400


def test_activities_resource_returns_the_merged_definition(lrs):
    first = statement()
    first["object"]["definition"] = {
        "name": {"uz": "Ish yuritish"},
        "type": "http://adlnet.gov/expapi/activities/course",
    }
    second = statement()
    second["object"]["definition"] = {"name": {"ru": "Ведение случая"}}
    lrs.post(first)
    lrs.post(second)
    activity = send(lrs, "GET", "/xapi/activities", {"activityId": first["object"]["id"]}).json()
    assert activity["definition"]["name"] == {"uz": "Ish yuritish", "ru": "Ведение случая"}
    assert activity["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    unknown = send(lrs, "GET", "/xapi/activities", {"activityId": "https://malaka.uz/none"}).json()
    assert unknown == {"objectType": "Activity", "id": "https://malaka.uz/none"}


def test_head_answers_like_get_without_a_body(lrs):
    send(lrs, "PUT", "/xapi/activities/state", state_url(), b'{"lesson": 2}')
    head = send(lrs, "HEAD", "/xapi/activities/state", state_url())
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"]
    assert lrs.client.head("/xapi/statements", headers=lrs.headers)[
        "X-Experience-API-Consistent-Through"
    ]


def test_a_blind_state_overwrite_conflicts_in_2_0_only(lrs, lrs_v1):
    send(lrs, "PUT", "/xapi/activities/state", state_url(), b'{"lesson": 1}')
    blind = send(lrs, "PUT", "/xapi/activities/state", state_url(), b'{"lesson": 2}')
    assert blind.status_code == 409
    assert blind.json()["error"]["message"]
    assert (
        send(lrs_v1, "PUT", "/xapi/activities/state", state_url(), b'{"lesson": 2}').status_code
        == 204
    )


def test_in_1_0_3_every_profile_put_carries_a_precondition(lrs_v1):
    params = {"activityId": ACTIVITY, "profileId": "glossary"}
    path = "/xapi/activities/profile"
    assert send(lrs_v1, "PUT", path, params, b"{}").status_code == 400
    assert send(lrs_v1, "PUT", path, params, b"{}", **{"If-None-Match": "*"}).status_code == 204
    assert send(lrs_v1, "PUT", path, params, b"{}").status_code == 409


def test_a_since_without_a_time_zone_lists_documents_in_1_0_3(lrs_v1):
    send(lrs_v1, "PUT", "/xapi/activities/state", state_url(), b'{"a": 1}')
    listed = send(
        lrs_v1, "GET", "/xapi/activities/state",
        {"activityId": ACTIVITY, "agent": AGENT, "since": "2000-01-01T00:00:00"},
    )  # fmt: skip
    assert listed.json() == ["bookmark"]
