"""The roster screens in the Wagtail admin: upload, progress, every bad row, inside scope."""

import pytest
from django.urls import reverse

from lms.people.models import RosterImport
from lms.people.roles import GROUP_NAMES, Role
from lms.people.seeding import load_groups
from tests.factories import PositionFactory, UserFactory, org_tree
from tests.people.test_services_roster import csv_file, roster_rows

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def org():
    tree = org_tree(regions=2, districts=2)
    PositionFactory(code="social-worker")
    PositionFactory(code="case-manager")
    groups = load_groups()
    hr = UserFactory(username="hr-a", employee_number=None, scope=tree["regions"][0])
    hr.groups.add(groups[Role.HR_OFFICER])
    tree["hr"] = hr
    return tree


def rows_in_region_a(org, count):
    centre = org["centres"][0]
    return [{**r, "org_unit_code": centre.code} for r in roster_rows(org, count)]


def test_hr_officer_uploads_and_sees_the_result(client, org):
    client.force_login(org["hr"])
    assert client.get(reverse("people_roster_upload")).status_code == 200
    response = client.post(
        reverse("people_roster_upload"),
        {"file": csv_file(rows_in_region_a(org, 12)), "scope": org["regions"][0].pk},
    )
    job = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people_roster_detail", args=[job.pk])

    status = client.get(reverse("people_roster_status", args=[job.pk])).json()
    assert status == {
        "status": "succeeded",
        "status_label": "Imported",
        "percent": 100,
        "processed_rows": 12,
        "total_rows": 12,
        "finished": True,
        "error_count": 0,
    }
    page = client.get(reverse("people_roster_detail", args=[job.pk])).content.decode()
    assert "<progress" in page and 'value="100"' in page


def test_bad_rows_are_listed_on_the_import_page(client, org):
    client.force_login(org["hr"])
    rows = rows_in_region_a(org, 5)
    rows[2]["position_code"] = "pilot"
    client.post(
        reverse("people_roster_upload"), {"file": csv_file(rows), "scope": org["regions"][0].pk}
    )
    job = RosterImport.objects.get()
    page = client.get(reverse("people_roster_detail", args=[job.pk])).content.decode()
    assert job.status == RosterImport.Status.REJECTED
    assert "<td>4</td>" in page and "pilot" in page


def test_hr_officer_cannot_import_into_another_region(client, org):
    client.force_login(org["hr"])
    response = client.post(
        reverse("people_roster_upload"),
        {"file": csv_file(rows_in_region_a(org, 3)), "scope": org["regions"][1].pk},
    )
    assert response.status_code == 200  # the form refuses the other region
    assert "scope" in response.context["form"].errors
    assert not RosterImport.objects.exists()


def test_wrong_file_type_is_refused_with_a_message(client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(org["hr"])
    response = client.post(
        reverse("people_roster_upload"),
        {"file": SimpleUploadedFile("staff.exe", b"MZ"), "scope": org["regions"][0].pk},
    )
    assert response.status_code == 200
    assert "Upload a .csv or .xlsx file." in response.context["form"].errors["file"]


def test_imports_of_other_regions_are_hidden(client, org):
    other = RosterImport.objects.create(
        file="roster-imports/x.csv", original_name="x.csv", scope=org["regions"][1]
    )
    client.force_login(org["hr"])
    # (LocaleMiddleware sends a 404 outside the language prefix to /uz/…, also a 404.)
    response = client.get(reverse("people_roster_detail", args=[other.pk]), follow=True)
    assert response.status_code == 404
    assert "x.csv" not in client.get(reverse("people_roster_index")).content.decode()


def test_learners_have_no_access(client, org):
    learner = UserFactory(org_unit=org["centres"][0])
    learner.groups.add(*learner.groups.model.objects.filter(name=GROUP_NAMES[Role.LEARNER]))
    client.force_login(learner)
    assert client.get(reverse("people_roster_index")).status_code in (302, 403)
