"""HR assigns a course to every case manager of a district; one of them takes it to the end
on a phone; HR sees her complete and the others pending; the LRS holds her statements, all with
the enrolment as the registration."""

import base64
import datetime as dt
import json
import re
import urllib.parse
import urllib.request

from playwright.sync_api import expect


def _last_json(output: str):
    return json.loads(output.strip().splitlines()[-1])


def sign_in(page, username: str, next_path: str) -> None:
    page.goto(f"/en/accounts/login/?next={urllib.parse.quote(next_path)}")
    page.get_by_label("Login name").fill(username)
    page.get_by_label("Password").fill("malaka-demo")
    page.get_by_role("button", name="Sign in").click()


def test_hr_assigns_learner_completes_hr_sees_it_lrs_has_it(browser, site_url, manage):
    facts = _last_json(
        manage(
            "shell",
            "-c",
            "import json; from lms.people.models import User, Position; "
            "from lms.tracking.services import actor; "
            "u = User.objects.get(username='learner'); "
            "print(json.dumps({'district': u.org_unit.get_parent().pk, "
            "'position': Position.objects.get(code='case-manager').pk, "
            "'actor': actor(u), "
            "'peers': User.objects.filter(position__code='case-manager', is_active=True, "
            "org_unit__path__startswith=u.org_unit.get_parent().path).count()}))",
        )
    )
    assert facts["peers"] >= 2  # the learner and at least one colleague

    # HR assigns OE-101 to every case manager of the learner's district.
    hr = browser.new_context(base_url=site_url).new_page()
    sign_in(hr, "hr", "/en/learning/assign/")
    expect(hr.get_by_role("heading", level=1)).to_have_text("Assign a course")
    course_value = hr.locator("#id_course option", has_text="OE-101").get_attribute("value")
    hr.get_by_label("Course", exact=True).select_option(course_value)
    hr.get_by_label("Everyone in a unit").check()
    hr.get_by_label("Organisation unit", exact=True).select_option(str(facts["district"]))
    hr.get_by_label("Position", exact=True).select_option(str(facts["position"]))
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    hr.get_by_label("Due date").fill(due)
    hr.get_by_role("button", name="Assign").click()
    expect(hr.locator(".messages")).to_contain_text(f"Assigned to {facts['peers']} people")

    # The learner, on a phone, finds it in My learning and works through it.
    learner = browser.new_context(base_url=site_url, viewport={"width": 390, "height": 844})
    tab = learner.new_page()
    tab.set_default_timeout(15000)
    sign_in(tab, "learner", "/en/learning/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("My learning")
    card = tab.locator(".enrolment[data-course='OE-101']")
    expect(card).to_be_visible()
    expect(tab.locator(".notices")).to_contain_text("New assignment: OE-101")
    card.get_by_role("link").first.click()
    tab.get_by_role("link", name="Start the first lesson").click()
    seen = []
    while True:
        bar = tab.locator(".lesson-completion progress")
        before = int(bar.get_attribute("value"))
        tab.get_by_role("button", name="Mark this lesson complete").click()
        if tab.locator(".messages").filter(has_text="Course completed").count():
            break
        expect(tab.locator(".messages")).to_contain_text("Lesson marked complete")
        after = int(tab.locator(".lesson-completion progress").get_attribute("value"))
        assert after > before
        seen.append(after)
        assert len(seen) < 50
    expect(tab.locator(".enrol-box")).to_contain_text("Completed")
    expect(tab.locator(".enrol-box progress")).to_have_attribute("value", "100")
    tab.goto("/en/learning/")
    expect(
        tab.locator(".learning-section--completed .enrolment[data-course='OE-101']")
    ).to_be_visible()

    # HR sees her complete and the other case managers still pending.
    hr.goto(f"/en/learning/roster/?course={course_value}")
    expect(hr.locator("tr[data-learner='learner']")).to_have_attribute("data-state", "completed")
    rows = hr.locator("tbody tr[data-state]")
    expect(rows).to_have_count(facts["peers"])
    others = hr.locator("tbody tr[data-state]:not([data-learner='learner'])")
    for state in others.evaluate_all("rows => rows.map(r => r.dataset.state)"):
        assert state in ("enrolled", "in_progress")

    # The LRS holds her registered, experienced and completed statements, one registration.
    credential = json.loads(
        manage("create_lrs_credential", "e2e-reader", "--scopes", "all/read", "--json")
    )
    token = base64.b64encode(f"{credential['key']}:{credential['secret']}".encode()).decode()
    query = urllib.parse.urlencode({"agent": json.dumps(facts["actor"]), "limit": 500})
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        f"{site_url}/xapi/statements?{query}",
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "2.0.0"},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback test server
        statements = json.load(response)["statements"]

    def about_cm101(s):
        parents = s.get("context", {}).get("contextActivities", {}).get("parent", [])
        ids = [s["object"]["id"], *[p["id"] for p in parents]]
        return any(re.search(r"/activities/course/OE-101$", i) for i in ids)

    cm101 = [s for s in statements if about_cm101(s)]
    registrations = {s["context"]["registration"] for s in cm101}
    assert len(registrations) == 1  # the enrolment is the registration of every one
    verbs = {s["verb"]["id"].rsplit("/", 1)[-1] for s in cm101}
    assert {"registered", "launched", "experienced", "progressed", "completed"} <= verbs
    course_done = [
        s
        for s in cm101
        if s["verb"]["id"].endswith("/completed")
        and re.search(r"/activities/course/OE-101$", s["object"]["id"])
    ]
    assert len(course_done) == 1
    assert "mbox" not in json.dumps(statements)
