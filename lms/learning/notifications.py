"""Notifications: in the app and by e-mail, in the recipient's language.

A notification is unique per enrolment and event (`Notification.event`: the kind and the due
date it is about), so however often the reminder job runs, each reminder is made once; the
e-mail of a notification is claimed before it is sent, so a second worker never sends it
again."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Enrolment, Notification

logger = logging.getLogger(__name__)

#: Reminders by how many days are left (the most urgent that applies is sent).
REMINDER_DAYS = {Notification.Kind.DUE_7: 7, Notification.Kind.DUE_1: 1}


def event_key(enrolment: Enrolment, kind: str) -> str:
    if kind == Notification.Kind.ASSIGNED:
        return f"assigned:{enrolment.enrolled_at:%Y%m%dT%H%M%S%f}"
    return f"{kind}:{enrolment.due_date}"


def notify(enrolment: Enrolment, kind: str) -> Notification | None:
    """Make the notification unless it exists; its e-mail goes out after the commit."""
    notification, created = Notification.objects.get_or_create(
        enrolment=enrolment,
        event=event_key(enrolment, kind),
        defaults={"recipient_id": enrolment.learner_id, "kind": kind},
    )
    if created:
        _email_after_commit()
        return notification
    return None


def notify_about(
    enrolment: Enrolment, kind: str, *, event: str, link: str = "", recipient=None
) -> Notification | None:
    """A notification other parts of the platform make about an enrolment (work graded, a
    survey to answer), to the learner or to someone else (a supervisor); once per event.
    ``link`` is kept without its language prefix: each reader opens it in her language."""
    link = _LANGUAGE_PREFIX.sub("/", link)
    notification, created = Notification.objects.get_or_create(
        enrolment=enrolment,
        event=event,
        defaults={
            "recipient_id": recipient.pk if recipient else enrolment.learner_id,
            "kind": kind,
            "link": link,
        },
    )
    if created:
        _email_after_commit()
        return notification
    return None


_LANGUAGE_PREFIX = re.compile(
    r"^/(?:" + "|".join(re.escape(code) for code, _name in settings.LANGUAGES) + r")/"
)


def link_in(notification: Notification, language: str) -> str:
    """Where the notification leads, in ``language``: its link, or My learning."""
    if notification.link:
        return f"/{language}{notification.link}"
    with translation.override(language):
        return reverse("learning:my_learning")


def _email_after_commit() -> None:
    """One e-mail run per transaction, however many people a bulk assignment reached."""
    pending = transaction.get_connection().run_on_commit
    if not any(isinstance(c, _EmailRun) and not c.done for _sids, c, _robust in pending):
        transaction.on_commit(_EmailRun())


class _EmailRun:
    """The on-commit callback that queues one e-mail run for a transaction's notifications."""

    done = False

    def __call__(self) -> None:
        self.done = True
        _schedule_emails()


def notify_all(enrolments: list[Enrolment], kind: str) -> None:
    """`notify` for many new enrolments at once (a bulk assignment)."""
    if not enrolments:
        return
    Notification.objects.bulk_create(
        [
            Notification(
                enrolment=e, recipient_id=e.learner_id, kind=kind, event=event_key(e, kind)
            )
            for e in enrolments
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    _email_after_commit()


def _schedule_emails() -> None:
    from .tasks import send_emails

    send_emails.delay()


def reminder_kind(enrolment: Enrolment, today: dt.date) -> str | None:
    if not enrolment.due_date or not enrolment.is_open:
        return None
    days = (enrolment.due_date - today).days
    if days < 0:
        return Notification.Kind.OVERDUE
    if days == 0:
        return None  # "due tomorrow" would be wrong on the day itself; tomorrow it is overdue
    if days <= REMINDER_DAYS[Notification.Kind.DUE_1]:
        return Notification.Kind.DUE_1
    if days <= REMINDER_DAYS[Notification.Kind.DUE_7]:
        return Notification.Kind.DUE_7
    return None


def send_reminders(today: dt.date | None = None) -> int:
    """Make the due reminders for today; returns how many were made."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=REMINDER_DAYS[Notification.Kind.DUE_7])
    candidates = list(
        Enrolment.objects.open()
        .filter(due_date__lte=horizon, learner__is_active=True)
        .only("pk", "learner_id", "due_date", "status", "enrolled_at")
    )
    wanted = {}
    for enrolment in candidates:
        kind = reminder_kind(enrolment, today)
        if kind:
            wanted[(enrolment.pk, event_key(enrolment, kind))] = (enrolment, kind)
    known = set(
        Notification.objects.filter(enrolment_id__in=[pk for pk, _ in wanted]).values_list(
            "enrolment_id", "event"
        )
    )
    made = 0
    for key, (enrolment, kind) in wanted.items():
        if key in known:
            continue
        with transaction.atomic():
            made += notify(enrolment, kind) is not None
    return made


def _message(notification: Notification) -> tuple[str, str]:
    enrolment = notification.enrolment
    course = enrolment.course.localized
    context = {
        "name": notification.recipient.first_name or notification.recipient.username,
        "course": course,
        "due_date": enrolment.due_date,
        "kind": notification.kind,
        "link": notification.link,
        "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + link_in(notification, translation.get_language()),
    }
    subject = notification_text(notification, course)
    body = render_to_string("learning/email/notification.txt", context)
    return subject, body


def notification_text(notification: Notification, course=None) -> str:
    """One line saying what the notification is about, in the active language."""
    course = course or notification.enrolment.course.localized
    title = f"{course.code} {course.title}"
    due = notification.enrolment.due_date
    due_text = due.strftime("%d.%m.%Y") if due else ""
    kind = notification.kind
    if kind == Notification.Kind.ASSIGNED and due:
        return _("New assignment: %(course)s, due %(date)s") % {"course": title, "date": due_text}
    if kind == Notification.Kind.ASSIGNED:
        return _("New assignment: %(course)s") % {"course": title}
    if kind == Notification.Kind.DUE_7:
        return _("Reminder: %(course)s is due on %(date)s") % {"course": title, "date": due_text}
    if kind == Notification.Kind.DUE_1:
        return _("%(course)s is due tomorrow (%(date)s)") % {"course": title, "date": due_text}
    if kind == Notification.Kind.OVERDUE:
        return _("%(course)s is overdue: it was due on %(date)s") % {
            "course": title,
            "date": due_text,
        }
    if kind == Notification.Kind.GRADED:
        return _("Your work in %(course)s has been graded") % {"course": title}
    if kind == Notification.Kind.SURVEY:
        if notification.recipient_id != notification.enrolment.learner_id:
            return _("Please answer a short survey about %(person)s after %(course)s") % {
                "person": notification.enrolment.learner.get_full_name(),
                "course": title,
            }
        return _("Please answer a short survey about %(course)s") % {"course": title}
    if kind == Notification.Kind.SURVEY_REMINDER:
        return _("Reminder: a short survey about %(course)s is waiting for your answer") % {
            "course": title
        }
    return _("You completed %(course)s") % {"course": title}


def send_emails(limit: int = 500) -> int:
    """E-mail the notifications not yet e-mailed, each in its recipient's language."""
    sent = 0
    pending = list(
        Notification.objects.filter(emailed_at__isnull=True, recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient", "enrolment__course")
        .order_by("pk")[:limit]
    )
    for notification in pending:
        # Claim it first: of two workers, only one sends.
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            with translation.override(notification.recipient.preferred_language):
                subject, body = _message(notification)
            send_mail(subject, body, None, [notification.recipient.email])
            sent += 1
        except Exception:
            logger.exception("Notification %s: e-mail failed; will retry", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
    return sent
