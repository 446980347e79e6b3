"""Business actions of the evaluation toolkit; each owns its transaction."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import tables
from lms.jobs import update_job
from lms.people.models import OrgUnit, User
from lms.people.scoping import scope_unit

from . import imports, levels
from .models import EvaluationStudy, IndicatorImport

logger = logging.getLogger(__name__)


# -- indicator values ----------------------------------------------------------------------------


def check_upload(upload: UploadedFile) -> None:
    """Size and type checks done before anything is stored."""
    tables.check_upload(upload, settings.INDICATOR_IMPORT_MAX_BYTES)


def start_indicator_import(upload: UploadedFile, user: User) -> IndicatorImport:
    """Store the upload and queue its import; the worker picks it up once this commits."""
    from .tasks import run_import

    check_upload(upload)
    with transaction.atomic():
        job = IndicatorImport.objects.create(
            file=upload, original_name=Path(upload.name).name, created_by=user
        )
        transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def run_indicator_import(job_id: int) -> IndicatorImport:
    """Check every row, then write all of them in one transaction, or nothing."""
    job = IndicatorImport.objects.select_related("created_by__scope").get(pk=job_id)
    if job.is_finished:
        return job  # a redelivered task must not import twice
    scope = scope_unit(job.created_by) if job.created_by else None
    if job.created_by is None or (scope is None and not job.created_by.is_superuser):
        update_job(
            job,
            status=IndicatorImport.Status.REJECTED,
            errors=[{"line": 0, "message": _("The uploader has no part of the organisation.")}],
            finished_at=timezone.now(),
        )
        return job
    try:
        update_job(job, status=IndicatorImport.Status.CHECKING, processed_rows=0, errors=[])
        with job.file.open("rb") as fh:
            try:
                records = imports.read_table(fh, job.original_name)
            except imports.ImportFileError as exc:
                update_job(
                    job,
                    status=IndicatorImport.Status.REJECTED,
                    errors=[{"line": 0, "message": str(exc)}],
                    finished_at=timezone.now(),
                )
                return job
        update_job(job, total_rows=len(records))
        clean, errors = imports.validate(
            records, scope, progress=lambda n: update_job(job, processed_rows=n)
        )
        if errors:
            update_job(
                job,
                status=IndicatorImport.Status.REJECTED,
                errors=[e.as_dict() for e in errors],
                finished_at=timezone.now(),
            )
            return job
        with transaction.atomic():
            created, updated = imports.apply(clean, default_source=job.original_name)
            update_job(
                job,
                status=IndicatorImport.Status.APPLIED,
                created_count=created,
                updated_count=updated,
                finished_at=timezone.now(),
            )
    except Exception:
        logger.exception("Indicator import %s failed", job_id)
        update_job(
            job,
            status=IndicatorImport.Status.FAILED,
            errors=[{"line": 0, "message": _("An unexpected error stopped the import.")}],
            finished_at=timezone.now(),
        )
        raise
    return job


def feed_values(
    records: list[dict[str, Any]], scope: OrgUnit, source: str
) -> tuple[int, int, list[imports.RowError]]:
    """Values sent by a system: all valid and in the client's scope, or none written.
    Lines are 1-based positions in the list."""
    clean, errors = imports.validate(list(enumerate(records, start=1)), scope)
    if errors:
        return 0, 0, errors
    created, updated = imports.apply(clean, default_source=source)
    return created, updated, []


# -- studies -------------------------------------------------------------------------------------


def queue_study(study: EvaluationStudy) -> EvaluationStudy:
    from .tasks import run_study as run_study_task

    with transaction.atomic():
        update_job(
            study, status=EvaluationStudy.Status.QUEUED, progress=0, progress_note="", error=""
        )
        transaction.on_commit(lambda: run_study_task.delay(study.pk))
    return study


def run_study(study_id: int, seed: int = 0) -> EvaluationStudy:
    """Build the panel from the platform's data, estimate, and keep the results as the study's
    snapshot. A panel the estimators cannot use fails the study with the reason."""
    from . import estimators
    from .panel import study_data

    study = EvaluationStudy.objects.select_related("indicator", "units_root").get(pk=study_id)
    update_job(study, status=EvaluationStudy.Status.RUNNING, progress=2, progress_note="panel")
    try:
        data = study_data(study)
        frame = data.frame()
        result = estimators.study(
            frame,
            comparison=study.comparison,
            n_bootstrap=study.bootstrap,
            seed=seed,
            progress=lambda p, note: update_job(study, progress=p, progress_note=note),
        )
    except estimators.PanelError as exc:
        update_job(
            study,
            status=EvaluationStudy.Status.FAILED,
            error=str(exc),
            progress=100,
            computed_at=timezone.now(),
        )
        return study
    except Exception as exc:
        logger.exception("Study %s failed", study_id)
        update_job(
            study,
            status=EvaluationStudy.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            progress=100,
            computed_at=timezone.now(),
        )
        raise
    result["periods"] = [p.isoformat() for p in data.periods]
    # The estimation panel itself, so anyone can re-run the estimate
    # (`manage.py evaluation_estimate --panel`) on exactly these numbers.
    result["panel"] = data.rows
    result["unit_table"] = data.units
    result["notes"] = data.notes
    result["indicator"] = {
        "code": study.indicator.code,
        "unit": study.indicator.unit,
        "direction": study.indicator.direction,
    }
    result["levels"] = levels.collect(study.course_keys, study.units_root)
    update_job(
        study,
        status=EvaluationStudy.Status.DONE,
        results=result,
        progress=100,
        progress_note="",
        computed_at=timezone.now(),
    )
    return study
