"""Property: whatever a client sends, the LRS answers with a status and a message, never 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.xapi.store import QUERY_PARAMETERS
from tests.xapi.test_validation import json_values

pytestmark = pytest.mark.django_db

junk_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["true", "false", "2026-01-01T00:00:00", "2026-01-01T00:00:00Z", "0", "-1",
                     '{"mbox": "mailto:a@b.uz"}', "9e13cefd-53d3-4eac-b5ed-2cf6693903bb", "[]"]),
)  # fmt: skip
PARAMS = sorted(
    QUERY_PARAMETERS
    | {"statementId", "voidedStatementId", "more", "activityId", "agent", "stateId", "profileId"}
)
RESOURCES = ["/xapi/statements", "/xapi/activities/state", "/xapi/activities/profile",
             "/xapi/agents/profile", "/xapi/activities", "/xapi/agents"]  # fmt: skip
CHECK = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@CHECK
@given(
    resource=st.sampled_from(RESOURCES),
    params=st.dictionaries(st.sampled_from(PARAMS), junk_text, max_size=5),
    version=st.sampled_from(["1.0.3", "2.0.0"]),
)
def test_any_query_is_answered_without_a_server_error(lrs, resource, params, version):
    response = lrs.client.get(
        resource, params, headers={**lrs.headers, "x-experience-api-version": version}
    )
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.json()["error"]["message"]


@CHECK
@given(
    resource=st.sampled_from(RESOURCES),
    method=st.sampled_from(["post", "put", "delete"]),
    params=st.dictionaries(st.sampled_from(PARAMS), junk_text, max_size=4),
    body=json_values,
    version=st.sampled_from(["1.0.3", "2.0.0"]),
)
def test_any_write_is_answered_without_a_server_error(lrs, resource, method, params, body, version):
    from urllib.parse import urlencode

    call = getattr(lrs.client, method)
    response = call(
        f"{resource}?{urlencode(params)}", json.dumps(body), content_type="application/json",
        headers={**lrs.headers, "x-experience-api-version": version},
    )  # fmt: skip
    assert response.status_code < 500
