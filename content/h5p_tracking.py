"""H5P activities of lessons, as the LRS and the learning part see them.

An H5P block in a lesson plays as the activity
``{XAPI_HOMEPAGE}/xapi/activities/h5p/<lesson translation_key>/<package key>`` (H5P appends
``?subContentId=<id>`` for the parts of compound content): stable across the lesson's
languages, and one activity per package in each lesson it is placed in.

The player posts its statements to the LRS with the learner's session (lms/xapi/views.py). The
browser is not trusted; the LRS calls two platform functions named by settings:
- ``check_session_statements`` (XAPI_SESSION_STATEMENTS), before validation: every statement
  must be about an H5P activity of a lesson of a course the learner is enrolled in, with a
  score that holds together; the registration is forced to the enrolment's, and the context
  activities set (top level: parent the course, grouping the lesson; sub-content: parent the
  activity it is part of, grouping the lesson and the course). ValueError refuses the batch.
- ``record_session_statements`` (XAPI_SESSION_STORED), once stored: a scored answered /
  completed / passed / failed of the activity itself (not of a part) updates the learner's
  ``H5PResult`` and then lets learning complete the lesson if that was its last gate.

``lesson_gates`` is the lesson gate provider (registered in apps.py): one gate per required H5P
block of the lesson (read from its default-locale page).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation

from courses.models import LessonPage
from lms.learning import curriculum, services
from lms.learning import statements as xapi
from lms.learning.gates import Gate
from lms.learning.models import Enrolment

from .models import H5PPackage, H5PResult

STATE_ID = "h5p-user-data"
ADL = "http://adlnet.gov/expapi/verbs/"
PASSED = ADL + "passed"
#: Verbs that report the end of an attempt at the activity, with its score.
RESULT_VERBS = {ADL + "answered", ADL + "completed", PASSED, ADL + "failed"}
#: Tolerance between result.score.scaled and raw within min..max (H5P rounds to 4 places).
SCALED_TOLERANCE = 0.005
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def h5p_activity_iri(lesson_key, package_key) -> str:
    base = settings.XAPI_HOMEPAGE.rstrip("/")
    return f"{base}/xapi/activities/h5p/{lesson_key}/{package_key}"


@dataclass(frozen=True)
class ActivityId:
    lesson_key: str
    package_key: str
    sub_content: str | None

    @property
    def base(self) -> str:
        return h5p_activity_iri(self.lesson_key, self.package_key)


def parse_activity_id(iri: object) -> ActivityId | None:
    if not isinstance(iri, str):
        return None
    prefix = re.escape(settings.XAPI_HOMEPAGE.rstrip("/") + "/xapi/activities/h5p/")
    match = re.fullmatch(
        rf"{prefix}(?P<lesson>{_UUID})/(?P<package>{_UUID})(?:\?subContentId=(?P<sub>[\w-]{{1,64}}))?",
        iri,
    )
    if match is None:
        return None
    return ActivityId(
        match["lesson"].lower(), match["package"].lower(), match["sub"] and match["sub"]
    )


@dataclass(frozen=True)
class Target:
    """An H5P activity of a lesson, for one learner."""

    lesson: LessonPage  # default locale
    package: H5PPackage
    enrolment: Enrolment


def _packages_in(lesson_key: str) -> set[int]:
    """The packages placed in any live language version of the lesson."""
    found = set()
    for body in (
        LessonPage.objects.live().filter(translation_key=lesson_key).values_list("body", flat=True)
    ):
        for block in body.raw_data if hasattr(body, "raw_data") else body or []:
            if block.get("type") == "h5p" and isinstance(block.get("value"), dict):
                found.add(block["value"].get("package"))
    return found


def resolve(user, activity: ActivityId) -> Target:
    """The lesson, package and enrolment an activity id stands for; ValueError if the learner
    may not speak of it."""
    lesson = LessonPage.objects.filter(
        translation_key=activity.lesson_key, locale__language_code=settings.LANGUAGE_CODE
    ).first()
    package = H5PPackage.objects.filter(key=activity.package_key).first()
    if lesson is None or package is None or package.pk not in _packages_in(activity.lesson_key):
        raise ValueError(f"{activity.base} is not an H5P activity of a published lesson")
    enrolment = services.enrolment_for(user, curriculum.course_of(lesson))
    if enrolment is None:
        raise ValueError("you are not enrolled in the course of this lesson")
    return Target(lesson=lesson, package=package, enrolment=enrolment)


def _number(score: dict, name: str) -> float | None:
    value = score.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None  # absent, or wrong: the validator names it
    return float(value)


def _check_score(result: object, where: str) -> None:
    if not isinstance(result, dict) or not isinstance(result.get("score"), dict):
        return
    score = result["score"]
    raw, low, high, scaled = (_number(score, n) for n in ("raw", "min", "max", "scaled"))
    if low is not None and high is not None and low >= high:
        raise ValueError(f"{where}: result.score.min must be less than max")
    if raw is not None and low is not None and raw < low:
        raise ValueError(f"{where}: result.score.raw ({raw:g}) is below min ({low:g})")
    if raw is not None and high is not None and raw > high:
        raise ValueError(f"{where}: result.score.raw ({raw:g}) is above max ({high:g})")
    if scaled is not None and not -1 <= scaled <= 1:
        raise ValueError(f"{where}: result.score.scaled must be between -1 and 1")
    if scaled is not None and raw is not None and high is not None:
        low = 0.0 if low is None else low
        expected = (raw - low) / (high - low) if high > low else None
        if expected is not None and abs(expected - scaled) > SCALED_TOLERANCE:
            raise ValueError(
                f"{where}: result.score.scaled ({scaled:g}) does not match raw {raw:g} "
                f"of {low:g}..{high:g}"
            )


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _set_context(statement: dict, target: Target, activity: ActivityId, where: str) -> None:
    context = statement.setdefault("context", {})
    if not isinstance(context, dict):
        raise ValueError(f"{where}: context must be an object")
    context["registration"] = str(target.enrolment.registration)
    activities = context.setdefault("contextActivities", {})
    if not isinstance(activities, dict):
        raise ValueError(f"{where}: context.contextActivities must be an object")
    course = xapi.activity("course", target.enrolment.course)
    lesson = xapi.activity("lesson", target.lesson)
    if activity.sub_content is None:
        activities["parent"] = [course]
        activities["grouping"] = [lesson]
        return
    # A part of compound content keeps the part it belongs to, if H5P named one of this
    # activity; otherwise its parent is the activity itself.
    own = [
        parent
        for parent in _as_list(activities.get("parent"))
        if isinstance(parent, dict)
        and (parsed := parse_activity_id(parent.get("id"))) is not None
        and parsed.base == activity.base
    ]
    activities["parent"] = own or [{"objectType": "Activity", "id": activity.base}]
    activities["grouping"] = [lesson, course]


def check_session_statements(user, statements: list) -> None:
    """XAPI_SESSION_STATEMENTS: refuse (ValueError) or rewrite, in place, statements sent by
    lesson content with a learner's session. Items that are not objects are left to the
    validator."""
    targets: dict[str, Target] = {}
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            continue
        where = "the statement" if len(statements) == 1 else f"statement {index}"
        target_object = statement.get("object")
        if not isinstance(target_object, dict) or target_object.get("objectType", "Activity") != (
            "Activity"
        ):
            raise ValueError(f"{where}: lesson content may only send statements about an activity")
        activity = parse_activity_id(target_object.get("id"))
        if activity is None:
            raise ValueError(
                f"{where}: {target_object.get('id')!r} is not an H5P activity of a lesson"
            )
        if activity.base not in targets:
            targets[activity.base] = resolve(user, activity)
        target_object["id"] = (
            activity.base
            if activity.sub_content is None
            else f"{activity.base}?subContentId={activity.sub_content}"
        )
        _check_score(statement.get("result"), where)
        _set_context(statement, targets[activity.base], activity, where)


def scaled_score(score: object) -> float | None:
    if not isinstance(score, dict):
        return None
    scaled = _number(score, "scaled")
    if scaled is not None:
        return scaled
    raw, low, high = (_number(score, n) for n in ("raw", "min", "max"))
    low = 0.0 if low is None else low
    if raw is None or high is None or high <= low:
        return None
    return (raw - low) / (high - low)


def record_session_statements(user, statements: list[dict]) -> None:
    """XAPI_SESSION_STORED: keep the learner's best result of each activity the statements
    finished, then let learning complete the lesson when its gates are met."""
    outcomes: dict[ActivityId, tuple[float, bool]] = {}
    for statement in statements:
        activity = parse_activity_id(statement.get("object", {}).get("id"))
        verb = statement.get("verb", {}).get("id")
        if activity is None or activity.sub_content is not None or verb not in RESULT_VERBS:
            continue
        result = statement.get("result") or {}
        scaled = scaled_score(result.get("score"))
        if scaled is None:
            continue
        passed = result.get("success") is True or verb == PASSED
        best, was_passed = outcomes.get(activity, (scaled, False))
        outcomes[activity] = (max(best, scaled), was_passed or passed)
    for activity, (scaled, passed) in outcomes.items():
        with transaction.atomic():
            target = resolve(user, activity)
            row, _created = H5PResult.objects.select_for_update().get_or_create(
                learner=user, lesson=target.lesson, package=target.package
            )
            if row.best_scaled is None or scaled > row.best_scaled:
                row.best_scaled = scaled
            row.completed = True
            row.passed = row.passed or passed
            row.save()
            services.activity_done(user, target.lesson)


def _required_blocks(lesson: LessonPage) -> list[tuple[str, dict]]:
    return [
        (block.get("id"), block["value"])
        for block in lesson.body.raw_data
        if block.get("type") == "h5p"
        and isinstance(block.get("value"), dict)
        and block["value"].get("required")
        and block["value"].get("package")
    ]


def _titles_in_language(lesson: LessonPage) -> dict[str, str]:
    """Block id → the block's title in the reader's language (translations keep block ids)."""
    language = translation.get_language()
    if not language or language == settings.LANGUAGE_CODE:
        return {}
    page = LessonPage.objects.filter(
        translation_key=lesson.translation_key, locale__language_code=language
    ).first()
    if page is None:
        return {}
    return {
        block.get("id"): block["value"].get("title")
        for block in page.body.raw_data
        if block.get("type") == "h5p" and isinstance(block.get("value"), dict)
    }


def lesson_gates(enrolment: Enrolment, lesson: LessonPage) -> list[Gate]:
    """The lesson gate provider: each required H5P block is met once the learner finished the
    activity (and reached its pass mark, if it has one)."""
    lesson = getattr(lesson, "specific", lesson)
    if not isinstance(lesson, LessonPage):
        return []
    blocks = _required_blocks(lesson)
    if not blocks:
        return []
    packages = {value["package"] for _id, value in blocks}
    results = {
        result.package_id: result
        for result in H5PResult.objects.filter(
            learner=enrolment.learner, lesson=lesson, package_id__in=packages
        )
    }
    titles = _titles_in_language(lesson)
    gates = []
    for block_id, value in blocks:
        result = results.get(value["package"])
        pass_score = value.get("pass_score")
        met = result is not None and result.completed
        if met and pass_score is not None:
            met = result.best_scaled is not None and round(result.best_scaled * 100, 6) >= (
                pass_score
            )
        gates.append(Gate(label=titles.get(block_id) or value.get("title") or "H5P", met=met))
    return gates
