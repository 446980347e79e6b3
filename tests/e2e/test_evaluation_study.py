"""The evaluator creates a study on the demo data, runs it, reads the chart and downloads the
PDF, whose text holds the estimates; an evaluator scoped to one region sees only that region."""

import io
import json
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from .test_assigned_course import sign_in


def test_evaluator_creates_and_runs_a_study_and_downloads_the_pdf(browser, site_url, manage):
    context = browser.new_context(base_url=site_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60000)  # the study is computed within the request (eager jobs)
    sign_in(page, "evaluator", "/en/evaluation/")
    expect(page.get_by_role("heading", name="Evaluation", exact=True)).to_be_visible()
    # The seed's demo study is there and computed.
    expect(page.locator("table.studies")).to_contain_text("CM-102")

    page.get_by_role("link", name="New study").click()
    page.get_by_label("Title").fill("Families at risk and plans on time")
    indicator = page.locator("#id_indicator option", has_text="PLAN-10D").get_attribute("value")
    page.get_by_label("Outcome indicator").select_option(indicator)
    course = page.locator("#id_courses option", has_text="CM-102").get_attribute("value")
    page.get_by_label("Courses").select_option(course)
    page.get_by_label("First month").fill("2023-01")
    page.get_by_label("Last month").fill("2025-12")
    page.get_by_label("Bootstrap replications").fill("199")
    page.get_by_role("button", name="Create and compute").click()

    expect(page.locator(".study-status")).to_have_attribute("data-status", "done")
    expect(page.get_by_role("heading", name="Families at risk and plans on time")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Effect by months since adoption"))
    expect(chart).to_be_visible()
    assert page.locator("svg.chart circle").count() >= 10  # post-adoption estimates
    expect(page.locator(".notice--warning")).to_contain_text("naive two-way fixed-effects")
    cs_effect = page.locator("tr[data-method='cs'] td").first.inner_text()
    bjs_effect = page.locator("tr[data-method='bjs'] td").first.inner_text()
    assert float(cs_effect) > 0

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(open(pdf.path(), "rb").read())).pages
    )
    assert "Families at risk and plans on time" in text
    assert "Callaway–Sant’Anna" in text
    assert cs_effect in text and bjs_effect in text
    assert "Two-way fixed effects (naive)" in text
    context.close()


def test_an_evaluator_scoped_to_a_region_sees_only_its_units(browser, site_url, manage):
    facts = json.loads(
        manage(
            "shell",
            "-c",
            "import json; from django.contrib.auth.models import Group; "
            "from lms.people.models import OrgUnit, User; "
            "region = OrgUnit.objects.filter(kind='region').order_by('code').first(); "
            "u, _ = User.objects.get_or_create(username='evaluator-region', "
            "defaults={'scope': region, 'first_name': 'Regional', 'last_name': 'Evaluator'}); "
            "u.scope = region; u.set_password('malaka-demo'); u.save(); "
            "u.groups.add(Group.objects.get(name='Evaluators')); "
            "inside = list(OrgUnit.objects.filter(kind='centre', path__startswith=region.path)"
            ".values_list('code', flat=True)); "
            "outside = list(OrgUnit.objects.filter(kind='centre').exclude("
            "path__startswith=region.path).values_list('code', flat=True)); "
            "print(json.dumps({'region': region.code, 'inside': inside, 'outside': outside}))",
        )
        .strip()
        .splitlines()[-1]
    )
    context = browser.new_context(base_url=site_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(30000)
    sign_in(page, "evaluator-region", "/en/evaluation/")
    # The agency-wide demo study is not hers to see.
    expect(page.locator("table.studies")).not_to_contain_text("CM-102")
    page.goto("/en/evaluation/indicators/PLAN-10D/")
    rows = page.locator("table.quality tbody tr[data-unit]")
    codes = set(rows.evaluate_all("rows => rows.map(r => r.dataset.unit)"))
    assert codes == set(facts["inside"])
    assert not codes & set(facts["outside"])
    page.goto("/en/evaluation/studies/new/")
    options = page.locator("#id_units_root option").evaluate_all(
        "opts => opts.map(o => o.textContent.trim())"
    )
    assert len(options) >= 2  # the region and its districts, nothing else
    context.close()
