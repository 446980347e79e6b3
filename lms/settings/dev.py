"""The embedded default: SQLite in WAL mode, local-memory cache, and a real Celery worker on a
file-system broker that `make run` starts beside the web server (see bin/serve)."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-malaka")  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "malaka.sqlite3",
        "OPTIONS": {
            # WAL lets the worker write while the web server reads; the pragmas are applied on
            # every new connection.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_BROKER_DIR = VAR_DIR / "celery-broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(_BROKER_DIR),
    "data_folder_out": str(_BROKER_DIR),
    "processed_folder": str(VAR_DIR / "celery-processed"),
    "store_processed": False,
    # Broadcast (remote control) messages; kombu's default is ./control in the working directory.
    "control_folder": str(VAR_DIR / "celery-control"),
}
# Any process may queue a job (the seed loader does), not only the one bin/serve starts.
for _folder in ("celery-broker", "celery-processed", "celery-control"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:" + os.environ.get("PORT", "8000")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
