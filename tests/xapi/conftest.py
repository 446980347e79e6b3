import base64
import json
import uuid

import pytest

from lms.lrs_wsgi import LRS_MIDDLEWARE


@pytest.fixture(autouse=True)
def _lrs_middleware(request, settings):
    """The LRS is served with only its own middleware (lms/lrs_wsgi.py, used by lms/wsgi.py);
    its tests run with the same, so they test what production runs. The admin screens are
    pages of the site and keep the whole stack, as does the test of the WSGI dispatcher."""
    if not request.module.__name__.endswith(("test_admin", "test_wsgi")):
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m in LRS_MIDDLEWARE]
    # The LRS alone: the platform's rules for lesson content (which activities a session may
    # speak of) are tested with that content, in tests/content/test_h5p_player.py.
    settings.XAPI_SESSION_STATEMENTS = None
    settings.XAPI_SESSION_STORED = None


def statement(**overrides):
    data = {
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://malaka.test", "name": "u-1"},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"en-US": "experienced"},
        },
        "object": {"id": "https://malaka.test/courses/cm-101", "objectType": "Activity"},
    }
    data.update(overrides)
    return data


class LRS:
    """A test client speaking xAPI with a credential's Basic auth."""

    def __init__(self, client, key, secret, version="2.0.0"):
        self.client = client
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"authorization": f"Basic {token}", "x-experience-api-version": version}

    def post(self, body, **headers):
        return self.client.post(
            "/xapi/statements",
            json.dumps(body),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def put(self, statement_id, body, **headers):
        return self.client.put(
            f"/xapi/statements?statementId={statement_id}",
            json.dumps(body),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def get(self, params=None, **headers):
        return self.client.get(
            "/xapi/statements", params or {}, headers={**self.headers, **headers}
        )


@pytest.fixture
def lrs(client, db):
    from lms.xapi.models import Credential

    credential, secret = Credential.issue("test client", ["all"])
    return LRS(client, credential.key, secret)


@pytest.fixture
def lrs_v1(client, db):
    from lms.xapi.models import Credential

    credential, secret = Credential.issue("test client 1.0.3", ["all"])
    return LRS(client, credential.key, secret, version="1.0.3")


def new_id():
    return str(uuid.uuid4())
