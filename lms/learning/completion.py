"""The completion engine: a course is complete when every criterion its editors set is met.

`evaluate()` runs whenever something that could complete a course happens (a lesson marked
complete now; an assessment passed, a workshop attended, a placement signed off when those
parts exist). It is idempotent: evaluating a completed enrolment, or one whose criteria are not
met, changes nothing.

Criteria other than lessons are checked by providers that the parts owning them register
(`register`): a course that asks for, say, workshop attendance before the scheduling part is
installed is evaluated on the criteria that can be checked, and the unchecked ones are listed
by `criteria()` as "not yet tracked" so that nobody mistakes them for met.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.tracking import services as tracking

from . import curriculum
from . import statements as xapi
from .models import Enrolment

#: course_completed.send(sender=Enrolment, enrolment=...) inside the completing transaction.
course_completed = Signal()


@dataclass
class Criterion:
    label: str
    met: bool | None  # None: required by the course but not tracked by any installed part


#: name → (applies(course) -> bool, check(enrolment) -> bool, label)
_PROVIDERS: dict[str, tuple[Callable, Callable, str]] = {}


def register(name: str, applies: Callable, check: Callable, label: str) -> None:
    """Let a part of the platform (assessments, scheduling) add a completion criterion."""
    _PROVIDERS[name] = (applies, check, label)


def _lessons_required(course) -> bool:
    # A course with no criterion at all is completed by its lessons.
    return course.completion_all_lessons or not (
        course.completion_pass_mark is not None
        or course.completion_workshop
        or course.completion_placement
    )


def count_lessons(enrolment: Enrolment, *, save: bool = True) -> None:
    """Bring the enrolment's lesson counts up to date: lessons are published, unpublished and
    deleted after it was last counted."""
    live = curriculum.lessons_of(enrolment.course).values("pk")
    total = live.count()
    done = enrolment.lessons.filter(completed_at__isnull=False, lesson__in=live).count()
    if (done, total) == (enrolment.lessons_completed, enrolment.lessons_total):
        return
    enrolment.lessons_completed, enrolment.lessons_total = done, total
    if save:
        Enrolment.objects.filter(pk=enrolment.pk).update(
            lessons_completed=done, lessons_total=total
        )


def criteria(enrolment: Enrolment) -> list[Criterion]:
    course = enrolment.course
    found = []
    if _lessons_required(course):
        found.append(
            Criterion(
                str(_("All lessons completed")),
                enrolment.lessons_total > 0
                and enrolment.lessons_completed >= enrolment.lessons_total,
            )
        )
    wanted = {
        "assessment": (course.completion_pass_mark is not None, _("Final assessment passed")),
        "workshop": (course.completion_workshop, _("Workshop attended")),
        "placement": (course.completion_placement, _("Placement completed")),
    }
    for name, (required, label) in wanted.items():
        if not required:
            continue
        provider = _PROVIDERS.get(name)
        met = provider[1](enrolment) if provider and provider[0](course) else None
        found.append(Criterion(str(label), met))
    return found


def evaluate(enrolment: Enrolment, *, counted: bool = False) -> bool:
    """Complete the course if its criteria are met. Call inside the event's transaction;
    `counted` says the caller has just counted the lessons. Returns whether this call
    completed it."""
    if enrolment.status != Enrolment.Status.IN_PROGRESS and (
        enrolment.status != Enrolment.Status.ENROLLED
    ):
        return False
    if not counted:
        count_lessons(enrolment)  # the caller's copy may be older than the curriculum
    checked = [c for c in criteria(enrolment) if c.met is not None]
    if not checked or not all(c.met for c in checked):
        return False
    updated = Enrolment.objects.filter(
        pk=enrolment.pk,
        status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.IN_PROGRESS],
    ).update(status=Enrolment.Status.COMPLETED, completed_at=timezone.now())
    if not updated:
        return False  # someone else completed it first
    enrolment.refresh_from_db(fields=["status", "completed_at"])
    tracking.record(xapi.completed(enrolment, "course", enrolment.course))
    course_completed.send(sender=Enrolment, enrolment=enrolment)
    return True
