from celery import shared_task

from . import importing, services, surveys


@shared_task(name="assessments.close_expired")
def close_expired() -> int:
    """Submit attempts whose time limit has passed (with the answers saved in time)."""
    return services.close_expired()


@shared_task(name="assessments.send_surveys")
def send_surveys() -> tuple[int, int]:
    return surveys.send_due()


@shared_task(name="assessments.run_import")
def run_import(job_id: int) -> None:
    importing.run_import(job_id)
