"""Settings shared by every environment; dev, test and production refine them."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

INSTALLED_APPS = [
    "lms.people",
    "lms.xapi",
    "lms.tracking",
    "lms.learning",
    "content",
    "courses",
    "evaluation",
    "assessments",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "lms.wsgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages -----------------------------------------------------------------------------
# Uzbek Latin is the default; Uzbek Cyrillic is a locale of its own (Django's "uz-cyrl" maps
# to the gettext catalogue "uz_Cyrl"; lms.people.apps registers its LANG_INFO entry).
LANGUAGE_CODE = "uz"
LANGUAGES = [
    ("uz", "Oʻzbekcha"),
    ("uz-cyrl", "Ўзбекча"),
    ("ru", "Русский"),
    ("en", "English"),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tashkent"

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "lms" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads are checked: Wagtail enforces these on images and documents; Django on request bodies.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "pptx", "txt", "csv", "vtt"]
ROSTER_IMPORT_MAX_BYTES = 5 * 1024 * 1024
INDICATOR_IMPORT_MAX_BYTES = 10 * 1024 * 1024
#: H5P uploads: the file itself; content/h5p.py caps what it unpacks to (H5P_MAX_*).
H5P_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
#: The feed API takes at most this many values per request.
INDICATOR_FEED_MAX_ROWS = 5000

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Wagtail -------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Malaka"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
# The homePage of the pseudonymous xAPI accounts and LRS client authorities: stable per site.
XAPI_HOMEPAGE = "http://127.0.0.1:8000"
# The version the LRS names in its X-Experience-API-Version answer to a request that did not say
# which version it speaks (both versions are served; see docs/architecture.md).
XAPI_DEFAULT_VERSION = os.environ.get("XAPI_DEFAULT_VERSION", "2.0.0")
# Who a signed-in learner is in statements sent by same-origin lesson content (a dotted path
# to a function of the user; the LRS itself knows nothing of the platform's users).
XAPI_SESSION_ACTOR = "lms.tracking.services.actor"
# What the platform checks and rewrites in those statements before they are validated (dotted
# path to f(user, statements); ValueError refuses them with its message, 400), and what it reads
# from them once stored (f(user, statements)): H5P activities of lessons (content.h5p_tracking).
XAPI_SESSION_STATEMENTS = "content.h5p_tracking.check_session_statements"
XAPI_SESSION_STORED = "content.h5p_tracking.record_session_statements"
# Statements with attachments arrive as one request body (multipart/mixed).
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_LOCALIZE_DEFAULT_TRANSLATION_MODE = "synced"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

# --- Celery --------------------------------------------------------------------------------
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Retries of statement deliveries (new statements are delivered at once, on commit).
CELERY_BEAT_SCHEDULE = {
    "tracking-deliver": {"task": "tracking.deliver", "schedule": 60.0},
    # Reminders are made once per enrolment and due date, however often this runs.
    "learning-reminders": {"task": "learning.send_reminders", "schedule": 3600.0},
    # Timed attempts left open (the learner went away) are submitted with what was saved.
    "assessments-close-expired": {"task": "assessments.close_expired", "schedule": 60.0},
    # Survey invitations due today, and one reminder each; idempotent.
    "assessments-send-surveys": {"task": "assessments.send_surveys", "schedule": 3600.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's own background tasks (search index, references) log every run.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
AUTH_USER_MODEL = "people.User"

WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
    "CLASS": "content.translation.UzbekCyrillicTransliterator",
    "OPTIONS": {},
}
WAGTAILDOCS_EXTENSIONS = [*WAGTAILDOCS_EXTENSIONS, "mp4", "webm"]

# The read API (lms/learning/api.py): Malaka's own endpoints only, scoped like every page.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Malaka API",
    "DESCRIPTION": "Enrolments and progress, scoped by the caller's permissions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Only Malaka's own endpoints: not Wagtail's admin API or wagtail-localize's.
    "PREPROCESSING_HOOKS": ["lms.learning.api.only_malaka_endpoints"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
