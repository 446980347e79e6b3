"""Importing question banks from Moodle: GIFT and Moodle XML.

The file is checked (type, size, encoding) before it is stored; a Celery job parses it
(`assessments.interchange`), reports every question it cannot import with its position and
reason, and writes the questions in one transaction: all of them, or — when any question has a
problem and the importer did not ask to skip those — none."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.jobs import update_job
from lms.tables import check_size

from .html import clean_html, text_to_html
from .interchange import parse_gift, parse_moodle_xml
from .models import Choice, ImportJob, Question, QuestionBank

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
#: What the columns hold: points up to 9,999.99; credits within −100…100%.
MAX_MARK = Decimal("9999.99")
EXTENSIONS = {ImportJob.Format.GIFT: (".gift", ".txt"), ImportJob.Format.MOODLE_XML: (".xml",)}
SUPPORTED = {choice.value for choice in Question.Type}


def check_upload(upload: UploadedFile, fmt: str) -> None:
    ext = Path(upload.name or "").suffix.lower()
    allowed = EXTENSIONS[fmt]
    if ext not in allowed:
        raise ValidationError(
            _("Upload a %(ext)s file for this format.") % {"ext": " / ".join(allowed)}
        )
    check_size(upload, MAX_BYTES)
    head = upload.read(4096)
    upload.seek(0)
    if b"\x00" in head:
        raise ValidationError(_("The file is not a text file."))
    if fmt == ImportJob.Format.MOODLE_XML and not head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(
        b"<"
    ):
        raise ValidationError(_("The file is not an XML file."))


def start_import(
    bank: QuestionBank,
    upload: UploadedFile,
    fmt: str,
    *,
    language: str,
    skip_problems: bool,
    user,
) -> ImportJob:
    check_upload(upload, fmt)
    from .tasks import run_import

    with transaction.atomic():
        job = ImportJob.objects.create(
            bank=bank,
            format=fmt,
            language=language,
            skip_problems=skip_problems,
            file=upload,
            original_name=Path(upload.name or "questions").name[:200],
            created_by=user,
        )
        transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def _parse(job: ImportJob):
    with job.file.open("rb") as handle:
        data = handle.read()
    if job.format == ImportJob.Format.GIFT:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                _("The GIFT file is not UTF-8 encoded; save it as UTF-8.")
            ) from None
        return parse_gift(text)
    return parse_moodle_xml(data)


def _text(value: str, language: str, *, html: bool = True) -> dict:
    value = (value or "").strip()
    if not value:
        return {}
    return {language: clean_html(value) if html and "<" in value else value}


def _bounded(value, low: Decimal, high: Decimal) -> Decimal:
    number = Decimal(str(value or 0)).quantize(Decimal("0.01"))
    return min(high, max(low, number))


def _percent(value) -> Decimal:
    return _bounded(value, Decimal("-100"), Decimal("100"))


def save_question(bank: QuestionBank, data: dict, language: str, source: str) -> Question:
    """One parsed question (the dict of `assessments.interchange`) as a Question."""
    question = Question(
        bank=bank,
        type=data["type"],
        name=(data.get("name") or "")[:200] or _("Imported question"),
        text={language: clean_html(data.get("text") or "") or text_to_html(data.get("name", ""))},
        general_feedback=_text(data.get("general_feedback", ""), language),
        mark=_bounded(data.get("default_mark", 1), Decimal("0"), MAX_MARK),
        correct=data.get("correct"),
        case_sensitive=bool(data.get("case_sensitive")),
        shuffle_choices=bool(data.get("shuffle", True)),
        source=source[:200],
    )
    question.save()
    rows = []
    if data["type"] == Question.Type.NUMERIC:
        for order, answer in enumerate(data.get("numeric") or []):
            rows.append(
                Choice(
                    question=question,
                    sort_order=order,
                    text={language: f"{answer['value']:g}"},
                    value=float(answer["value"]),
                    tolerance=abs(float(answer.get("tolerance") or 0)),
                    percent=_percent(answer.get("percent", 100)),
                    feedback=_text(answer.get("feedback", ""), language),
                )
            )
    else:
        for order, choice in enumerate(data.get("choices") or []):
            rows.append(
                Choice(
                    question=question,
                    sort_order=order,
                    text=_text(choice.get("text", ""), language),
                    match=_text(choice.get("match", ""), language, html=False),
                    percent=_percent(choice.get("percent", 0)),
                    feedback=_text(choice.get("feedback", ""), language),
                )
            )
    Choice.objects.bulk_create(rows)
    tags = [t.strip()[:100] for t in data.get("tags") or [] if t.strip()]
    if data.get("category"):
        tags.append(data["category"].strip().split("/")[-1][:100])
    if tags:
        question.tags.add(*dict.fromkeys(tags))
        question.save()  # a cluster's tags are written when the question is saved
    return question


def run_import(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("bank", "created_by").get(pk=job_id)
    if job.is_finished:
        return job
    # The report is read by the person who uploaded the file, in her language.
    language = getattr(job.created_by, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            return _run(job)
        except Exception:
            # Whatever went wrong, the job says so instead of running for ever; nothing was
            # written (the questions are stored in one transaction).
            logger.exception("Question import %s failed", job.pk)
            update_job(
                job,
                status=ImportJob.Status.FAILED,
                error=_("The import failed unexpectedly; nothing was imported."),
                finished_at=timezone.now(),
            )
            return job


def _run(job: ImportJob) -> ImportJob:
    update_job(job, status=ImportJob.Status.RUNNING)
    try:
        result = _parse(job)
    except ValidationError as error:
        update_job(
            job,
            status=ImportJob.Status.FAILED,
            error=" ".join(error.messages),
            finished_at=timezone.now(),
        )
        return job
    problems = [
        {
            "position": p.position,
            "line": p.line,
            "name": p.name,
            "reason": p.reason,
            "skipped": p.skipped,
        }
        for p in result.problems
    ]
    questions = [q for q in result.questions if q.get("type") in SUPPORTED]
    skipped = [p for p in problems if p["skipped"]]
    update_job(job, total=len(questions) + len(skipped), problems=problems)
    if skipped and not job.skip_problems:
        update_job(
            job,
            status=ImportJob.Status.FAILED,
            error=_(
                "Nothing was imported: %(count)s questions have problems (listed below). Fix "
                "them, or import again and choose to skip them."
            )
            % {"count": len(skipped)},
            finished_at=timezone.now(),
        )
        return job
    with transaction.atomic():
        for data in questions:
            save_question(job.bank, data, job.language, job.original_name)
    update_job(
        job,
        status=ImportJob.Status.SUCCEEDED,
        processed=len(questions) + len(skipped),
        imported=len(questions),
        finished_at=timezone.now(),
    )
    return job
