from celery import shared_task

from . import notifications


@shared_task(name="learning.send_reminders")
def send_reminders() -> int:
    made = notifications.send_reminders()
    notifications.send_emails()
    return made


@shared_task(name="learning.send_emails")
def send_emails() -> int:
    return notifications.send_emails()


@shared_task(name="learning.refresh_course_progress")
def refresh_course_progress(course_id: int) -> int:
    from courses.models import CoursePage

    from .services import refresh_course_progress

    course = CoursePage.objects.filter(pk=course_id).first()
    return refresh_course_progress(course) if course else 0


@shared_task(name="learning.run_assignment")
def run_assignment(job_id: int) -> int:
    from .services import run_assignment_job

    return run_assignment_job(job_id).assigned
