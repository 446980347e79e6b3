"""Both ways of writing statements keep the same rows: the single-statement path (PostgreSQL,
autocommit) and the ORM path (SQLite, or inside a caller's transaction)."""

import json

import pytest

from lms.xapi.models import Statement, StatementActivity, StatementAgent
from tests.xapi.conftest import new_id, statement

pytestmark = pytest.mark.django_db(transaction=True)


def test_rows_conflicts_and_repeats_outside_a_transaction(lrs_v1):
    lrs = lrs_v1  # 1.0.3 allows a timestamp without a zone
    learner = {"account": {"homePage": "https://malaka.test", "name": "learner-9"}}
    data = statement(
        id=new_id(),
        actor=learner,
        timestamp="2026-11-22T10:00:00",
        context={"contextActivities": {"parent": {"id": "https://malaka.test/courses/cm-101"}}},
    )
    assert lrs.post([data, statement()]).status_code == 200
    row = Statement.objects.get(statement_id=data["id"])
    assert row.actor_key == "account:https://malaka.test|learner-9"
    assert row.timestamp.isoformat().startswith("2026-11-22T10:00:00")
    assert StatementAgent.objects.filter(statement=row).count() == 2  # actor + authority
    assert set(
        StatementActivity.objects.filter(statement=row).values_list("activity_id", "direct")
    ) == {
        ("https://malaka.test/courses/cm-101", False),
        (data["object"]["id"], True),
    }
    # The same statement again is accepted and writes nothing; a different one conflicts.
    assert lrs.post(data).status_code == 200
    assert (
        lrs.post({**data, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}}).status_code
        == 409
    )
    assert Statement.objects.count() == 2
    found = lrs.get({"agent": json.dumps(learner)}).json()["statements"]
    assert [s["id"] for s in found] == [data["id"]]
