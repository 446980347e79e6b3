"""A learner does a required H5P activity in a lesson on her phone, with the keyboard: the
player (h5p-standalone, served from the site) shows it, her answer reaches the LRS under her
pseudonymous account and the lesson's activity id, the lesson completes, and the player picks
up where she left it when she comes back. The package is written by the test (no third-party
H5P content): the library H5P.MalakaCheck 1.0 of tests/content/h5p_packages.py."""

import base64
import json
import re
import urllib.parse
import urllib.request

from playwright.sync_api import expect

from tests.content.h5p_packages import check_package

from .test_assigned_course import sign_in

# Its own course in the risk-management programme (with an English version for the learner),
# so the other browser tests' courses keep no gate they do not expect.
SETUP = """
import json, uuid
from courses.models import ProgrammePage
from content.h5p_tracking import h5p_activity_iri
from content.models import H5PPackage
from lms.learning import services
from lms.learning.statements import activity_iri
from lms.people.models import User
from lms.tracking.services import actor
from tests import factories as f

package = H5PPackage.objects.get(key=KEY)
programme = ProgrammePage.objects.get(slug="risk-management", locale__language_code="uz")
tree = f.course_with_lessons(programme, "RM-190", "H5P sinovi", modules=1, lessons=1)
lesson = tree.lessons[0]
text = "<p>Oilaga tashrifni rejalashtirish.</p>"
lesson.body = json.dumps([
    {"type": "paragraph", "value": text, "id": str(uuid.uuid4())},
    {"type": "h5p", "id": str(uuid.uuid4()), "value": {
        "package": package.pk, "title": "Check yourself", "required": True, "pass_score": 50}},
])
lesson.save_revision().publish()
copies = f.translate_tree([tree.course, tree.modules[0], lesson], "en")
learner = User.objects.get(username="learner")
enrolment = services.self_enrol(learner, tree.course)
print(json.dumps({
    "lesson_url": copies[lesson.pk].get_url(),
    "activity": h5p_activity_iri(lesson.translation_key, package.key),
    "course": activity_iri("course", tree.course),
    "registration": str(enrolment.registration),
    "actor": actor(learner),
}))
"""


def _last_json(output: str):
    return json.loads(output.strip().splitlines()[-1])


def _statements(site_url: str, manage, **params) -> list[dict]:
    credential = json.loads(
        manage("create_lrs_credential", "e2e-h5p-reader", "--scopes", "all/read", "--json")
    )
    token = base64.b64encode(f"{credential['key']}:{credential['secret']}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        f"{site_url}/xapi/statements?{urllib.parse.urlencode(params)}",
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback test server
        return json.load(response)["statements"]


def test_learner_answers_an_h5p_activity_the_lrs_has_it_and_the_lesson_completes(
    browser, site_url, manage, tmp_path
):
    package = tmp_path / "malaka-check.h5p"
    package.write_bytes(check_package("Malaka check (browser test)"))
    imported = manage("import_h5p", str(package))
    key = re.search(r"key ([0-9a-f-]{36})", imported).group(1)
    facts = _last_json(manage("shell", "-c", SETUP.replace("KEY", repr(key))))

    learner = browser.new_context(base_url=site_url, viewport={"width": 390, "height": 844})
    tab = learner.new_page()
    tab.set_default_timeout(20000)
    refused = []  # h5p-lesson.js warns when the LRS refuses a statement
    tab.on("console", lambda message: "refused" in message.text and refused.append(message.text))
    sign_in(tab, "learner", facts["lesson_url"])
    expect(tab.locator(".lesson-completion")).to_contain_text("Check yourself")  # the gate

    activity = tab.get_by_role("region", name="Check yourself")
    expect(activity).to_be_visible()
    player = tab.frame_locator("iframe[title='Check yourself']")
    answer = player.get_by_role("button", name="Check my answer")
    expect(answer).to_be_visible()
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone

    def statement_posted(response):
        return response.url.endswith("/xapi/statements") and response.request.method == "POST"

    def state_saved(response):
        return "/xapi/activities/state" in response.url and response.request.method == "PUT"

    with tab.expect_response(state_saved) as saved, tab.expect_response(statement_posted) as sent:
        answer.focus()
        tab.keyboard.press("Enter")
    assert sent.value.status == 200, sent.value.text()
    assert saved.value.status == 204, saved.value.text()
    expect(player.get_by_role("status")).to_have_text("Answered.")
    expect(tab.locator(".h5p-activity__status")).to_have_text("Your result has been saved.")
    assert refused == []  # every statement the player sent (answered, completed) was stored

    # (a) The LRS holds her answer: her pseudonymous account, the lesson's activity id, her
    # enrolment as the registration, the course as parent.
    answered = _statements(
        site_url,
        manage,
        agent=json.dumps(facts["actor"]),
        verb="http://adlnet.gov/expapi/verbs/answered",
        activity=facts["activity"],
    )
    assert len(answered) == 1
    statement = answered[0]
    assert statement["actor"]["account"] == facts["actor"]["account"]
    assert statement["object"]["id"] == facts["activity"]
    assert statement["result"]["score"]["scaled"] == 1
    assert statement["context"]["registration"] == facts["registration"]
    parents = statement["context"]["contextActivities"]["parent"]
    assert [p["id"] for p in parents] == [facts["course"]]
    assert "mbox" not in json.dumps(statement)

    # (b) The lesson is complete, and the player shows where she left it.
    tab.reload()
    expect(tab.locator(".lesson-completion")).to_contain_text("You have completed this lesson.")
    expect(tab.frame_locator("iframe[title='Check yourself']").get_by_role("status")).to_have_text(
        "Answered."
    )
