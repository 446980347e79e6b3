from celery import shared_task

from . import services


@shared_task(name="people.run_roster_import")
def run_roster_import_task(job_id: int) -> str:
    return services.run_roster_import(job_id).status
