"""HR roster import: all or nothing, every bad row reported, leavers deactivated."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from lms.people import services
from lms.people.models import RosterImport, User
from lms.people.roster import COLUMNS
from tests.factories import PositionFactory, UserFactory, org_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    tree = org_tree(regions=2, districts=3)
    for code in ("social-worker", "case-manager", "centre-head"):
        PositionFactory(code=code)
    return tree


def roster_rows(org, count: int, start: int = 1) -> list[dict]:
    centres = org["centres"]
    rows = []
    for i in range(start, start + count):
        centre = centres[i % len(centres)]
        rows.append(
            {
                "employee_number": f"N{i:05d}",
                "last_name": f"Karimova{i}",
                "first_name": "Dilnoza",
                "middle_name": "Akmal qizi",
                "email": f"n{i}@staff.example",
                "position_code": "case-manager" if i % 10 == 0 else "social-worker",
                "org_unit_code": centre.code,
                "supervisor_number": f"N{start:05d}" if i != start else "",
                "language": ["uz", "ru", "uz-cyrl", "en"][i % 4],
            }
        )
    return rows


def csv_file(rows: list[dict], name: str = "roster.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[dict]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("roster.xlsx", out.getvalue())


def run(org, upload, scope=None) -> RosterImport:
    # CELERY_TASK_ALWAYS_EAGER in tests: the task runs when the transaction commits.
    job = services.start_roster_import(upload, scope or org["agency"], None)
    return RosterImport.objects.get(pk=job.pk)


def snapshot():
    return list(
        User.objects.order_by("pk").values_list(
            "employee_number", "last_name", "org_unit_id", "is_active", "supervisor_id"
        )
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_three_bad_rows_among_500_change_nothing_and_are_all_reported(org):
    UserFactory.create_batch(5, org_unit=org["centres"][0])
    before = snapshot()
    rows = roster_rows(org, 500)
    rows[10]["position_code"] = "astronaut"  # line 12
    rows[200]["org_unit_code"] = "NOWHERE"  # line 202
    rows[499]["email"] = "not-an-email"  # line 501

    job = run(org, csv_file(rows))

    assert job.status == RosterImport.Status.REJECTED
    assert [e["line"] for e in job.errors] == [12, 202, 501]
    assert "astronaut" in job.errors[0]["message"]
    assert "NOWHERE" in job.errors[1]["message"]
    assert "not-an-email" in job.errors[2]["message"]
    assert snapshot() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fixed_file_imports_all_500_then_ten_leavers_are_deactivated(org):
    rows = roster_rows(org, 500)
    job = run(org, csv_file(rows))
    assert job.status == RosterImport.Status.SUCCEEDED, job.errors
    assert (job.created_count, job.updated_count, job.deactivated_count) == (500, 0, 0)
    assert User.objects.filter(employee_number__startswith="N", is_active=True).count() == 500
    first = User.objects.get(employee_number="N00001")
    assert User.objects.get(employee_number="N00002").supervisor == first
    assert User.objects.get(employee_number="N00002").preferred_language == "uz-cyrl"

    leavers = [r["employee_number"] for r in rows[100:110]]
    remaining = rows[:100] + rows[110:]
    remaining[0] = {**remaining[0], "last_name": "Yusupova"}  # one change
    job = run(org, csv_file(remaining, "roster-2.csv"))

    assert job.status == RosterImport.Status.SUCCEEDED, job.errors
    assert job.deactivated_count == 10
    assert job.updated_count == 1
    assert job.unchanged_count == 489
    inactive = set(User.objects.filter(is_active=False).values_list("employee_number", flat=True))
    assert inactive == set(leavers)
    assert User.objects.get(employee_number="N00001").last_name == "Yusupova"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_returning_leaver_is_reactivated(org):
    rows = roster_rows(org, 5)
    run(org, csv_file(rows))
    run(org, csv_file(rows[:4]))
    assert not User.objects.get(employee_number="N00005").is_active
    job = run(org, csv_file(rows))
    assert job.updated_count == 1
    assert User.objects.get(employee_number="N00005").is_active


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_xlsx_roster_imports(org):
    job = run(org, xlsx_file(roster_rows(org, 20)))
    assert job.status == RosterImport.Status.SUCCEEDED, job.errors
    assert job.created_count == 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_leavers_are_only_looked_for_inside_the_scope(org):
    region_a, region_b = org["regions"]
    outsider = UserFactory(org_unit=org["centres"][-1])  # a centre of region B
    centres_a = [c for c in org["centres"] if c.path.startswith(region_a.path)]
    rows = [{**r, "org_unit_code": centres_a[0].code} for r in roster_rows(org, 3)]
    job = run(org, csv_file(rows), scope=region_a)
    assert job.status == RosterImport.Status.SUCCEEDED, job.errors
    outsider.refresh_from_db()
    assert outsider.is_active


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_outside_the_scope_are_rejected(org):
    region_a, region_b = org["regions"]
    centre_b = next(c for c in org["centres"] if c.path.startswith(region_b.path))
    rows = roster_rows(org, 2)
    rows[1]["org_unit_code"] = centre_b.code
    job = run(org, csv_file(rows), scope=region_a)
    assert job.status == RosterImport.Status.REJECTED
    assert any("outside the scope" in e["message"] for e in job.errors)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_problem_of_a_row_is_named(org):
    rows = roster_rows(org, 3)
    rows[1].update(
        employee_number="N00001", first_name="", supervisor_number="N99999", language="fr"
    )
    job = run(org, csv_file(rows))
    assert job.status == RosterImport.Status.REJECTED
    (error,) = job.errors
    assert error["line"] == 3
    for part in ("repeated", "first name is empty", "N99999", "fr"):
        assert part in error["message"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_missing_columns_reject_the_whole_file(org):
    upload = SimpleUploadedFile("roster.csv", b"employee_number,first_name\nN1,Ali\n")
    job = run(org, upload)
    assert job.status == RosterImport.Status.REJECTED
    assert "last_name" in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("roster.xlsx", b"not a zip", "not an XLSX workbook"),
    ],
)
def test_uploads_are_type_checked_before_anything_is_stored(org, name, content, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        services.start_roster_import(SimpleUploadedFile(name, content), org["agency"], None)
    assert not RosterImport.objects.exists()


def test_uploads_are_size_checked(org, settings):
    from django.core.exceptions import ValidationError

    settings.ROSTER_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="larger than"):
        services.start_roster_import(csv_file(roster_rows(org, 10)), org["agency"], None)
