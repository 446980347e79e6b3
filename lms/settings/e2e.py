"""The browser tests' server: the test settings with the database and media the e2e fixture
prepared (tests/e2e/conftest.py). Background jobs run eagerly inside the request."""

import os

import dj_database_url

from .test import *  # noqa: F403

DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)}
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
DEBUG = False
