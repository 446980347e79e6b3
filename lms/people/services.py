"""Business actions on people and the organisation. Each owns its transaction."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import tables
from lms.jobs import update_job

from . import roster
from .models import OrgUnit, RosterImport, User
from .signals import roster_applied

logger = logging.getLogger(__name__)


def check_roster_upload(upload: UploadedFile) -> None:
    """Size and type checks done before anything is stored."""
    tables.check_upload(upload, settings.ROSTER_IMPORT_MAX_BYTES)


def start_roster_import(upload: UploadedFile, scope: OrgUnit, user: User | None) -> RosterImport:
    """Store the upload and queue its import; the worker picks it up once this commits."""
    from .tasks import run_roster_import_task

    check_roster_upload(upload)
    with transaction.atomic():
        job = RosterImport.objects.create(
            file=upload, original_name=Path(upload.name).name, scope=scope, created_by=user
        )
        transaction.on_commit(lambda: run_roster_import_task.delay(job.pk))
    return job


def run_roster_import(job_id: int) -> RosterImport:
    """Validate the whole file, then apply it in one transaction, or change nothing."""
    job = RosterImport.objects.select_related("scope").get(pk=job_id)
    if job.is_finished:
        return job  # a redelivered task must not import twice
    try:
        update_job(job, status=RosterImport.Status.VALIDATING, processed_rows=0, errors=[])
        with job.file.open("rb") as fh:
            try:
                rows = roster.read_rows(fh, job.original_name)
            except roster.RosterFileError as exc:
                update_job(
                    job,
                    status=RosterImport.Status.REJECTED,
                    errors=[{"line": 0, "message": str(exc)}],
                    finished_at=timezone.now(),
                )
                return job
        update_job(job, total_rows=len(rows))
        clean, errors = roster.validate(
            rows, job.scope, progress=lambda n: update_job(job, processed_rows=n)
        )
        if errors:
            update_job(
                job,
                status=RosterImport.Status.REJECTED,
                errors=[e.as_dict() for e in errors],
                finished_at=timezone.now(),
            )
            return job
        update_job(job, status=RosterImport.Status.APPLYING)
        with transaction.atomic():
            result = roster.apply(clean, job.scope)
            roster_applied.send(
                sender=RosterImport,
                roster_import=job,
                created_ids=result.created_ids,
                changed_ids=result.changed_ids,
            )
            update_job(
                job,
                status=RosterImport.Status.SUCCEEDED,
                created_count=result.created,
                updated_count=result.updated,
                unchanged_count=result.unchanged,
                deactivated_count=result.deactivated,
                finished_at=timezone.now(),
            )
    except Exception:
        logger.exception("Roster import %s failed", job_id)
        update_job(
            job,
            status=RosterImport.Status.FAILED,
            errors=[{"line": 0, "message": _("An unexpected error stopped the import.")}],
            finished_at=timezone.now(),
        )
        raise
    return job
