"""Enrolment, assignment, progress and completion. Every change here commits together with
the xAPI statements that describe it (`tracking.record`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CoursePage, LessonPage, ModulePage
from lms.jobs import update_job
from lms.people.models import OrgUnit, Position, User
from lms.people.scoping import visible_people
from lms.tracking import services as tracking

from . import completion, curriculum, gates, notifications
from . import statements as xapi
from .models import AssignmentJob, AssignmentRule, Enrolment, LessonProgress, Notification


class LearningError(Exception):
    """A request the rules refuse; the message is for the person who made it."""


# -- prerequisites --------------------------------------------------------------------------------


def missing_prerequisites(learner: User, course: CoursePage) -> list[CoursePage]:
    """The prerequisite courses the learner has not completed (default-locale pages). A course
    that is no longer published cannot be taken, so it is not required (the course page does
    not list it either)."""
    required = []
    for prerequisite in curriculum.canonical(course).prerequisites.all():
        prerequisite = curriculum.canonical(prerequisite)
        if prerequisite.live and prerequisite not in required:
            required.append(prerequisite)
    if not required:
        return []
    done = set(
        Enrolment.objects.filter(
            learner=learner, course__in=required, status=Enrolment.Status.COMPLETED
        ).values_list("course_id", flat=True)
    )
    return [c for c in required if c.pk not in done]


def _titles(courses) -> str:
    return ", ".join(f"{c.code} {c.localized.title}" for c in courses)


# -- enrolment -----------------------------------------------------------------------------------


def self_enrol(learner: User, course: CoursePage) -> Enrolment:
    course = curriculum.canonical(course)
    if not course.self_enrolment:
        raise LearningError(_("This course is assigned by HR; you cannot enrol yourself."))
    missing = missing_prerequisites(learner, course)
    if missing:
        raise LearningError(
            _("Complete these courses first: %(courses)s.") % {"courses": _titles(missing)}
        )
    with transaction.atomic():
        enrolment, created = _enrol(learner, course, source=Enrolment.Source.SELF)
    if not created:
        raise LearningError(_("You are already enrolled in this course."))
    return enrolment


def _enrol(
    learner: User,
    course: CoursePage,
    *,
    source: str,
    assigned_by: User | None = None,
    rule: AssignmentRule | None = None,
    due_date: dt.date | None = None,
) -> tuple[Enrolment, bool]:
    """Create or reopen one enrolment. Returns it and whether it is new to the learner."""
    enrolment = Enrolment.objects.select_for_update().filter(learner=learner, course=course).first()
    if enrolment is not None and enrolment.status != Enrolment.Status.WITHDRAWN:
        if source != Enrolment.Source.SELF and enrolment.is_open:
            _reassign(
                enrolment, source=source, assigned_by=assigned_by, rule=rule, due_date=due_date
            )
        return enrolment, False
    if enrolment is None:
        enrolment = Enrolment(learner=learner, course=course)
    enrolment.status = Enrolment.Status.ENROLLED
    enrolment.source, enrolment.assigned_by, enrolment.rule = source, assigned_by, rule
    enrolment.due_date = due_date
    enrolment.enrolled_at = timezone.now()
    enrolment.withdrawn_at = None
    enrolment.lessons_total = curriculum.lessons_of(course).count()
    enrolment.save()
    returning = enrolment.lessons.filter(completed_at__isnull=False).exists()
    if returning:
        completion.count_lessons(enrolment)  # a learner coming back keeps what she had done
    tracking.record(xapi.registered(enrolment))
    if returning:
        # What was missing when she left (an assessment, say) may have been met since.
        completion.evaluate(enrolment)
    if source != Enrolment.Source.SELF:
        notifications.notify(enrolment, Notification.Kind.ASSIGNED)
    return enrolment, True


def _reassign(
    enrolment: Enrolment,
    *,
    source: str,
    assigned_by: User | None,
    rule: AssignmentRule | None,
    due_date: dt.date | None,
) -> None:
    """An assignment reaching someone already in the course (her progress is kept).

    It turns a self-enrolment into mandatory training, with its date if it has one, and tells
    her. HR assigning again with a new date moves the date. A rule re-applied to someone who is
    already assigned (any roster change to her row re-applies the rules) changes nothing: it
    must not push her date back or override HR's."""
    if enrolment.source == Enrolment.Source.SELF:
        enrolment.source, enrolment.assigned_by, enrolment.rule = source, assigned_by, rule
        enrolment.due_date = due_date
        enrolment.save(update_fields=["source", "assigned_by", "rule", "due_date"])
        notifications.notify(enrolment, Notification.Kind.ASSIGNED)
    elif source == Enrolment.Source.ASSIGNED and due_date and due_date != enrolment.due_date:
        enrolment.assigned_by, enrolment.due_date = assigned_by, due_date
        enrolment.save(update_fields=["assigned_by", "due_date"])


@dataclass
class AssignmentResult:
    assigned: int = 0
    already: int = 0
    rule: AssignmentRule | None = None


def assign(
    course: CoursePage,
    learners: Iterable[User],
    *,
    due_date: dt.date | None,
    assigned_by: User,
    rule: AssignmentRule | None = None,
) -> AssignmentResult:
    """Assign a course to people (HR's one person, a selection, or a rule's matches), in one
    transaction. People new to the course are written in bulk (enrolments, their statements
    and notifications: a few queries for a thousand people); those already in it, or coming
    back after a withdrawal, go through `_enrol` one by one."""
    course = curriculum.canonical(course)
    learners = list(learners)
    result = AssignmentResult(rule=rule)
    source = Enrolment.Source.RULE if rule else Enrolment.Source.ASSIGNED
    with transaction.atomic():
        known = set(
            Enrolment.objects.filter(
                course=course, learner__in=[p.pk for p in learners]
            ).values_list("learner_id", flat=True)
        )
        for learner in (p for p in learners if p.pk in known):
            _enrolment, created = _enrol(
                learner, course, source=source, assigned_by=assigned_by, rule=rule,
                due_date=due_date,
            )  # fmt: skip
            result.assigned += created
            result.already += not created
        now = timezone.now()
        total = curriculum.lessons_of(course).count()
        fresh = [
            Enrolment(
                learner=learner,
                course=course,
                status=Enrolment.Status.ENROLLED,
                source=source,
                assigned_by=assigned_by,
                rule=rule,
                due_date=due_date,
                enrolled_at=now,
                lessons_total=total,
            )  # fmt: skip
            for learner in dict.fromkeys(p for p in learners if p.pk not in known)
        ]
        Enrolment.objects.bulk_create(fresh, batch_size=500)
        tracking.record(*[xapi.registered(e) for e in fresh])
        notifications.notify_all(fresh, Notification.Kind.ASSIGNED)
        result.assigned += len(fresh)
    return result


#: Assignments to more people than this run in a Celery job with visible progress.
BACKGROUND_THRESHOLD = 300
JOB_CHUNK = 250


def start_assignment(
    course: CoursePage,
    people: list[User],
    *,
    due_date: dt.date | None,
    assigned_by: User,
    rule: AssignmentRule | None = None,
) -> AssignmentResult | AssignmentJob:
    """Assign now, or, for many people, queue a job and return it."""
    if len(people) <= BACKGROUND_THRESHOLD:
        return assign(course, people, due_date=due_date, assigned_by=assigned_by, rule=rule)
    ids = [p.pk for p in people]
    job = AssignmentJob.objects.create(
        course=curriculum.canonical(course), people=ids, total=len(ids), due_date=due_date,
        rule=rule, created_by=assigned_by,
    )  # fmt: skip
    from .tasks import run_assignment

    transaction.on_commit(lambda: run_assignment.delay(job.pk))
    return job


def run_assignment_job(job_id: int) -> AssignmentJob:
    """The worker's side: chunk after chunk, each in its own transaction, progress saved."""
    job = AssignmentJob.objects.select_related("course", "rule", "created_by").get(pk=job_id)
    if job.is_finished:
        return job  # a redelivered task does nothing
    update_job(job, status=AssignmentJob.Status.RUNNING, processed=0, assigned=0, already=0)
    processed = assigned = already = 0
    try:
        for start in range(0, len(job.people), JOB_CHUNK):
            chunk = job.people[start : start + JOB_CHUNK]
            people = list(User.objects.filter(pk__in=chunk).select_related("org_unit", "position"))
            result = assign(
                job.course, people, due_date=job.due_date, assigned_by=job.created_by,
                rule=job.rule,
            )  # fmt: skip
            processed += len(chunk)
            assigned += result.assigned
            already += result.already
            update_job(job, processed=processed, assigned=assigned, already=already)
    except Exception:
        update_job(job, status=AssignmentJob.Status.FAILED, finished_at=timezone.now())
        raise
    update_job(job, status=AssignmentJob.Status.SUCCEEDED, finished_at=timezone.now())
    return job


def matching_people(unit: OrgUnit, position: Position | None):
    people = User.objects.filter(is_active=True, org_unit__path__startswith=unit.path)
    if position is not None:
        people = people.filter(position=position)
    return people.select_related("org_unit", "position").order_by("pk")


def assign_matching(
    course: CoursePage,
    unit: OrgUnit,
    position: Position | None,
    *,
    due_date: dt.date | None,
    assigned_by: User,
    keep_applying: bool = False,
    due_days: int | None = None,
) -> AssignmentResult | AssignmentJob:
    """Everyone matching position × org-unit subtree (a job when they are many); with
    `keep_applying`, also whoever a later roster import adds or moves there (a rule)."""
    course = curriculum.canonical(course)
    with transaction.atomic():
        rule = None
        if keep_applying:
            rule = AssignmentRule.objects.create(
                course=course,
                org_unit=unit,
                position=position,
                due_date=due_date,
                due_days=due_days,
                created_by=assigned_by,
            )
        return start_assignment(
            course,
            list(matching_people(unit, position)),
            due_date=due_date,
            assigned_by=assigned_by,
            rule=rule,
        )


def apply_rules(user_ids: Iterable[int]) -> int:
    """Enrol the given people in every active rule that reaches them (after a roster import).
    Runs in the caller's transaction; returns how many enrolments were made."""
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    people = list(
        User.objects.filter(pk__in=user_ids, is_active=True, org_unit__isnull=False).select_related(
            "org_unit", "position"
        )
    )
    # HR withdrew these people from a rule's course: a later roster change to their row (which
    # re-applies the rules) must not enrol them again.
    exempt = set(
        Enrolment.objects.filter(
            learner_id__in=user_ids, status=Enrolment.Status.WITHDRAWN, rule__isnull=False
        ).values_list("learner_id", "rule_id")
    )
    made = 0
    today = timezone.localdate()
    for rule in AssignmentRule.objects.filter(active=True).select_related("org_unit", "course"):
        for person in people:
            if not person.org_unit.path.startswith(rule.org_unit.path):
                continue
            if rule.position_id and person.position_id != rule.position_id:
                continue
            if (person.pk, rule.pk) in exempt:
                continue
            _enrolment, created = _enrol(
                person,
                rule.course,
                source=Enrolment.Source.RULE,
                assigned_by=rule.created_by,
                rule=rule,
                due_date=rule.due_for_newcomer(today),
            )
            made += created
    return made


def _may_manage(by: User, learner_id: int) -> bool:
    """HR manages the enrolments of the people in its scope (a superuser everyone's)."""
    return (
        by.has_perm("learning.change_enrolment")
        and visible_people(by).filter(pk=learner_id).exists()
    )


def withdraw(enrolment: Enrolment, by: User) -> None:
    """A learner leaves a course she chose; HR withdraws anyone in its scope."""
    with transaction.atomic():
        # Decide on the stored enrolment, not on a copy that may be stale (completed or
        # assigned since it was read).
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.status == Enrolment.Status.COMPLETED:
            raise LearningError(_("A completed course cannot be withdrawn from."))
        if current.status != Enrolment.Status.WITHDRAWN:
            if by.pk == current.learner_id:
                if current.source != Enrolment.Source.SELF:
                    raise LearningError(_("Assigned training can only be withdrawn by HR."))
            elif not _may_manage(by, current.learner_id):
                raise LearningError(_("You may not withdraw this person from the course."))
            current.status = Enrolment.Status.WITHDRAWN
            current.withdrawn_at = timezone.now()
            current.save(update_fields=["status", "withdrawn_at"])
    enrolment.status, enrolment.withdrawn_at = current.status, current.withdrawn_at


# -- progress ------------------------------------------------------------------------------------


def enrolment_for(learner: User, course: CoursePage) -> Enrolment | None:
    if not learner.is_authenticated:
        return None
    return (
        Enrolment.objects.current()
        .filter(learner=learner, course=curriculum.canonical(course))
        .select_related("course")
        .first()
    )


def open_lesson(learner: User, lesson: LessonPage) -> Enrolment | None:
    """The learner opened a lesson (in any language): remember it, say it in xAPI."""
    lesson = curriculum.canonical(lesson)
    course = curriculum.course_of(lesson)
    enrolment = enrolment_for(learner, course)
    if enrolment is None:
        return None
    with transaction.atomic():
        # Re-read under a lock: a stale copy would write back a status completed meanwhile.
        enrolment = (
            Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
        )
        now = timezone.now()
        statements = []
        if enrolment.status == Enrolment.Status.ENROLLED:
            enrolment.status = Enrolment.Status.IN_PROGRESS
            enrolment.started_at = now
            statements.append(xapi.launched(enrolment))
        LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
        enrolment.last_lesson = lesson
        enrolment.save(update_fields=["status", "started_at", "last_lesson"])
        statements.append(xapi.experienced(enrolment, lesson))
        tracking.record(*statements)
    return enrolment


def complete_lesson(learner: User, lesson: LessonPage) -> Enrolment:
    """ "Mark complete": the lesson, its module when it was the last one, then the course.
    A lesson with activities to finish first (its gates) is refused until they are done."""
    lesson = curriculum.canonical(lesson)
    course = curriculum.course_of(lesson)
    enrolment = enrolment_for(learner, course)
    if enrolment is None:
        raise LearningError(_("Enrol in the course to record your progress."))
    if enrolment.status == Enrolment.Status.COMPLETED:
        return enrolment
    waiting = gates.unmet(enrolment, lesson)
    if waiting:
        raise LearningError(
            _("Finish the activities of this lesson first: %(activities)s.")
            % {"activities": ", ".join(gate.label for gate in waiting)}
        )
    missing = missing_prerequisites(learner, course)
    if missing:
        raise LearningError(
            _("Complete these courses first: %(courses)s.") % {"courses": _titles(missing)}
        )
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
        )
        if not enrolment.is_open:
            return enrolment  # completed or withdrawn meanwhile
        progress, _created = LessonProgress.objects.get_or_create(
            enrolment=enrolment, lesson=lesson
        )
        if progress.completed_at is not None:
            return enrolment  # idempotent: a second click records nothing
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
        statements = []
        if enrolment.status == Enrolment.Status.ENROLLED:
            # Marked complete without being opened first: the attempt starts here.
            enrolment.status = Enrolment.Status.IN_PROGRESS
            enrolment.started_at = progress.completed_at
            statements.append(xapi.launched(enrolment))
        enrolment.last_lesson = lesson
        statements.append(xapi.completed(enrolment, "lesson", lesson))
        module = lesson.get_parent().specific
        module_lessons = set(
            LessonPage.objects.live().child_of(module).values_list("pk", flat=True)
        )
        if module_lessons and module_lessons <= completed_lesson_ids(enrolment):
            statements.append(xapi.completed(enrolment, "module", module))
        completion.count_lessons(enrolment, save=False)
        enrolment.save()
        statements.append(xapi.progressed(enrolment))
        tracking.record(*statements)
        completion.evaluate(enrolment, counted=True)
    return enrolment


def activity_done(learner: User, lesson: LessonPage) -> Enrolment | None:
    """A gated activity of the lesson was finished (a quiz passed, an H5P exercise scored):
    complete the lesson when that was the last gate. Call inside the activity's transaction.
    Returns the enrolment when the lesson is now complete, else None."""
    lesson = curriculum.canonical(lesson)
    enrolment = enrolment_for(learner, curriculum.course_of(lesson))
    if enrolment is None or not enrolment.is_open:
        return None
    if not gates.gates(enrolment, lesson) or gates.unmet(enrolment, lesson):
        return None
    try:
        return complete_lesson(learner, lesson)
    except LearningError:
        return None  # e.g. a prerequisite course is still missing: the learner is told there


def refresh_course_progress(course: CoursePage) -> int:
    """After a course's lessons changed (published, unpublished, deleted): recount the open
    enrolments counted against another number of lessons, and complete those whose last
    missing lesson is gone. Returns how many were completed."""
    total = curriculum.lessons_of(course).count()
    stale = (
        Enrolment.objects.open()
        .filter(course=course)
        .exclude(lessons_total=total)
        .values_list("pk", flat=True)
    )
    completed = 0
    for pk in list(stale):
        with transaction.atomic():
            enrolment = Enrolment.objects.select_for_update().select_related("course").get(pk=pk)
            completion.count_lessons(enrolment)
            completed += completion.evaluate(enrolment)
    return completed


def completed_lesson_ids(enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(
        enrolment.lessons.filter(completed_at__isnull=False).values_list("lesson_id", flat=True)
    )


def next_lessons(enrolments: list[Enrolment]) -> dict[int, LessonPage]:
    """{enrolment id: the lesson to open next} — the first lesson not completed from the last
    one opened on, wrapping round — for any number of enrolments in three queries. Lessons
    count as in `curriculum.lessons_of`: live, in a live module."""
    if not enrolments:
        return {}
    lessons_q, modules_q = Q(), Q()
    for e in enrolments:
        lessons_q |= Q(path__startswith=e.course.path, depth=e.course.depth + 2)
        modules_q |= Q(path__startswith=e.course.path, depth=e.course.depth + 1)
    hidden = tuple(ModulePage.objects.not_live().filter(modules_q).values_list("path", flat=True))
    lessons = [
        x
        for x in LessonPage.objects.live()
        .filter(lessons_q)
        .order_by("path")
        .only("pk", "path", "depth", "url_path", "title", "translation_key", "locale_id")
        if not (hidden and x.path.startswith(hidden))
    ]
    done = set(
        LessonProgress.objects.filter(
            enrolment__in=enrolments, completed_at__isnull=False
        ).values_list("enrolment_id", "lesson_id")
    )
    found = {}
    for e in enrolments:
        own = [x for x in lessons if x.path.startswith(e.course.path)]
        start = next((i for i, x in enumerate(own) if x.pk == e.last_lesson_id), 0)
        lesson = next((x for x in own[start:] + own[:start] if (e.pk, x.pk) not in done), None)
        if lesson is not None:
            found[e.pk] = lesson
    return found


def resume_lesson(enrolment: Enrolment) -> LessonPage | None:
    """Where to go on (`next_lessons`); with every lesson done, the first one."""
    lesson = next_lessons([enrolment]).get(enrolment.pk)
    return lesson or curriculum.lessons_of(enrolment.course).first()
