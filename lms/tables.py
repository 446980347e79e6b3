"""Tables people upload (CSV or XLSX): the checks made before a file is stored, and reading it
into rows. Shared by the HR roster import and the indicator-values import."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALLOWED_EXTENSIONS = (".csv", ".xlsx")


class TableFileError(Exception):
    """The file as a whole cannot be read (wrong type, encoding, empty, missing columns)."""


def check_size(upload: UploadedFile, max_bytes: int) -> None:
    """Every upload's size check (tables, question banks, H5P packages), with one message."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
        )


def check_upload(upload: UploadedFile, max_bytes: int) -> None:
    """Size and type checks done before anything is stored."""
    ext = Path(upload.name or "").suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    check_size(upload, max_bytes)
    head = upload.read(4)
    upload.seek(0)
    if ext == ".xlsx" and head != b"PK\x03\x04":
        raise ValidationError(_("The file is not an XLSX workbook."))
    if ext == ".csv" and b"\x00" in head:
        raise ValidationError(_("The file is not a text CSV file."))


def spreadsheet_cell(value):
    """Spreadsheet programs run a cell that starts with = + - @ as a formula: such a text is
    written with a leading apostrophe, which they show as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def normalise_header(name: object) -> str:
    return re.sub(r"[\s-]+", "_", str(name or "").strip().lower())


def read(
    fileobj: IO[bytes], filename: str, required: tuple[str, ...], columns: tuple[str, ...]
) -> list[tuple[int, dict[str, object]]]:
    """The data rows as (line in the file, {column: raw cell}) for the expected ``columns``
    (absent ones are None; the header is line 1, matched case- and separator-insensitively);
    blank rows are skipped. Raises TableFileError with a message for the user."""
    ext = Path(filename).suffix.lower()
    if ext == ".csv":
        try:
            text = fileobj.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TableFileError(
                _("The CSV file is not UTF-8 encoded; save it as UTF-8.")
            ) from None
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        table = iter(list(csv.reader(io.StringIO(text), delimiter=delimiter)))
    elif ext == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(fileobj, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise TableFileError(_("The file is not a readable XLSX workbook.")) from exc
        table = iter(list(workbook.worksheets[0].iter_rows(values_only=True)))
    else:
        raise TableFileError(
            _("Unsupported file type “%(ext)s”: upload a .csv or .xlsx file.") % {"ext": ext}
        )
    try:
        header = [normalise_header(h) for h in next(table)]
    except StopIteration:
        raise TableFileError(_("The file is empty.")) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise TableFileError(
            _("Missing columns: %(columns)s. Expected columns: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(columns)}
        )
    rows = []
    for line, values in enumerate(table, start=2):
        cells = list(values)
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue  # blank lines are not rows
        record = {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header)}
        rows.append((line, {c: record.get(c) for c in columns}))
    return rows
