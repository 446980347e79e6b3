"""The LRS (`/xapi/…`) served by a Django handler with only the middleware it needs.

Every statement POST otherwise runs the site's whole stack (static files, language
negotiation, common URL rules, messages, frame options, Wagtail redirects), which the LRS never
uses: it sets its own headers, answers its own 404s and has no pages. It keeps security
headers, the session and the signed-in user (same-origin lesson content posts with the
learner's session; `lms.xapi.views` checks that request's CSRF token itself)."""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

LRS_PREFIX = "/xapi/"
LRS_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
)


class LRSHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = [m for m in full if m in LRS_MIDDLEWARE]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class LRSDispatcher:
    """WSGI: /xapi/ to the lean handler, everything else to the site's."""

    def __init__(self, site):
        self.site = site
        self.lrs = LRSHandler()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(LRS_PREFIX):
            return self.lrs(environ, start_response)
        return self.site(environ, start_response)
