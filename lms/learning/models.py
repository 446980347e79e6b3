"""Enrolments, lesson progress, assignments and their rules, and notifications.

A course exists once per locale in the page tree (translations share a `translation_key`).
Learning is about the course, not a language version of it: enrolments and progress always
point at the page in the default locale (`uz`), whatever language the learner reads in
(`courses.canonical`)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssignmentRule(models.Model):
    """ "Everyone matching this position in this part of the organisation takes this course."
    Applied once when HR creates it, and again to every person a later roster import creates or
    moves into its reach."""

    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("course"), on_delete=models.CASCADE, related_name="+"
    )
    org_unit = models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("This unit and everything below it."),
    )
    position = models.ForeignKey(
        "people.Position",
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for every position."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(
        _("days allowed for newcomers"),
        null=True,
        blank=True,
        help_text=_("People added later get this many days from the day they are added."),
    )
    active = models.BooleanField(_("keeps applying to new staff"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.course_id} → {self.org_unit_id}/{self.position_id or '*'}"

    def due_for_newcomer(self, today=None):
        today = today or timezone.localdate()
        if self.due_days is not None:
            return today + timezone.timedelta(days=self.due_days)
        if self.due_date and self.due_date >= today:
            return self.due_date
        return None


class EnrolmentQuerySet(models.QuerySet):
    def current(self):
        return self.exclude(status=Enrolment.Status.WITHDRAWN)

    def open(self):
        return self.filter(status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.IN_PROGRESS])

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Enrolment(models.Model):
    """A person's place in a course. Its `registration` is the xAPI registration of every
    statement about this attempt."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNED = "assigned", _("Assigned by HR")
        RULE = "rule", _("Assigned by a rule")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    registration = models.UUIDField(_("registration"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ENROLLED
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.ForeignKey(
        AssignmentRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("last lesson opened"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lessons_completed = models.PositiveSmallIntegerField(_("lessons completed"), default=0)
    lessons_total = models.PositiveSmallIntegerField(_("lessons"), default=0)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="one_enrolment_per_course")
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="enrolment_status_due"),
            models.Index(fields=["course", "status"], name="enrolment_course_status"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.course_id}"

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.ENROLLED, self.Status.IN_PROGRESS}

    def is_overdue(self, today=None) -> bool:
        return bool(
            self.is_open and self.due_date and self.due_date < (today or timezone.localdate())
        )

    @property
    def percent(self) -> int:
        if self.status == self.Status.COMPLETED:
            return 100
        if not self.lessons_total:
            return 0
        return min(100, round(100 * self.lessons_completed / self.lessons_total))

    def state(self, today=None) -> str:
        """What a person sees: the stored status, or "overdue" for an open one past its date."""
        return "overdue" if self.is_overdue(today) else self.status

    def get_state_display(self, today=None) -> str:
        if self.is_overdue(today):
            return str(_("Overdue"))
        return self.get_status_display()


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lessons")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(_("first opened"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_progress_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.lesson_id}"


class Notification(models.Model):
    """A message to one person, shown in the app and sent by e-mail. `event` names what it is
    about (the kind and the due date it reminds of), unique per enrolment: a reminder is never
    sent twice, and a new due date gets its own reminders."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("New assignment")
        DUE_7 = "due_7", _("Due in 7 days")
        DUE_1 = "due_1", _("Due tomorrow")
        OVERDUE = "overdue", _("Overdue")
        COMPLETED = "completed", _("Course completed")
        GRADED = "graded", _("Work graded")
        SURVEY = "survey", _("Survey")
        SURVEY_REMINDER = "survey_reminder", _("Survey reminder")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    event = models.CharField(max_length=80)
    #: Where the notification leads (a path on this site); empty: My learning.
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "event"], name="one_notification_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.event}"


class AssignmentJob(models.Model):
    """A large assignment, run by a Celery worker in chunks with its progress kept here.
    Each chunk commits on its own; running the job again assigns nobody twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Assigning")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("course"), on_delete=models.CASCADE, related_name="+"
    )
    people = models.JSONField(_("people"), default=list)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    rule = models.ForeignKey(
        AssignmentRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("people"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    assigned = models.PositiveIntegerField(_("assigned"), default=0)
    already = models.PositiveIntegerField(_("already enrolled"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment job")
        verbose_name_plural = _("assignment jobs")

    def __str__(self) -> str:
        return f"{self.course_id}: {self.processed}/{self.total}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return min(99, round(100 * self.processed / self.total)) if self.total else 0
