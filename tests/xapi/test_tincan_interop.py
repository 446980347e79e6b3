"""Interoperability: the `tincan` library (ADL's Python client, xAPI 1.0.3) as a real client of
the store over HTTP. It saves, retrieves and queries statements against our endpoint."""

import uuid

import pytest
from tincan import Activity, Agent, AgentAccount, RemoteLRS, Statement, Verb

from lms.xapi.models import Credential

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def remote(live_server):
    credential, secret = Credential.issue("tincan interop", ["all"])
    return RemoteLRS(
        endpoint=f"{live_server.url}/xapi/",
        version="1.0.3",
        username=credential.key,
        password=secret,
    )


def learner(name):
    return Agent(account=AgentAccount(home_page="https://malaka.test", name=name))


def test_tincan_saves_retrieves_and_queries(remote):
    # (remote.about() is not used: tincan rejects an About listing "2.0.0", one of its limits.)
    sent = Statement(
        id=str(uuid.uuid4()),
        actor=learner("learner-1"),
        verb=Verb(id="http://adlnet.gov/expapi/verbs/completed", display={"en-US": "completed"}),
        object=Activity(id="https://malaka.test/courses/cm-101"),
    )
    saved = remote.save_statement(sent)
    assert saved.success, saved.data

    got = remote.retrieve_statement(str(sent.id))
    assert got.success, got.data
    assert got.content.verb.id == "http://adlnet.gov/expapi/verbs/completed"
    assert got.content.actor.account.name == "learner-1"

    other = Statement(
        actor=learner("learner-2"),
        verb=Verb(id="http://adlnet.gov/expapi/verbs/experienced"),
        object=Activity(id="https://malaka.test/courses/cm-101/intake"),
    )
    batch = remote.save_statements([other])
    assert batch.success, batch.data
    assert (
        remote.retrieve_statement(str(batch.content[0].id)).content.actor.account.name
        == "learner-2"
    )

    found = remote.query_statements({"agent": learner("learner-1"), "limit": 10})
    assert found.success, found.data
    assert [str(s.id) for s in found.content.statements] == [str(sent.id)]


def test_tincan_is_refused_without_credentials(live_server):
    anonymous = RemoteLRS(endpoint=f"{live_server.url}/xapi/", version="1.0.3")
    response = anonymous.retrieve_statement(str(uuid.uuid4()))
    assert not response.success
    assert response.response.status == 401
