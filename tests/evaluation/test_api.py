"""The feed API for indicator values: bearer tokens, all-or-nothing, every bad row reported."""

import pytest
from rest_framework.test import APIClient

from evaluation.models import FeedToken, Indicator, IndicatorValue
from tests.factories import org_tree

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicator-values/"


@pytest.fixture
def feed():
    tree = org_tree(regions=2, districts=1)
    Indicator.objects.create(
        code="PLAN-10D",
        name="Reja 10 kunda",
        definition="…",
        unit=Indicator.Unit.PERCENT,
        direction=Indicator.Direction.HIGHER,
        source="CMIS",
    )
    token, secret = FeedToken.issue("CMIS", tree["regions"][0])
    client = APIClient(headers={"accept-language": "en"})
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    inside, outside = tree["centres"][0].code, tree["centres"][1].code
    return {"client": client, "token": token, "inside": inside, "outside": outside}


def _row(unit, period="2025-03", value=81.5, **extra):
    return {
        "indicator_code": "PLAN-10D",
        "org_unit_code": unit,
        "period": period,
        "value": value,
        "numerator": 163,
        "denominator": 200,
        **extra,
    }


def test_a_system_sends_values_and_resending_replaces_them(feed):
    response = feed["client"].post(URL, {"values": [_row(feed["inside"])]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 1, "updated": 0}
    again = feed["client"].post(
        URL, {"values": [_row(feed["inside"], value=80.0, numerator=160)]}, format="json"
    )
    assert again.json() == {"created": 0, "updated": 1}
    value = IndicatorValue.objects.get()
    assert value.value == 80.0 and value.source == "CMIS"


def test_bad_rows_answer_400_with_every_problem_and_nothing_is_written(feed):
    values = [
        _row(feed["inside"]),
        _row(feed["outside"]),
        _row(feed["inside"], period="March"),
        _row(feed["inside"], period="2025-04", value="high"),
    ]
    response = feed["client"].post(URL, {"values": values}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert {e["line"] for e in body["errors"]} == {2, 3, 4}
    assert "outside your part of the organisation" in " ".join(e["message"] for e in body["errors"])
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{}, {"values": []}, {"values": "x"}, {"values": [1, 2]}, [1, 2]],
)
def test_a_malformed_body_answers_400_with_a_message(feed, payload):
    response = feed["client"].post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_body_that_is_not_json_answers_400(feed):
    response = feed["client"].post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_too_many_rows_answer_400(feed, settings):
    settings.INDICATOR_FEED_MAX_ROWS = 2
    response = feed["client"].post(URL, {"values": [_row(feed["inside"])] * 3}, format="json")
    assert response.status_code == 400 and "at most 2" in response.json()["detail"]


def test_no_token_a_wrong_token_or_a_revoked_one_is_refused(feed):
    assert APIClient().post(URL, {"values": []}, format="json").status_code in (401, 403)
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION=f"Bearer {feed['token'].prefix}.nope")
    assert wrong.post(URL, {"values": [_row(feed["inside"])]}, format="json").status_code == 401
    FeedToken.objects.filter(pk=feed["token"].pk).update(active=False)
    response = feed["client"].post(URL, {"values": [_row(feed["inside"])]}, format="json")
    assert response.status_code == 401
    assert not IndicatorValue.objects.exists()


def test_the_token_is_stored_only_as_a_keyed_hash():
    tree = org_tree(regions=1, districts=1)
    token, secret = FeedToken.issue("CMIS", tree["agency"])
    stored = FeedToken.objects.get(pk=token.pk)
    assert secret.split(".", 1)[1] not in stored.digest
    assert FeedToken.authenticate(secret) == stored
