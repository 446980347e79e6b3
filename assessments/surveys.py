"""Survey invitations: the learner's reaction when she completes a course, and follow-ups N
months later to her and to her supervisor. Made in the completing transaction; sent (and
reminded once) by the beat task `assessments.send_surveys`, each notification once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lms.learning.models import Enrolment, Notification
from lms.learning.notifications import notify_about

from .models import Quiz, SurveyInvitation


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def invite_on_completion(enrolment: Enrolment) -> list[SurveyInvitation]:
    """The course's surveys for a learner who has just completed it."""
    completed = timezone.localdate(enrolment.completed_at or timezone.now())
    made = []
    surveys = Quiz.objects.filter(purpose=Quiz.Purpose.SURVEY, course_id=enrolment.course_id)
    for survey in surveys:
        if survey.survey_kind == Quiz.SurveyKind.REACTION:
            respondent, about, send_on = enrolment.learner, None, completed
        elif survey.survey_kind == Quiz.SurveyKind.FOLLOW_UP:
            respondent, about = enrolment.learner, None
            send_on = add_months(completed, survey.months_after or 3)
        elif survey.survey_kind == Quiz.SurveyKind.FOLLOW_UP_SUPERVISOR:
            respondent, about = enrolment.learner.supervisor, enrolment.learner
            send_on = add_months(completed, survey.months_after or 3)
            if respondent is None:
                continue  # nobody to ask; the results page counts invitations, not people
        else:
            continue
        invitation, created = SurveyInvitation.objects.get_or_create(
            quiz=survey,
            enrolment=enrolment,
            respondent=respondent,
            defaults={"about": about, "send_on": send_on},
        )
        if created:
            made.append(invitation)
    due = [i for i in made if i.send_on <= timezone.localdate()]
    for invitation in due:
        _send(invitation, timezone.now())
    return made


def _link(invitation: SurveyInvitation) -> str:
    return reverse("assessments:survey", args=[invitation.pk])


def _send(invitation: SurveyInvitation, now: dt.datetime, *, reminder: bool = False) -> None:
    kind = Notification.Kind.SURVEY_REMINDER if reminder else Notification.Kind.SURVEY
    notify_about(
        invitation.enrolment,
        kind,
        event=f"{kind}:{invitation.pk}",
        link=_link(invitation),
        recipient=invitation.respondent,
    )
    field = "reminded_at" if reminder else "sent_at"
    SurveyInvitation.objects.filter(pk=invitation.pk).update(**{field: now})


def send_due(today: dt.date | None = None) -> tuple[int, int]:
    """Send the invitations due by today and remind those unanswered after the survey's
    reminder days. Returns (sent, reminded)."""
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):  # a run for another day
        now = timezone.make_aware(dt.datetime.combine(today, timezone.localtime(now).time()))
    today = timezone.localdate(now)
    sent = reminded = 0
    # Reminders first: an invitation sent in this run is not reminded in it.
    waiting = SurveyInvitation.objects.filter(
        sent_at__isnull=False, reminded_at__isnull=True, answered_at__isnull=True
    ).select_related("quiz", "enrolment", "respondent")
    for invitation in waiting:
        days = dt.timedelta(days=invitation.quiz.reminder_days)
        if timezone.localdate(invitation.sent_at) + days > today:
            continue
        with transaction.atomic():
            _send(invitation, now, reminder=True)
        reminded += 1
    due = SurveyInvitation.objects.filter(
        send_on__lte=today, sent_at__isnull=True, answered_at__isnull=True
    ).select_related("enrolment", "respondent")
    for invitation in due:
        with transaction.atomic():
            _send(invitation, now)
        sent += 1
    return sent, reminded
