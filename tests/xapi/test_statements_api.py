"""The Statement resource over HTTP: storing, immutability, voiding, queries and paging,
formats, authentication and scopes, and bad input answered with 400."""

import json
from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from lms.xapi.models import Credential, Statement
from tests.xapi.conftest import LRS, new_id, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
FORM = "application/x-www-form-urlencoded"
pytestmark = pytest.mark.django_db


def test_post_stores_and_get_returns_the_statement_with_what_the_lrs_sets(lrs):
    response = lrs.post(statement())
    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "2.0.0"
    [statement_id] = response.json()

    got = lrs.get({"statementId": statement_id})
    assert got.status_code == 200
    assert got["Last-Modified"]
    assert got["X-Experience-API-Consistent-Through"]
    body = got.json()
    assert body["id"] == statement_id
    assert body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert body["stored"].endswith("Z")
    assert body["timestamp"] == body["stored"]
    assert body["version"] == "2.0.0"
    assert body["authority"]["name"] == "test client"


def test_a_batch_is_stored_whole_or_not_at_all(lrs):
    good, bad = statement(), statement(verb={"id": "not an iri"})
    response = lrs.post([good, bad])
    assert response.status_code == 400
    assert "statements[1].verb.id" in response.json()["error"]["message"]
    assert Statement.objects.count() == 0
    assert lrs.post([good, statement()]).status_code == 200
    assert Statement.objects.count() == 2


def test_put_with_the_same_id_is_idempotent_and_a_different_body_conflicts(lrs):
    statement_id = new_id()
    assert lrs.put(statement_id, statement()).status_code == 204
    assert lrs.put(statement_id, statement()).status_code == 204
    other = statement(verb={"id": "http://adlnet.gov/expapi/verbs/completed"})
    conflict = lrs.put(statement_id, other)
    assert conflict.status_code == 409
    assert lrs.post(statement(id=statement_id, **{"verb": other["verb"]})).status_code == 409
    assert Statement.objects.count() == 1


def test_put_needs_a_matching_statement_id(lrs):
    assert lrs.put("nope", statement()).status_code == 400
    mismatch = lrs.put(new_id(), statement(id=new_id()))
    assert mismatch.status_code == 400
    assert "differs" in mismatch.json()["error"]["message"]


def test_voiding_hides_the_statement_from_queries_but_not_from_voidedStatementId(lrs):
    [target] = lrs.post(statement()).json()
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    [voiding_id] = lrs.post(voiding).json()

    assert lrs.get({"statementId": target}).status_code == 404
    assert lrs.get({"voidedStatementId": target}).json()["id"] == target
    ids = [s["id"] for s in lrs.get().json()["statements"]]
    assert ids == [voiding_id]

    # A voiding statement cannot itself be voided.
    again = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voiding_id})
    assert lrs.post(again).status_code == 400


def test_filters(lrs):
    learner = {"account": {"homePage": "https://malaka.test", "name": "learner-7"}}
    registration = new_id()
    lrs.post(
        [
            statement(actor=learner, context={"registration": registration}),
            statement(
                actor=learner,
                verb={"id": "http://adlnet.gov/expapi/verbs/completed"},
                context={"contextActivities": {"parent": [{"id": "https://malaka.test/p"}]}},
            ),
            statement(),
        ]
    )
    agent = json.dumps(learner)
    assert len(lrs.get({"agent": agent}).json()["statements"]) == 2
    completed = lrs.get({"agent": agent, "verb": "http://adlnet.gov/expapi/verbs/completed"})
    assert len(completed.json()["statements"]) == 1
    assert len(lrs.get({"registration": registration}).json()["statements"]) == 1
    assert len(lrs.get({"activity": "https://malaka.test/p"}).json()["statements"]) == 0
    related = lrs.get({"activity": "https://malaka.test/p", "related_activities": "true"})
    assert len(related.json()["statements"]) == 1
    assert len(lrs.get({"since": "2999-01-01T00:00:00Z"}).json()["statements"]) == 0
    assert len(lrs.get({"until": "2999-01-01T00:00:00Z"}).json()["statements"]) == 3


def test_more_pages_are_stable_when_statements_arrive_meanwhile(lrs):
    lrs.post([statement() for _ in range(5)])
    first = lrs.get({"limit": "2"}).json()
    assert len(first["statements"]) == 2
    lrs.post([statement() for _ in range(3)])  # newer statements must not shift the pages

    seen = [s["id"] for s in first["statements"]]
    more = first["more"]
    while more:
        assert more.startswith("/xapi/statements?more=")
        page = lrs.client.get(more, headers=lrs.headers).json()
        seen += [s["id"] for s in page["statements"]]
        more = page["more"]
    assert len(seen) == len(set(seen)) == 5


def test_ascending_order_and_formats(lrs):
    display = {"en-US": "experienced", "uz": "oʻrgandi", "ru": "изучил"}
    lrs.post(
        [statement(verb={"id": "http://adlnet.gov/expapi/verbs/experienced", "display": display})]
    )
    lrs.post([statement()])
    ascending = lrs.get({"ascending": "true"}).json()["statements"]
    descending = lrs.get().json()["statements"]
    assert [s["id"] for s in ascending] == [s["id"] for s in reversed(descending)]

    ids = lrs.get({"format": "ids"}).json()["statements"][0]
    assert ids["verb"] == {"id": "http://adlnet.gov/expapi/verbs/experienced"}
    canonical = lrs.get({"format": "canonical", "ascending": "true"}, **{"accept-language": "uz"})
    assert canonical.json()["statements"][0]["verb"]["display"] == {"uz": "oʻrgandi"}
    assert lrs.get({"format": "pretty"}).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"agent": "not json"},
        {"agent": json.dumps({"name": "no identifier"})},
        {"since": "yesterday"},
        {"limit": "-1"},
        {"registration": "abc"},
        {"ascending": "maybe"},
        {"colour": "blue"},
        {"statementId": new_id(), "verb": "http://x.uz/v"},
        {"more": "forged"},
    ],
)
def test_bad_queries_answer_400_with_a_message(lrs, params):
    response = lrs.get(params)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"[]", "application/json"),
        (b"42", "application/json"),
        (b'{"actor": 1}', "text/plain"),
    ],
)
def test_bad_bodies_answer_400(lrs, body, content_type):
    response = lrs.client.post(
        "/xapi/statements", body, content_type=content_type, headers=lrs.headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_version_header_is_required_and_answered_in_kind(client, lrs, lrs_v1):
    headers = {k: v for k, v in lrs.headers.items() if k != "x-experience-api-version"}
    missing = client.get("/xapi/statements", headers=headers)
    assert missing.status_code == 400
    assert "X-Experience-API-Version" in missing.json()["error"]["message"]
    assert lrs_v1.get()["X-Experience-API-Version"] == "1.0.3"
    assert lrs_v1.post(statement())
    assert lrs_v1.get().json()["statements"][0]["version"] == "1.0.0"


def test_authentication_and_scopes(client, lrs):
    assert (
        client.get("/xapi/statements", headers={"x-experience-api-version": "2.0.0"}).status_code
        == 401
    )
    wrong = LRS(client, "nobody", "nothing")
    assert wrong.get().status_code == 401

    writer, secret = Credential.issue("writer", ["statements/write"])
    assert LRS(client, writer.key, secret).get().status_code == 403

    # statements/read/mine reads only what this credential wrote.
    mine, mine_secret = Credential.issue("tool", ["statements/write", "statements/read/mine"])
    tool = LRS(client, mine.key, mine_secret)
    [own] = tool.post(statement()).json()
    [other] = lrs.post(statement()).json()
    assert [s["id"] for s in tool.get().json()["statements"]] == [own]
    assert tool.get({"statementId": other}).status_code == 404
    assert len(lrs.get().json()["statements"]) == 2

    mine.is_active = False
    mine.save()
    assert tool.get().status_code == 401


def test_about_needs_no_authentication(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json()["version"] == ["1.0.3", "2.0.0"]


def test_secrets_are_stored_as_keyed_hashes(capsys):
    call_command("create_lrs_credential", "Warehouse", "--scopes", "all/read", "--json")
    printed = json.loads(capsys.readouterr().out)
    credential = Credential.objects.get(key=printed["key"])
    assert credential.scopes == ["all/read"]
    assert printed["secret"] not in credential.secret_digest
    assert credential.check_secret(printed["secret"])
    assert not credential.check_secret(printed["secret"] + "x")


def test_statements_targeting_a_matching_statement_are_returned_even_if_it_is_voided(lrs):
    completed = "http://adlnet.gov/expapi/verbs/completed"
    [target] = lrs.post(statement(verb={"id": completed})).json()
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    [voiding_id] = lrs.post(voiding).json()
    lrs.post(statement())
    found = [s["id"] for s in lrs.get({"verb": completed}).json()["statements"]]
    assert found == [voiding_id]


def test_a_malformed_interaction_type_is_a_400_not_a_crash(lrs):
    data = statement()
    data["object"]["definition"] = {"interactionType": {"kind": "choice"}}
    response = lrs.post(data)
    assert response.status_code == 400
    assert "interactionType" in response.json()["error"]["message"]


def test_alternate_request_syntax_puts_and_gets_through_a_form_post(client, lrs_v1):
    """1.0.3 §7.8: headers, parameters and content travel as form fields of a POST."""
    statement_id = new_id()
    form = {
        "Authorization": lrs_v1.headers["authorization"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "statementId": statement_id,
        "content": json.dumps(statement()),
    }
    put = client.post("/xapi/statements?method=PUT", urlencode(form), content_type=FORM)
    assert put.status_code == 204
    get = client.post(
        "/xapi/statements?method=GET",
        urlencode(
            {k: form[k] for k in ("Authorization", "X-Experience-API-Version", "statementId")}
        ),
        content_type=FORM,
    )
    assert get.status_code == 200
    assert get.json()["id"] == statement_id
    extra = client.post(
        f"/xapi/statements?method=GET&statementId={statement_id}",
        urlencode(form),
        content_type=FORM,
    )
    assert extra.status_code == 400


def test_the_default_version_names_itself_when_the_client_did_not(client, settings):
    settings.XAPI_DEFAULT_VERSION = "1.0.3"
    assert client.get("/xapi/statements")["X-Experience-API-Version"] == "1.0.3"
    settings.XAPI_DEFAULT_VERSION = "2.0.0"
    assert client.get("/xapi/statements")["X-Experience-API-Version"] == "2.0.0"


def test_an_oversized_body_is_refused_with_413(lrs, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = lrs.post([statement() for _ in range(20)])
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]["message"]


def test_alternate_request_syntax_is_refused_in_2_0(client, lrs):
    form = {
        "Authorization": lrs.headers["authorization"],
        "X-Experience-API-Version": "2.0.0",
        "statementId": new_id(),
        "content": json.dumps(statement()),
    }
    response = client.post("/xapi/statements?method=PUT", urlencode(form), content_type=FORM)
    assert response.status_code == 400
    assert "2.0" in response.json()["error"]["message"]


def test_a_since_without_a_time_zone_is_read_as_utc_in_1_0_3(lrs_v1):
    lrs_v1.post(statement())
    assert len(lrs_v1.get({"since": "2000-01-01T00:00:00"}).json()["statements"]) == 1
    assert lrs_v1.get({"until": "2000-01-01T00:00:00"}).json()["statements"] == []
