"""The xAPI statements of learning, built with the Malaka profile (lms/tracking). The
enrolment's registration is the registration of every one of them."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from wagtail.models import Page

from lms.tracking import services as tracking

PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def _language(page: Page) -> str:
    code = page.locale.language_code
    return "uz-Cyrl" if code == "uz-cyrl" else code


def activity_iri(kind: str, page: Page) -> str:
    """Stable across languages and moves: courses by code, modules and lessons by the key
    their translations share."""
    base = settings.XAPI_HOMEPAGE.rstrip("/")
    if kind == "course":
        return f"{base}/xapi/activities/course/{page.code}"
    return f"{base}/xapi/activities/{kind}/{page.translation_key}"


def activity(kind: str, page: Page) -> dict:
    return tracking.activity(activity_iri(kind, page), kind, {_language(page): page.title})


def _statement(enrolment, verb, target, *, parent=None, result=None):
    return tracking.statement(
        enrolment.learner,
        verb,
        target,
        registration=enrolment.registration,
        course_code=enrolment.course.code,
        locale=translation.get_language(),
        parent=parent,
        result=result,
    )


def registered(enrolment) -> dict:
    return _statement(enrolment, "registered", activity("course", enrolment.course))


def launched(enrolment) -> dict:
    return _statement(enrolment, "launched", activity("course", enrolment.course))


def experienced(enrolment, lesson) -> dict:
    return _statement(
        enrolment,
        "experienced",
        activity("lesson", lesson),
        parent=activity("course", enrolment.course),
    )


def progressed(enrolment) -> dict:
    return _statement(
        enrolment,
        "progressed",
        activity("course", enrolment.course),
        result={"extensions": {PROGRESS: enrolment.percent}},
    )


def completed(enrolment, kind: str, page) -> dict:
    parent = None if kind == "course" else activity("course", enrolment.course)
    return _statement(
        enrolment, "completed", activity(kind, page), parent=parent, result={"completion": True}
    )
