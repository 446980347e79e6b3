"""The evaluator's pages: a study from creation to PDF, inside the viewer's scope."""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse as _reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation.models import EvaluationStudy, Indicator, IndicatorImport, IndicatorValue
from evaluation.seeding import DEMO_STUDY_TITLE, load_demo_evaluation, load_indicators
from lms.people.models import OrgUnit
from lms.people.seeding import load_groups
from tests.factories import (
    OrgUnitFactory,
    UserFactory,
    catalogue_page,
    course_page,
    home_page,
    org_tree,
    programme_page,
)

pytestmark = pytest.mark.django_db


def reverse(name, args=None):
    with translation.override("en"):
        return _reverse(name, args=args)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def world():
    """Two regions of six districts with a centre each, two staff per centre, the catalogue,
    and the demo evaluation data (completions of CM-102, indicator values, a computed study)."""
    load_groups()
    tree = org_tree(regions=2, districts=6)
    for region in tree["regions"]:
        for centre in OrgUnit.objects.filter(kind="centre", path__startswith=region.path)[:2]:
            OrgUnit.objects.filter(pk=centre.pk).update(is_pilot=True)
    for centre in tree["centres"]:
        UserFactory(org_unit=centre)
        UserFactory(org_unit=centre)
    programme = programme_page(catalogue_page(home_page()))
    course_page(programme, code="CM-102", title="Xavf ostidagi oilalar")
    evaluator = UserFactory(username="evaluator", employee_number=None, scope=tree["agency"])
    evaluator.groups.add(Group.objects.get(name="Evaluators"))
    load_indicators()
    load_demo_evaluation()
    return {"tree": tree, "evaluator": evaluator}


def test_the_demo_seed_leaves_a_computed_study_with_its_data_quality_notes(world):
    study = EvaluationStudy.objects.get(title=DEMO_STUDY_TITLE)
    assert study.status == EvaluationStudy.Status.DONE, study.error
    results = study.results
    assert set(results["estimates"]) == {"cs", "bjs", "sa", "twfe"}
    assert results["units"] == 11  # one centre lacks two months and is left out
    assert [n["kind"] for n in results["notes"]][:1] == ["missing"]
    assert results["bacon"]["forbidden_weight"] > 0


def test_evaluator_creates_a_study_sees_the_chart_and_downloads_pdf_and_xlsx(
    client, world, django_capture_on_commit_callbacks, tmp_path
):
    from courses.models import CoursePage

    client.force_login(world["evaluator"])
    cm102 = CoursePage.objects.get(code="CM-102")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evaluation:study_new"),
            {
                "title": "Plans on time",
                "indicator": Indicator.objects.get(code="PLAN-10D").pk,
                "courses": [cm102.pk],
                "units_root": world["tree"]["agency"].pk,
                "period_start": "2023-01",
                "period_end": "2025-12",
                "adoption_threshold": 50,
                "comparison": "never_treated",
                "method": "bjs",
                "bootstrap": 199,
            },
        )
    study = EvaluationStudy.objects.get(title="Plans on time")
    assert response.status_code == 302
    assert study.status == EvaluationStudy.Status.DONE, study.error  # the job ran (eager)
    page = client.get(reverse("evaluation:study", args=[study.pk]))
    assert page.status_code == 200
    assert '<svg class="chart"' in page.text and 'role="img"' in page.text
    cs = study.results["estimates"]["cs"]["att"]
    bjs = study.results["estimates"]["bjs"]["att"]
    assert f"{cs:.2f}" in page.text
    # The summary leads with the method the evaluator chose.
    headline = page.context["data"]["explanation"][0]
    assert "Imputation (Borusyak–Jaravel–Spiess)" in headline and f"{bjs:.2f}" in headline

    pdf = client.get(reverse("evaluation:study_pdf", args=[study.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "Plans on time" in text
    assert f"{cs:.2f}" in text
    assert f"{study.results['estimates']['bjs']['att']:.2f}" in text

    # The panel behind the figures re-runs from the command line to the same estimate.
    panel = client.get(reverse("evaluation:study_panel", args=[study.pk]))
    assert panel.status_code == 200
    panel_file = tmp_path / "panel.csv"
    panel_file.write_bytes(panel.content)
    out = io.StringIO()
    call_command(
        "evaluation_estimate",
        "--panel",
        str(panel_file),
        "--method",
        "cs",
        "--comparison",
        "never_treated",
        "--bootstrap",
        "199",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["att"] == pytest.approx(cs, abs=1e-9)

    xlsx = client.get(reverse("evaluation:study_xlsx", args=[study.pk]))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"Summary", "Event study", "Cohorts", "Centres", "Panel"} <= set(book.sheetnames)
    assert book["Panel"].max_row == len(study.results["panel"]) + 1
    rows = list(book["Summary"].iter_rows(values_only=True))
    assert any(r[0] == "Callaway–Sant’Anna" and abs(r[1] - cs) < 1e-9 for r in rows)


def test_the_pdf_renders_uzbek_cyrillic_and_latin_text(client, world):
    client.force_login(world["evaluator"])
    study = EvaluationStudy.objects.get(title=DEMO_STUDY_TITLE)
    indicator = study.indicator
    for language, name in (("uz-cyrl", indicator.name_uz_cyrl), ("uz", indicator.name)):
        response = client.get(f"/{language}/evaluation/studies/{study.pk}/report.pdf")
        assert response.status_code == 200
        text = _pdf_text(response.content)
        assert name.split()[0] in text, language
    assert any(ch in indicator.name_uz_cyrl for ch in "ўқғҳ")


def test_a_regional_evaluator_sees_only_her_region(client, world):
    region_a, region_b = world["tree"]["regions"]
    regional = UserFactory(username="eval-a", employee_number=None, scope=region_a)
    regional.groups.add(Group.objects.get(name="Evaluators"))
    client.force_login(regional)
    agency_study = EvaluationStudy.objects.get(title=DEMO_STUDY_TITLE)
    home = client.get(reverse("evaluation:home"))
    assert DEMO_STUDY_TITLE not in home.text
    assert client.get(reverse("evaluation:study", args=[agency_study.pk])).status_code == 404
    assert client.get(reverse("evaluation:study_pdf", args=[agency_study.pk])).status_code == 404

    page = client.get(reverse("evaluation:indicator", args=["PLAN-10D"]))
    shown = {r.unit.code for r in page.context["rows"]}
    assert shown == set(
        OrgUnit.objects.filter(kind="centre", path__startswith=region_a.path).values_list(
            "code", flat=True
        )
    )
    form = client.get(reverse("evaluation:study_new")).context["form"]
    offered = set(form.fields["units_root"].queryset.values_list("pk", flat=True))
    assert region_a.pk in offered and region_b.pk not in offered
    refused = client.post(
        reverse("evaluation:study_new"),
        {
            "title": "Outside",
            "indicator": Indicator.objects.get(code="PLAN-10D").pk,
            "courses": [],
            "units_root": region_b.pk,
            "period_start": "2023-01",
            "period_end": "2025-12",
            "adoption_threshold": 50,
            "comparison": "never_treated",
            "method": "cs",
            "bootstrap": 199,
        },
    )
    assert refused.status_code == 200 and "units_root" in refused.context["form"].errors
    assert not EvaluationStudy.objects.filter(title="Outside").exists()


def test_people_without_the_evaluator_role_cannot_open_evaluation(client, world):
    learner = UserFactory(org_unit=world["tree"]["centres"][0])
    client.force_login(learner)
    assert client.get(reverse("evaluation:home")).status_code == 403
    assert client.get(reverse("evaluation:study_new")).status_code == 403
    study = EvaluationStudy.objects.get(title=DEMO_STUDY_TITLE)
    assert client.get(reverse("evaluation:study", args=[study.pk])).status_code == 403


def test_the_indicator_page_query_count_does_not_grow_with_centres(client, world):
    client.force_login(world["evaluator"])
    url = reverse("evaluation:indicator", args=["PLAN-10D"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    district = world["tree"]["districts"][0]
    for n in range(5):
        OrgUnitFactory(code=f"EXTRA-{n}", kind=OrgUnit.Kind.CENTRE, parent=district)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == baseline


def test_the_study_list_query_count_does_not_grow_with_studies(client, world):
    client.force_login(world["evaluator"])
    study = EvaluationStudy.objects.get(title=DEMO_STUDY_TITLE)
    url = reverse("evaluation:home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for n in range(4):
        study.pk = None
        study.title = f"Copy {n}"
        study.save()
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == baseline


def test_importing_a_file_with_bad_rows_changes_nothing_and_lists_each(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["evaluator"])
    before = IndicatorValue.objects.count()
    centre = world["tree"]["centres"][0].code
    csv_text = (
        "indicator_code,org_unit_code,period,value,numerator,denominator,source\n"
        f"PLAN-10D,{centre},2026-01,81.5,163,200,CMIS\n"
        f"PLAN-10D,NOPE,2026-01,80,,,CMIS\n"
        f"PLAN-10D,{centre},2026-13,80,,,CMIS\n"
        f"PLAN-10D,{centre},2026-02,180,,,CMIS\n"
    )
    upload = io.BytesIO(csv_text.encode())
    upload.name = "values.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation:import"), {"file": upload})
    job = IndicatorImport.objects.get()
    assert response.status_code == 302
    assert job.status == IndicatorImport.Status.REJECTED
    assert sorted({e["line"] for e in job.errors}) == [3, 4, 5]
    assert IndicatorValue.objects.count() == before
    status = client.get(reverse("evaluation:import_status", args=[job.pk]))
    assert "Unknown organisation unit" in status.text and "between 0 and 100" in status.text


def test_an_upload_of_the_wrong_type_is_refused_before_anything_is_stored(client, world):
    client.force_login(world["evaluator"])
    upload = io.BytesIO(b"MZ\x90\x00binary")
    upload.name = "values.exe"
    response = client.post(reverse("evaluation:import"), {"file": upload})
    assert response.status_code == 200
    assert "Upload a .csv or .xlsx file." in response.text
    assert not IndicatorImport.objects.exists()
