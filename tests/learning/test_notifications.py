"""Notifications: the assignment and its reminders, each made once, e-mailed once, in the
recipient's language."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from lms.learning import notifications, services
from lms.learning.models import Enrolment, Notification
from lms.people.roles import Role
from lms.people.seeding import load_groups
from tests import factories as f

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 4, 20)
LANGUAGES = ("uz", "uz-cyrl", "ru", "en")


def day(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


@pytest.fixture
def programme():
    return f.curriculum_programme()


@pytest.fixture
def course(programme):
    return f.course_with_lessons(programme, "CM-101", "Qabul va baholash", modules=1, lessons=2)


@pytest.fixture
def hr():
    officer = f.UserFactory(username="hr", employee_number=None, is_superuser=True)
    officer.groups.add(load_groups()[Role.HR_OFFICER])
    return officer


@pytest.fixture
def learner():
    return f.UserFactory(first_name="Dilnoza", preferred_language="en")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run an action as a request or the task would: it commits, and what waits for the
    commit (e-mails and the outbox, run eagerly in tests) runs."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def kinds(learner) -> list[str]:
    return list(
        Notification.objects.filter(recipient=learner).order_by("pk").values_list("kind", flat=True)
    )


def mails_to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email]]


# -- the assignment ------------------------------------------------------------------------------


def test_an_assignment_notifies_the_learner_once(commit, hr, learner, course):
    commit(services.assign, course.course, [learner], due_date=DUE, assigned_by=hr)

    notification = Notification.objects.get()
    assert notification.recipient == learner
    assert notification.kind == Notification.Kind.ASSIGNED
    assert notification.enrolment.learner == learner
    assert notification.read_at is None
    assert notification.emailed_at is not None
    (message,) = mail.outbox
    assert message.to == [learner.email]
    assert message.subject == "New assignment: CM-101 Qabul va baholash, due 20.04.2026"
    assert "Hello, Dilnoza." in message.body
    assert "You have been assigned the course CM-101 Qabul va baholash." in message.body
    assert "Due date: 20.04.2026" in message.body
    assert "http://testserver/en/learning/" in message.body

    commit(services.assign, course.course, [learner], due_date=DUE, assigned_by=hr)
    commit(notifications.send_emails)
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_assignment_without_a_date(commit, hr, learner, course):
    commit(services.assign, course.course, [learner], due_date=None, assigned_by=hr)
    (message,) = mail.outbox
    assert message.subject == "New assignment: CM-101 Qabul va baholash"
    assert "Due date" not in message.body


def test_self_enrolment_notifies_nobody(commit, learner, course):
    commit(services.self_enrol, learner, course.course)
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_an_assignment_turning_a_self_enrolment_mandatory_is_announced(commit, hr, learner, course):
    commit(services.self_enrol, learner, course.course)
    commit(services.assign, course.course, [learner], due_date=DUE, assigned_by=hr)
    assert kinds(learner) == [Notification.Kind.ASSIGNED]
    (message,) = mail.outbox
    assert "20.04.2026" in message.subject


def test_a_new_assignment_after_withdrawal_is_announced_again(commit, hr, learner, course):
    commit(services.assign, course.course, [learner], due_date=DUE, assigned_by=hr)
    commit(services.withdraw, Enrolment.objects.get(), by=hr)
    commit(services.assign, course.course, [learner], due_date=day(30), assigned_by=hr)
    assert kinds(learner) == [Notification.Kind.ASSIGNED] * 2
    assert [m.subject[-10:] for m in mail.outbox] == ["20.04.2026", "20.05.2026"]


def test_each_learner_is_written_to_in_her_own_language(commit, hr, programme, course):
    """Language-independent evidence of the recipient's language: the course title comes from
    the translation in her language, and the link carries her language prefix."""
    home = programme.get_parent().get_parent()
    chain = [home, programme.get_parent(), programme, course.course]
    titles = {
        "uz-cyrl": "Қабул ва баҳолаш",
        "ru": "Приём и оценка",
        "en": "Intake and assessment",
    }
    for code, title in titles.items():
        f.translate_tree(chain, code, {course.course.pk: title})
    titles["uz"] = "Qabul va baholash"
    people = {code: f.UserFactory(preferred_language=code) for code in LANGUAGES}

    commit(services.assign, course.course, people.values(), due_date=DUE, assigned_by=hr)

    assert Notification.objects.count() == 4
    assert len(mail.outbox) == 4
    for code, person in people.items():
        (message,) = mails_to(person)
        assert f"CM-101 {titles[code]}" in message.subject
        assert "20.04.2026" in message.subject
        assert titles[code] in message.body
        assert f"http://testserver/{code}/learning/" in message.body
        assert person.first_name in message.body
        for other in set(LANGUAGES) - {code}:
            assert titles[other] not in message.subject
    assert translation.get_language() == "en"  # the override did not leak


@pytest.mark.parametrize("code", ["uz", "uz-cyrl", "ru"])
def test_the_assignment_text_is_translated(commit, hr, course, code):
    """To check once the catalogues have the learning strings: until then this skips."""
    english = "New assignment: %(course)s, due %(date)s"
    with translation.override(code):
        translated = gettext(english)
    if translated == english:
        pytest.skip(f"the {code} catalogue does not translate the learning notifications yet")
    person = f.UserFactory(preferred_language=code)
    commit(services.assign, course.course, [person], due_date=DUE, assigned_by=hr)
    (message,) = mail.outbox
    assert not message.subject.startswith("New assignment")
    assert "Hello," not in message.body


# -- reminders -----------------------------------------------------------------------------------


def run_days(commit, offsets) -> list[int]:
    """Run the reminder job on each day (relative to DUE); how many it made each time."""
    return [commit(notifications.send_reminders, today=day(offset)) for offset in offsets]


def test_reminders_come_once_each_however_often_the_job_runs(commit, hr, learner, course):
    commit(services.assign, course.course, [learner], due_date=DUE, assigned_by=hr)
    offsets = [-30, -10, -8, -7, -7, -6, -3, -2, -1, -1, 0, 0, 1, 1, 2, 10, 40]

    made = run_days(commit, offsets)

    assert list(zip(offsets, made, strict=True)) == [
        (o, 1 if (o, i) in {(-7, 3), (-1, 8), (1, 12)} else 0) for i, o in enumerate(offsets)
    ]
    assert kinds(learner) == [
        Notification.Kind.ASSIGNED,
        Notification.Kind.DUE_7,
        Notification.Kind.DUE_1,
        Notification.Kind.OVERDUE,
    ]
    assert [m.subject for m in mail.outbox] == [
        "New assignment: CM-101 Qabul va baholash, due 20.04.2026",
        "Reminder: CM-101 Qabul va baholash is due on 20.04.2026",
        "CM-101 Qabul va baholash is due tomorrow (20.04.2026)",
        "CM-101 Qabul va baholash is overdue: it was due on 20.04.2026",
    ]
    assert "is overdue" in mail.outbox[-1].body
    assert "is due soon" in mail.outbox[1].body


def test_a_short_deadline_gets_the_reminders_that_still_make_sense(commit, hr, learner, course):
    """Assigned three days before the date: the week's reminder at once, then tomorrow's; on the
    day itself "due tomorrow" would be wrong."""
    commit(services.assign, course.course, [learner], due_date=DUE, assigned_by=hr)
    assert run_days(commit, [-3, -2, -1]) == [1, 0, 1]

    someone = f.UserFactory(preferred_language="en")
    other_course = f.course_with_lessons(course.course.get_parent(), "CM-102", "B", lessons=1)
    commit(services.assign, other_course.course, [someone], due_date=DUE, assigned_by=hr)
    assert run_days(commit, [0, 0]) == [0, 0]
    assert kinds(someone) == [Notification.Kind.ASSIGNED]
    run_days(commit, [1])
    assert kinds(someone) == [Notification.Kind.ASSIGNED, Notification.Kind.OVERDUE]


def test_a_new_due_date_gets_its_own_reminders(commit, hr, learner, course):
    commit(services.assign, course.course, [learner], due_date=DUE, assigned_by=hr)
    run_days(commit, [-7, -1, 1])
    new_date = day(21)

    commit(services.assign, course.course, [learner], due_date=new_date, assigned_by=hr)

    assert Enrolment.objects.get().due_date == new_date
    assert run_days(commit, [2, 14, 14, 20, 22, 23]) == [0, 1, 0, 1, 1, 0]
    assert kinds(learner)[4:] == [
        Notification.Kind.DUE_7,
        Notification.Kind.DUE_1,
        Notification.Kind.OVERDUE,
    ]
    assert mail.outbox[-1].subject.endswith("it was due on 11.05.2026")
    assert len(mail.outbox) == 7


def test_no_reminders_for_completed_withdrawn_or_departed_learners(commit, hr, course, learner):
    done, withdrawn, departed = (f.UserFactory() for _ in range(3))
    everyone = [learner, done, withdrawn, departed]
    commit(services.assign, course.course, everyone, due_date=DUE, assigned_by=hr)
    for lesson in course.lessons:
        commit(services.complete_lesson, done, lesson)
    commit(services.withdraw, Enrolment.objects.get(learner=withdrawn), by=hr)
    departed.is_active = False
    departed.save()
    sent = len(mail.outbox)

    assert sum(run_days(commit, [-7, -1, 1, 2])) == 3

    assert len(mail.outbox) == sent + 3
    assert {m.to[0] for m in mail.outbox[sent:]} == {learner.email}
    for person in (done, withdrawn, departed):
        assert kinds(person) == [Notification.Kind.ASSIGNED]


def test_no_reminders_without_a_due_date(commit, hr, learner, course):
    commit(services.assign, course.course, [learner], due_date=None, assigned_by=hr)
    assert run_days(commit, [-400, 0, 400]) == [0, 0, 0]


def test_reminder_kinds_by_days_left(hr, learner, course):
    services.assign(course.course, [learner], due_date=DUE, assigned_by=hr)
    enrolment = Enrolment.objects.get()
    expected = {
        -8: None,
        -7: Notification.Kind.DUE_7,
        -2: Notification.Kind.DUE_7,
        -1: Notification.Kind.DUE_1,
        0: None,
        1: Notification.Kind.OVERDUE,
        30: Notification.Kind.OVERDUE,
    }
    assert {o: notifications.reminder_kind(enrolment, day(o)) for o in expected} == expected


# -- e-mail --------------------------------------------------------------------------------------


def test_an_email_is_claimed_before_it_is_sent(monkeypatch, hr, learner, course):
    """A second worker running while the first is sending finds nothing to send."""
    services.assign(course.course, [learner], due_date=DUE, assigned_by=hr)  # not committed
    sent = []
    second_worker = []

    def send_mail(subject, body, sender, recipients):
        second_worker.append(notifications.send_emails())
        sent.append(recipients)

    monkeypatch.setattr(notifications, "send_mail", send_mail)

    assert notifications.send_emails() == 1
    assert notifications.send_emails() == 0
    assert sent == [[learner.email]]
    assert second_worker == [0]


def test_a_failed_email_is_retried_by_the_next_run(monkeypatch, hr, learner, course):
    services.assign(course.course, [learner], due_date=DUE, assigned_by=hr)

    def broken(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    with monkeypatch.context() as m:
        m.setattr(notifications, "send_mail", broken)
        assert notifications.send_emails() == 0
    assert Notification.objects.get().emailed_at is None
    assert mail.outbox == []

    assert notifications.send_emails() == 1
    assert notifications.send_emails() == 0
    assert len(mail.outbox) == 1


def test_people_without_an_address_are_notified_in_the_app_only(commit, hr, course):
    person = f.UserFactory(email="")
    commit(services.assign, course.course, [person], due_date=DUE, assigned_by=hr)
    assert kinds(person) == [Notification.Kind.ASSIGNED]
    assert mail.outbox == []
    assert notifications.send_emails() == 0


def test_people_who_have_left_are_not_emailed(commit, hr, course):
    leaver = f.UserFactory(is_active=False)
    commit(services.assign, course.course, [leaver], due_date=DUE, assigned_by=hr)
    assert mail.outbox == []


def test_the_reminder_task_makes_and_sends(commit, hr, learner, course, monkeypatch):
    from lms.learning import tasks

    commit(services.assign, course.course, [learner], due_date=DUE, assigned_by=hr)
    monkeypatch.setattr(notifications.timezone, "localdate", lambda: day(-1))
    assert commit(tasks.send_reminders.delay).get() == 1
    assert kinds(learner)[-1] == Notification.Kind.DUE_1
    assert len(mail.outbox) == 2
