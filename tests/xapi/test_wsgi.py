"""The WSGI entry point sends /xapi/ to the LRS's lean handler and the rest to the site."""

import base64
import io
import json
import sys

import pytest

from lms.lrs_wsgi import LRSDispatcher, LRSHandler
from lms.xapi.models import Credential, Statement

from .conftest import statement

pytestmark = pytest.mark.django_db(transaction=True)


def call(app, path, method="GET", body=b"", **headers):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        **{f"HTTP_{k.upper()}": v for k, v in headers.items()},
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(response_headers)

    seen["body"] = b"".join(app(environ, start_response))
    return seen


@pytest.fixture
def app():
    from django.core.wsgi import get_wsgi_application

    return LRSDispatcher(get_wsgi_application())


def test_the_lrs_handler_runs_only_its_middleware():
    handler = LRSHandler()
    names = [type(m).__name__ for m in _chain(handler._middleware_chain)]
    assert "LocaleMiddleware" not in names and "MessageMiddleware" not in names


def _chain(link):
    while link is not None:
        yield link
        link = getattr(link, "get_response", None)


def test_statements_through_the_wsgi_entry_point(app):
    credential, secret = Credential.issue("wsgi", ["all"])
    token = base64.b64encode(f"{credential.key}:{secret}".encode()).decode()
    auth = {"authorization": f"Basic {token}", "x_experience_api_version": "2.0.0"}
    answer = call(app, "/xapi/statements", "POST", json.dumps(statement()).encode(), **auth)
    assert answer["status"] == 200, answer["body"]
    assert Statement.objects.count() == 1
    missing = call(app, "/xapi/nothing-here", **auth)
    assert missing["status"] == 404
    assert "Location" not in missing["headers"]  # not redirected to a language prefix
    about = call(app, "/xapi/about")
    assert about["status"] == 200 and "2.0.0" in json.loads(about["body"])["version"]


def test_the_site_keeps_its_whole_stack(app):
    answer = call(app, "/search/", accept_language="ru")
    assert answer["status"] == 302
    assert answer["headers"]["Location"].startswith("/ru/")  # language negotiation ran
