"""Indicator values from a file or the feed: every row checked, every bad row reported with its
line, and a batch with any bad row writes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from evaluation import imports, services
from evaluation.models import Indicator, IndicatorImport, IndicatorValue
from tests import factories as f

pytestmark = pytest.mark.django_db


def row(indicator="ASSESS-RATE", unit="R0-D0-INSON", period="2025-01", value="80", **kw):
    return {
        "indicator_code": indicator,
        "org_unit_code": unit,
        "period": period,
        "value": value,
        "numerator": kw.get("numerator", ""),
        "denominator": kw.get("denominator", ""),
        "source": kw.get("source", ""),
    }


def good_rows() -> list[dict]:
    return [
        row(value="80", numerator="40", denominator="50", source="CMIS"),
        row(unit="R0-D1-INSON", period="2025-02-01", value="75"),
        row(indicator="CLIENT-COUNT", period="2025-Q1", value="120"),
        row(period="2025-2", value="12,5"),  # a month without its zero; a decimal comma
    ]


#: Bad rows, each with what its error says. Position 0 of the batch is good_rows()[0].
BAD = [
    (row(indicator="NOPE"), "Unknown indicator “NOPE”"),
    (row(unit="XX-99"), "Unknown organisation unit “XX-99”"),
    (row(unit="R1-D0-INSON"), "R1-D0-INSON is outside your part of the organisation"),
    (row(period="March 2025"), "is not a period"),
    (row(indicator="CLIENT-COUNT", period="2025-02"), "This indicator is quarterly"),
    (row(period="2099-01"), "The period is in the future"),
    (row(value="abc"), "value “abc” is not a number"),
    (row(period="2025-03", value="120"), "A percentage must lie between 0 and 100"),
    (
        row(period="2025-04", value="100", numerator="30", denominator="20"),
        "numerator is larger than denominator",
    ),
    (
        row(period="2025-05", value="50", numerator="10", denominator="40"),
        "does not match numerator / denominator (25.0)",
    ),
    (row(period="2025-06", value="50", numerator="5"), "Give both numerator and denominator"),
    (row(value="81"), "Same indicator, unit and period as line 1"),
    (row(indicator="CLIENT-COUNT", period="2025-Q2", value="-3"), "value is negative"),
]


def mixed_batch() -> tuple[list[dict], dict[int, str]]:
    """Good rows and every kind of bad row; returns the rows and {position: expected error}
    (positions 1-based)."""
    good = good_rows()
    records = [good[0]] + [r for r, _msg in BAD] + good[1:]
    expected = {k + 2: msg for k, (_r, msg) in enumerate(BAD)}
    return records, expected


@pytest.fixture
def setup(org, monthly, quarterly):
    return org


@pytest.fixture
def region(setup):
    return setup["regions"][0]


@pytest.fixture
def uploader(region):
    return f.UserFactory(username="evaluator", scope=region)


def stored():
    return sorted(
        IndicatorValue.objects.values_list(
            "indicator__code", "org_unit__code", "period", "value", "numerator", "denominator"
        )
    )


def assert_every_bad_row_reported(errors, expected: dict[int, str]):
    by_line: dict[int, list[str]] = {}
    for e in errors:
        line, message = (e.line, e.message) if hasattr(e, "line") else (e["line"], e["message"])
        by_line.setdefault(line, []).append(message)
    assert set(by_line) == set(expected), by_line
    for line, fragment in expected.items():
        assert any(fragment in m for m in by_line[line]), (line, by_line[line])


# -- validate and apply ---------------------------------------------------------------------------


def test_a_good_batch_is_written(region):
    records = list(enumerate(good_rows(), start=2))
    clean, errors = imports.validate(records, region)
    assert errors == []
    assert imports.apply(clean, default_source="upload.csv") == (4, 0)
    assert stored() == [
        ("ASSESS-RATE", "R0-D0-INSON", dt.date(2025, 1, 1), 80.0, 40.0, 50.0),
        ("ASSESS-RATE", "R0-D0-INSON", dt.date(2025, 2, 1), 12.5, None, None),
        ("ASSESS-RATE", "R0-D1-INSON", dt.date(2025, 2, 1), 75.0, None, None),
        ("CLIENT-COUNT", "R0-D0-INSON", dt.date(2025, 1, 1), 120.0, None, None),
    ]
    sources = dict(IndicatorValue.objects.values_list("value", "source"))
    assert sources[80.0] == "CMIS" and sources[75.0] == "upload.csv"


def test_the_feed_writes_a_good_batch_and_a_resend_updates_without_duplicating(region):
    created, updated, errors = services.feed_values(good_rows(), region, "CMIS-feed")
    assert (created, updated, errors) == (4, 0, [])
    assert IndicatorValue.objects.count() == 4

    again = good_rows()
    again[1]["value"] = "70"
    again.append(row(unit="R0-D1-INSON", period="2025-03", value="60"))
    created, updated, errors = services.feed_values(again, region, "CMIS-feed")
    assert (created, updated, errors) == (1, 4, [])
    assert IndicatorValue.objects.count() == 5
    value = IndicatorValue.objects.get(org_unit__code="R0-D1-INSON", period=dt.date(2025, 2, 1))
    assert value.value == 70.0
    assert value.source == "CMIS-feed"


def test_a_batch_with_bad_rows_reports_every_one_and_writes_nothing(region):
    services.feed_values([good_rows()[2]], region, "feed")  # something already held
    before = stored()
    records, expected = mixed_batch()
    created, updated, errors = services.feed_values(records, region, "feed")
    assert (created, updated) == (0, 0)
    assert_every_bad_row_reported(errors, expected)
    assert stored() == before  # not even the good rows of the batch


def test_validate_reports_every_bad_row_and_keeps_only_the_good_ones(region):
    records, expected = mixed_batch()
    clean, errors = imports.validate(list(enumerate(records, start=1)), region)
    assert_every_bad_row_reported(errors, expected)
    assert len(clean) == len(good_rows())
    assert {e.as_dict()["line"] for e in errors} == set(expected)


def test_without_a_scope_every_unit_of_the_agency_is_accepted(setup):
    clean, errors = imports.validate([(2, row(unit="R1-D0-INSON"))], None)
    assert errors == [] and clean[0].org_unit.code == "R1-D0-INSON"


def test_an_inactive_indicator_is_unknown(region, monthly):
    Indicator.objects.filter(pk=monthly.pk).update(active=False)
    _clean, errors = imports.validate([(2, row())], region)
    assert [e.message for e in errors] == ["Unknown indicator “ASSESS-RATE”."]


@pytest.mark.parametrize(
    ("text", "frequency", "expected"),
    [
        ("2025-03", "month", dt.date(2025, 3, 1)),
        ("2025-3", "month", dt.date(2025, 3, 1)),
        ("2025-03-17", "month", dt.date(2025, 3, 1)),
        ("2025-Q3", "quarter", dt.date(2025, 7, 1)),
        ("2025q4", "quarter", dt.date(2025, 10, 1)),
        ("2025-04", "quarter", dt.date(2025, 4, 1)),
        (dt.datetime(2025, 5, 9, 10, 30), "month", dt.date(2025, 5, 1)),
    ],
)
def test_periods_are_read_as_the_first_day_of_their_month_or_quarter(text, frequency, expected):
    assert imports.parse_period(text, frequency) == expected


@pytest.mark.parametrize(
    ("text", "frequency"),
    [("2025-13", "month"), ("2025", "month"), ("", "month"), ("2025-05", "quarter")],
)
def test_bad_periods_are_refused(text, frequency):
    with pytest.raises(ValueError):  # the messages are checked through validate
        imports.parse_period(text, frequency)


# -- reading files --------------------------------------------------------------------------------


def csv_bytes(records: list[dict], delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=imports.COLUMNS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(records)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(records: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(imports.COLUMNS))
    for r in records:
        cells = [r[c] for c in imports.COLUMNS]
        # Numbers as numbers, as a spreadsheet holds them.
        for k, c in enumerate(imports.COLUMNS):
            if c in ("value", "numerator", "denominator"):
                try:
                    cells[k] = float(cells[k].replace(",", "."))
                except ValueError:
                    pass
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_semicolon_csv_with_a_byte_order_mark_is_read(region):
    content = csv_bytes(good_rows(), delimiter=";", bom=True)
    records = imports.read_table(io.BytesIO(content), "values.CSV")
    assert [line for line, _r in records] == [2, 3, 4, 5]
    assert records[0][1]["indicator_code"] == "ASSESS-RATE"  # the BOM is not in the header
    assert records[3][1]["value"] == "12,5"
    clean, errors = imports.validate(records, region)
    assert errors == [] and [r.value for r in clean] == [80.0, 75.0, 120.0, 12.5]


def test_headers_are_normalised_and_blank_lines_keep_the_line_numbers():
    text = "Indicator Code,org-unit-code,PERIOD,Value\nASSESS-RATE,R0-D0-INSON,2025-01,80\n\n,,,\n"
    text += "ASSESS-RATE,R0-D1-INSON,2025-01,70\n"
    records = imports.read_table(io.BytesIO(text.encode()), "v.csv")
    assert [line for line, _r in records] == [2, 5]
    assert records[1][1]["org_unit_code"] == "R0-D1-INSON"
    assert records[1][1]["numerator"] is None


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"indicator_code,period\nX,2025-01\n", "v.csv", "Missing columns: org_unit_code, value"),
        (b"", "v.csv", "The file is empty"),
        ("indicator_code;value\n".encode("utf-16"), "v.csv", "not UTF-8"),
        (b"PK\x03\x04 broken", "v.xlsx", "not a readable XLSX"),
        (b"a,b\n", "v.txt", "Unsupported file type “.txt”: upload a .csv or .xlsx file"),
    ],
)
def test_an_unreadable_file_is_refused_with_the_reason(content, name, message):
    with pytest.raises(imports.ImportFileError, match=message):
        imports.read_table(io.BytesIO(content), name)


def test_an_xlsx_file_is_read_with_numbers_and_dates(region):
    records = good_rows()
    book_bytes = xlsx_bytes(records)
    book = Workbook()
    book.active.append(list(imports.COLUMNS))
    book.active.append(["ASSESS-RATE", "R0-D1-INSON", dt.datetime(2025, 3, 1), 66, None, None])
    out = io.BytesIO()
    book.save(out)
    got = imports.read_table(io.BytesIO(book_bytes), "v.xlsx") + imports.read_table(
        io.BytesIO(out.getvalue()), "w.xlsx"
    )
    clean, errors = imports.validate(got, region)
    assert errors == []
    assert [(r.period, r.value) for r in clean][-1] == (dt.date(2025, 3, 1), 66.0)


# -- file imports through the worker --------------------------------------------------------------


def upload(uploader, name: str, content: bytes, commit) -> IndicatorImport:
    # CELERY_TASK_ALWAYS_EAGER in tests: the task runs when the transaction commits.
    with commit(execute=True):
        job = services.start_indicator_import(SimpleUploadedFile(name, content), uploader)
    return IndicatorImport.objects.get(pk=job.pk)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_bad_rows_is_rejected_listing_every_bad_line(
    kind, uploader, django_capture_on_commit_callbacks
):
    records, expected = mixed_batch()
    content = csv_bytes(records) if kind == "csv" else xlsx_bytes(records)
    before = stored()
    job = upload(uploader, f"values.{kind}", content, django_capture_on_commit_callbacks)
    assert job.status == IndicatorImport.Status.REJECTED
    assert job.total_rows == len(records)
    # File lines: the header is line 1, so batch position p is line p + 1.
    assert_every_bad_row_reported(
        job.errors, {p + 1: msg.replace("line 1", "line 2") for p, msg in expected.items()}
    )
    assert (job.created_count, job.updated_count) == (0, 0)
    assert job.finished_at is not None
    assert stored() == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_good_file_is_applied(kind, uploader, django_capture_on_commit_callbacks):
    content = csv_bytes(good_rows()) if kind == "csv" else xlsx_bytes(good_rows())
    job = upload(uploader, f"values.{kind}", content, django_capture_on_commit_callbacks)
    assert job.status == IndicatorImport.Status.APPLIED, job.errors
    assert (job.created_count, job.updated_count) == (4, 0)
    assert job.percent == 100
    assert len(stored()) == 4
    assert IndicatorValue.objects.filter(source=f"values.{kind}").count() == 3

    again = upload(uploader, f"again.{kind}", content, django_capture_on_commit_callbacks)
    assert again.status == IndicatorImport.Status.APPLIED
    assert (again.created_count, again.updated_count) == (0, 4)
    assert len(stored()) == 4


def test_a_semicolon_file_with_a_byte_order_mark_is_applied(
    uploader, django_capture_on_commit_callbacks
):
    content = csv_bytes(good_rows(), delimiter=";", bom=True)
    job = upload(uploader, "values.csv", content, django_capture_on_commit_callbacks)
    assert job.status == IndicatorImport.Status.APPLIED, job.errors
    assert IndicatorValue.objects.filter(value=12.5).exists()


def test_an_unreadable_file_is_rejected_with_the_reason(
    uploader, django_capture_on_commit_callbacks
):
    job = upload(
        uploader, "values.csv", b"indicator_code,period\n", django_capture_on_commit_callbacks
    )
    assert job.status == IndicatorImport.Status.REJECTED
    assert job.errors[0]["line"] == 0
    assert "Missing columns" in job.errors[0]["message"]


def test_an_uploader_without_a_part_of_the_organisation_is_refused(
    setup, django_capture_on_commit_callbacks
):
    nobody = f.UserFactory(username="no-scope")
    job = upload(nobody, "values.csv", csv_bytes(good_rows()), django_capture_on_commit_callbacks)
    assert job.status == IndicatorImport.Status.REJECTED
    assert job.errors == [{"line": 0, "message": "The uploader has no part of the organisation."}]
    assert stored() == []


def test_a_superuser_may_import_for_the_whole_agency(setup, django_capture_on_commit_callbacks):
    admin = f.UserFactory(username="admin", is_superuser=True, is_staff=True)
    content = csv_bytes([row(unit="R1-D0-INSON")])
    job = upload(admin, "values.csv", content, django_capture_on_commit_callbacks)
    assert job.status == IndicatorImport.Status.APPLIED, job.errors


def test_a_finished_import_is_not_run_twice(uploader, django_capture_on_commit_callbacks):
    content = csv_bytes(good_rows())
    job = upload(uploader, "values.csv", content, django_capture_on_commit_callbacks)
    IndicatorValue.objects.all().delete()
    assert services.run_indicator_import(job.pk).status == IndicatorImport.Status.APPLIED
    assert stored() == []  # a redelivered task did not import again


# -- upload checks --------------------------------------------------------------------------------


def test_a_file_of_another_type_is_refused():
    with pytest.raises(ValidationError, match="Upload a .csv or .xlsx file"):
        services.check_upload(SimpleUploadedFile("values.txt", b"a,b\n"))


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.INDICATOR_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    services.check_upload(SimpleUploadedFile("ok.csv", b"x" * (2 * 1024 * 1024)))
    with pytest.raises(ValidationError, match="larger than 2 MB"):
        services.check_upload(SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 1)))


def test_an_xlsx_that_is_not_a_workbook_is_refused():
    with pytest.raises(ValidationError, match="not an XLSX workbook"):
        services.check_upload(SimpleUploadedFile("values.xlsx", csv_bytes(good_rows())))


def test_a_binary_file_named_csv_is_refused():
    with pytest.raises(ValidationError, match="not a text CSV"):
        services.check_upload(SimpleUploadedFile("values.csv", b"\x00\x01\x02\x03rest"))


def test_a_refused_upload_is_not_stored(uploader):
    with pytest.raises(ValidationError):
        services.start_indicator_import(SimpleUploadedFile("values.xlsx", b"nope"), uploader)
    assert not IndicatorImport.objects.exists()


def test_an_accepted_upload_is_read_from_its_start(uploader, django_capture_on_commit_callbacks):
    """check_upload peeks at the first bytes; the stored file must still start at byte 0."""
    content = xlsx_bytes(good_rows())
    job = upload(uploader, "values.xlsx", content, django_capture_on_commit_callbacks)
    with job.file.open("rb") as fh:
        assert fh.read() == content


# -- gaps found ----------------------------------------------------------------------------------


def test_a_numerator_over_a_zero_denominator_is_refused(region):
    _clean, errors = imports.validate(
        [(2, row(value="50", numerator="5", denominator="0"))], region
    )
    assert [e.message for e in errors] == ["numerator is larger than denominator."]


def test_a_quarter_given_for_a_monthly_indicator_is_refused(region):
    _clean, errors = imports.validate([(2, row(period="2025-Q2"))], region)
    assert len(errors) == 1 and "monthly" in errors[0].message
