from celery import shared_task

from . import services


@shared_task(name="evaluation.run_import")
def run_import(job_id: int) -> str:
    return services.run_indicator_import(job_id).status


@shared_task(name="evaluation.run_study")
def run_study(study_id: int) -> str:
    return services.run_study(study_id).status
