"""A learner takes CM-101's timed pre-test (time runs out: the server submits what was saved)
and its post-test (answers saved as she goes, right answers and feedback once passed); she
writes the case-study plan, the demo trainer grades it with the rubric, and she reads the
grade and the feedback."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from .test_assigned_course import sign_in

#: Prints, for the attempt given as argv, each answer field and the right response.
RIGHT_ANSWERS = """
import json, sys
from assessments import services
from assessments.models import Attempt
attempt = Attempt.objects.get(pk=int(sys.argv[-1]))
rows = []
for answer, shown, targets in services.delivered(attempt):
    q, name = answer.question, f"q{answer.pk}"
    if q.type == "single":
        rows.append(["radio", name, str(max(shown, key=lambda c: c.percent).pk)])
    elif q.type == "multiple":
        for c in shown:
            if c.percent > 0:
                rows.append(["check", name, str(c.pk)])
    elif q.type == "true_false":
        rows.append(["radio", name, "true" if q.correct else "false"])
    elif q.type == "short":
        best = max(shown, key=lambda c: c.percent)
        rows.append(["text", name, next(iter(best.text.values()))])
    elif q.type == "numeric":
        rows.append(["text", name, f"{shown[0].value:g}"])
    elif q.type == "matching":
        for c in shown:
            owner = next(t for t in targets if t.match == c.match)
            rows.append(["select", f"{name}-{c.pk}", str(owner.pk)])
    elif q.type == "ordering":
        order = sorted(shown, key=lambda c: c.sort_order)
        for rank, c in enumerate(order, start=1):
            rows.append(["select", f"{name}-{c.pk}", str(rank)])
    elif q.type == "likert":
        rows.append(["radio", name, "4"])
    else:
        rows.append(["text", name, "Reja"])
print(json.dumps(rows))
"""


def _answer_all(page, manage, attempt_id: str) -> None:
    rows = json.loads(
        manage("shell", "-c", RIGHT_ANSWERS.replace("sys.argv[-1]", attempt_id)).splitlines()[-1]
    )
    for kind, name, value in rows:
        if kind in ("radio", "check"):
            page.locator(f"input[name='{name}'][value='{value}']").check()
        elif kind == "select":
            page.locator(f"select[name='{name}']").select_option(value)
        else:
            page.locator(f"[name='{name}']").fill(value)


def _lesson_url(manage, course: str, lesson_slug: str) -> str:
    return manage(
        "shell",
        "-c",
        "from courses.models import LessonPage; from django.utils import translation; "
        "translation.activate('en'); "
        f"p = LessonPage.objects.get(slug='{lesson_slug}', locale__language_code='en'); "
        "print(p.url)",
    ).splitlines()[-1]


def _start(page, title_part: str) -> str:
    block = page.locator(".quiz-block").filter(has_text=title_part)
    block.get_by_role("button").click()
    expect(page.locator("#attempt-form")).to_be_visible()
    return page.url.rstrip("/").split("/")[-1]


def test_pre_and_post_test_with_a_time_limit_and_feedback(browser, site_url, manage):
    context = browser.new_context(base_url=site_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    first = _lesson_url(manage, "CM-101", "intake-and-first-contact")
    sign_in(page, "learner", first)

    # The pre-test: timed; she answers one question, then leaves it open past its time.
    expect(page.locator(".quiz-block").first).to_contain_text("Time limit")
    attempt = _start(page, "Pre-test")
    expect(page.locator("#attempt-timer")).to_be_visible()
    countdown = page.locator("#attempt-timer").inner_text()
    page.wait_for_timeout(1500)
    assert page.locator("#attempt-timer").inner_text() != countdown
    page.locator("fieldset.question input[type='radio']").first.check()
    expect(page.locator("#attempt-status")).to_contain_text("Saved at")
    manage(
        "shell",
        "-c",
        "import datetime as dt; from django.utils import timezone; "
        "from assessments.models import Attempt; "
        f"Attempt.objects.filter(pk={attempt}).update("
        "deadline=timezone.now() - dt.timedelta(minutes=1))",
    )
    page.reload()
    expect(page.locator(".messages")).to_contain_text("Time is up")
    expect(page.locator(".result-summary")).to_contain_text("Submitted.")
    expect(page.locator(".result-score")).to_have_count(0)  # a pre-test shows no score

    # The post-test in the last lesson: answers are kept across a reload, then submitted.
    page.goto(_lesson_url(manage, "CM-101", "closing-a-case"))
    attempt = _start(page, "Post-test")
    _answer_all(page, manage, attempt)
    expect(page.locator("#attempt-status")).to_contain_text("Saved at")
    page.wait_for_timeout(1200)  # the last autosave
    page.reload()
    checked = page.locator("fieldset.question input:checked").count()
    assert checked > 0
    page.get_by_role("button", name="Submit the test").click()
    expect(page.locator(".result-score")).to_contain_text("100%")
    expect(page.locator(".result-pass")).to_contain_text("Passed")
    expect(page.locator(".result-question").first).to_contain_text("Right answer:")
    page.get_by_role("link", name="Back to the lesson").click()
    expect(page.locator(".quiz-block").filter(has_text="Post-test")).to_contain_text("passed")
    context.close()


def test_a_trainer_grades_the_case_study_with_the_rubric(browser, site_url, manage):
    learner = browser.new_context(base_url=site_url).new_page()
    learner.set_default_timeout(15000)
    sign_in(learner, "learner", _lesson_url(manage, "CM-101", "drawing-up-the-individual-plan"))
    attempt = _start(learner, "Case study")
    learner.locator("fieldset.question textarea").fill(
        "Needs: income, debts, school. Goals: a job for the mother within three months; the "
        "son back at school. Services: employment centre, school psychologist. Review in a month."
    )
    learner.get_by_role("button", name="Submit the test").click()
    expect(learner.locator(".result-summary")).to_contain_text("A trainer will grade")

    trainer = browser.new_context(base_url=site_url).new_page()
    trainer.set_default_timeout(15000)
    sign_in(trainer, "trainer", "/en/assessments/")
    trainer.get_by_role("link", name="Work to grade").click()
    row = trainer.locator("tr").filter(has_text="Karimova")
    row.get_by_role("link", name="Grade").click()
    expect(trainer.locator(".essay-answer")).to_contain_text("employment centre")
    criteria = trainer.locator("fieldset.rubric-criterion")
    assert criteria.count() >= 2
    for i in range(criteria.count()):
        criteria.nth(i).locator("input[type='radio']").last.check()  # the best level
    criteria.first.locator("input[type='radio']").nth(1).check()  # but one criterion lower
    trainer.get_by_label("Feedback to the learner").fill("Good plan; name who does each task.")
    trainer.get_by_role("button", name="Save the grade").click()
    expect(trainer.locator(".messages")).to_contain_text("The grade is saved")

    learner.goto(f"/en/assessments/attempt/{attempt}/result/")
    expect(learner.locator(".rubric-result")).to_be_visible()
    expect(learner.locator(".feedback--grader")).to_contain_text("name who does each task")
    expect(learner.locator(".result-pass")).to_contain_text("Passed")
    learner.goto("/en/learning/")
    expect(learner.locator(".notices")).to_contain_text("has been graded")
