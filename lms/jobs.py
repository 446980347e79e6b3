"""Rows that record a background job's progress (imports, assignments, studies)."""

from typing import Any

from django.db import models


def update_job(job: models.Model, **fields: Any) -> None:
    """Set ``fields`` on the object and write only them, straight away: a progress page reading
    the row meanwhile sees each step, and nothing else on the row is overwritten."""
    for name, value in fields.items():
        setattr(job, name, value)
    type(job)._default_manager.filter(pk=job.pk).update(**fields)
