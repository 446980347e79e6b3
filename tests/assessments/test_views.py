"""The pages: a quiz block in a lesson, taking an attempt (autosave, submit, result with
feedback), grading, survey results and the pre/post download — each only for whom it is."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments import services
from assessments.models import Answer, Attempt, Question, Quiz, SurveyInvitation
from lms.learning import services as learning
from lms.people.roles import Role
from tests import factories as f

from . import builders

pytestmark = pytest.mark.django_db


def url(name, *args):
    with translation.override("en"):
        return reverse(f"assessments:{name}", args=args)


@pytest.fixture
def unit():
    return f.OrgUnitFactory()


@pytest.fixture
def tree():
    return f.course_with_lessons(f.curriculum_programme(), "CM-101", "Kurs", modules=1, lessons=2)


@pytest.fixture
def learner(unit):
    return f.UserFactory(org_unit=unit)


@pytest.fixture
def questions():
    return builders.every_type(builders.bank())


@pytest.fixture
def quiz_in_lesson(tree, questions, learner):
    learning.self_enrol(learner, tree.course)
    quiz = builders.quiz(
        [questions["single"], questions["true_false"], questions["essay"]],
        course=tree.course,
        purpose=Quiz.Purpose.POST_TEST,
        pass_mark=50,
        time_limit_minutes=20,
    )
    builders.lesson_with_quiz(tree.lessons[0], quiz)
    return quiz


def test_the_lesson_shows_the_quiz_and_starts_an_attempt(client, learner, tree, quiz_in_lesson):
    client.force_login(learner)
    lesson = tree.lessons[0]
    page = client.get(lesson.url).content.decode()  # the Uzbek lesson: the quiz's Uzbek title
    assert '<h2 id="quiz-' in page and ">Test</h2>" in page and "50%" in page
    assert 'class="lesson-gates"' in page
    with translation.override("uz"):
        assert reverse("learning:complete_lesson", args=[lesson.pk]) not in page
        assert reverse("assessments:start", args=[quiz_in_lesson.pk]) in page
    response = client.post(url("start", quiz_in_lesson.pk), {"lesson": lesson.pk})
    attempt = Attempt.objects.get(learner=learner)
    assert response.url == url("attempt", attempt.pk)
    assert attempt.lesson == lesson and attempt.deadline is not None
    page = client.get(response.url).content.decode()
    assert 'role="timer"' in page and "Submit the test" in page
    assert page.count("<fieldset") == 3 and "<legend>" in page


def test_autosave_answers_json_and_refuses_after_the_deadline(client, learner, quiz_in_lesson):
    client.force_login(learner)
    attempt = services.start_attempt(learner, quiz_in_lesson)
    essay = attempt.answers.get(question__type=Question.Type.ESSAY)
    response = client.post(
        url("save", attempt.pk),
        {f"q{essay.pk}": "Reja", f"q{essay.pk}-present": "1"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200 and response.json()["errors"] == {}
    essay.refresh_from_db()
    assert essay.response == "Reja"
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(
        url("save", attempt.pk), {f"q{essay.pk}": "Later"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 409 and "Time is up" in response.json()["error"]
    # Opening it again submits it with what was saved in time.
    response = client.get(url("attempt", attempt.pk))
    assert response.url == url("result", attempt.pk)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED  # the essay waits for its grader


def test_result_shows_score_and_feedback(client, learner, questions, tree):
    learning.self_enrol(learner, tree.course)
    quiz = builders.quiz([questions["single"], questions["true_false"]], pass_mark=100)
    client.force_login(learner)
    attempt = services.start_attempt(learner, quiz)
    single = attempt.answers.get(question=questions["single"])
    wrong = questions["single"].choices.get(text__uz="Wrong")
    client.post(url("submit", attempt.pk), {f"q{single.pk}": wrong.pk})
    page = client.get(url("result", attempt.pk)).content.decode()
    assert "0%" in page and "Not passed: the pass mark is 100%." in page
    assert "Right answer:" in page and "Right" in page and "No" in page  # option feedback


def test_nobody_else_sees_an_attempt(client, learner, quiz_in_lesson):
    attempt = services.start_attempt(learner, quiz_in_lesson)
    client.force_login(f.UserFactory())
    for name in ("attempt", "result"):
        assert client.get(url(name, attempt.pk)).status_code == 404
    assert client.post(url("submit", attempt.pk)).status_code == 404


def _submitted_essays(unit, questions, count):
    quiz = builders.quiz([questions["essay"]])
    answers = []
    for _ in range(count):
        person = f.UserFactory(org_unit=unit)
        attempt = services.start_attempt(person, quiz)
        answer = attempt.answers.get()
        answer.response = "Oila bilan reja tuzildi."
        answer.save()
        services.submit(attempt)
        answers.append(answer)
    return answers


def test_grading_list_is_scoped_and_does_not_grow_queries(client, unit, questions):
    trainer = builders.member(Role.TRAINER, scope=unit)
    client.force_login(trainer)
    _submitted_essays(unit, questions, 2)
    _submitted_essays(f.OrgUnitFactory(), questions, 2)  # another centre
    client.get(url("grading"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        page = client.get(url("grading")).content.decode()
    assert page.count('class="button button--small"') == 2
    _submitted_essays(unit, questions, 5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url("grading")).content.decode()
    assert page.count('class="button button--small"') == 7
    assert len(many) == len(few)


def test_a_trainer_grades_with_the_rubric(client, unit, questions):
    trainer = builders.member(Role.TRAINER, scope=unit)
    [answer] = _submitted_essays(unit, questions, 1)
    client.force_login(trainer)
    page = client.get(url("grade", answer.pk)).content.decode()
    assert "Needs" in page and "Complete" in page and 'name="criterion-1"' in page
    response = client.post(url("grade", answer.pk), {"criterion-0": "2"})
    assert response.status_code == 200 and "Choose a level for every criterion." in (
        response.content.decode()
    )
    response = client.post(
        url("grade", answer.pk),
        {"criterion-0": "2", "criterion-1": "2", "feedback": "Ajoyib reja."},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.score == 4 and answer.graded_by == trainer
    learner = answer.attempt.learner
    client.force_login(learner)
    page = client.get(url("result", answer.attempt_id)).content.decode()
    assert "Ajoyib reja." in page and "Rubric" in page and "100%" in page


def test_a_learner_or_a_trainer_elsewhere_cannot_grade(client, unit, questions):
    [answer] = _submitted_essays(unit, questions, 1)
    client.force_login(answer.attempt.learner)
    assert client.get(url("grading")).status_code == 403
    client.force_login(builders.member(Role.TRAINER, scope=f.OrgUnitFactory()))
    assert client.get(url("grade", answer.pk)).status_code == 404
    assert (
        client.post(url("grade", answer.pk), {"criterion-0": "2", "criterion-1": "2"}).status_code
        == 404
    )
    assert Answer.objects.get(pk=answer.pk).needs_grading


def test_pre_post_download_is_scoped(client, unit, tree, questions):
    tf = questions["true_false"]
    pre = builders.quiz([tf], course=tree.course, purpose=Quiz.Purpose.PRE_TEST)
    post = builders.quiz([tf], course=tree.course, purpose=Quiz.Purpose.POST_TEST)
    mine, other = f.UserFactory(org_unit=unit), f.UserFactory(org_unit=f.OrgUnitFactory())
    for person in (mine, other):
        learning.self_enrol(person, tree.course)
        for quiz, answer in ((pre, False), (post, True)):
            attempt = services.start_attempt(person, quiz)
            row = attempt.answers.get()
            row.response = answer
            row.save()
            services.submit(attempt)
    client.force_login(builders.member(Role.EVALUATOR, scope=unit))
    body = client.get(url("pre_post_csv") + f"?course={tree.course.pk}").content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0] == "employee_number,org_unit,course,pre_percent,post_percent,gain"
    assert lines[1:] == [f"{mine.employee_number},{unit.code},CM-101,0.00,100.00,1.000"]
    client.force_login(mine)
    assert client.get(url("pre_post_csv") + f"?course={tree.course.pk}").status_code == 403


def test_the_home_page_lists_surveys_and_tests(client, learner, quiz_in_lesson):
    client.force_login(learner)
    services.start_attempt(learner, quiz_in_lesson)
    page = client.get(url("home")).content.decode()
    assert "Your tests" in page and "The test" in page and "Work to grade" not in page


def test_survey_results_page_counts_only_the_viewers_people(client, tree, unit):
    b = builders.bank()
    question = builders.question(b, Question.Type.LIKERT, "useful")
    survey = builders.quiz(
        [question],
        course=tree.course,
        purpose=Quiz.Purpose.SURVEY,
        survey_kind=Quiz.SurveyKind.REACTION,
    )
    for person_unit, point in ((unit, 5), (unit, 4), (f.OrgUnitFactory(), 1)):
        person = f.UserFactory(org_unit=person_unit)
        invitation = SurveyInvitation.objects.create(
            quiz=survey,
            enrolment=learning.self_enrol(person, tree.course),
            respondent=person,
            send_on=timezone.localdate(),
        )
        attempt = services.start_attempt(person, survey, invitation=invitation)
        row = attempt.answers.get()
        row.response = point
        row.save()
        services.submit(attempt)
    client.force_login(builders.member(Role.HR_OFFICER, scope=unit))
    page = client.get(url("survey_results") + f"?survey={survey.pk}").content.decode()
    assert "2 responses" in page and "Mean 4.50 of 5" in page
    client.force_login(f.UserFactory(org_unit=unit))
    assert client.get(url("survey_results")).status_code == 403


def test_trainers_author_and_import_in_the_admin(client, django_capture_on_commit_callbacks):
    from pathlib import Path

    from assessments.models import ImportJob

    trainer = builders.member(Role.TRAINER, scope=f.OrgUnitFactory())
    client.force_login(trainer)
    for path in (
        "/admin/snippets/assessments/question/add/",
        "/admin/snippets/assessments/quiz/add/",
        "/admin/snippets/assessments/rubric/add/",
        "/admin/assessments/import/",
    ):
        assert client.get(path).status_code == 200, path
    bank = builders.bank()
    gift = (Path(__file__).parent / "data" / "all_types.gift").read_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assessments/import/",
            {
                "bank": bank.pk,
                "format": "gift",
                "language": "en",
                "file": SimpleUploadedFile("bank.gift", gift),
            },
        )
    job = ImportJob.objects.get()
    assert response.url == f"/admin/assessments/import/{job.pk}/"
    page = client.get(response.url).content.decode()
    assert "questions imported" in page and job.imported > 0
    assert bank.questions.first().text.get("en")
    # A learner has no way in.
    client.force_login(f.UserFactory())
    assert client.get("/admin/assessments/import/").status_code in (302, 403)


def test_parameters_that_are_not_numbers_are_404_not_500(client, unit, tree, quiz_in_lesson):
    client.force_login(builders.member(Role.EVALUATOR, scope=unit))
    assert client.get(url("survey_results") + "?unit=abc").status_code == 404
    assert client.get(url("pre_post_csv") + "?course=abc").status_code == 404
    assert client.post(url("start", quiz_in_lesson.pk), {"lesson": "abc"}).status_code == 404


def test_a_refused_answer_is_shown_instead_of_submitted(client, learner, questions):
    quiz = builders.quiz([questions["ordering"]])
    client.force_login(learner)
    attempt = services.start_attempt(learner, quiz)
    answer = attempt.answers.get()
    ids = list(questions["ordering"].choices.values_list("pk", flat=True))
    data = {f"q{answer.pk}-present": "1", **{f"q{answer.pk}-{pk}": "1" for pk in ids}}
    response = client.post(url("submit", attempt.pk), data)
    assert response.status_code == 400
    assert "Give each item a different place" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


def test_once_every_gate_is_met_mark_complete_is_offered_again(client, learner, tree, questions):
    """Passed before a prerequisite was done: the lesson can still be completed later."""
    learning.self_enrol(learner, tree.course)
    quiz = builders.quiz([questions["true_false"]], pass_mark=100)
    lesson = builders.lesson_with_quiz(tree.lessons[0], quiz)
    attempt = services.start_attempt(learner, quiz, lesson=lesson)
    answer = attempt.answers.get()
    answer.response = True
    answer.save()
    from lms.learning.models import LessonProgress

    services.submit(attempt)
    LessonProgress.objects.update(completed_at=None)  # as if completion had been refused
    client.force_login(learner)
    page = client.get(lesson.url).content.decode()
    with translation.override("uz"):
        assert reverse("learning:complete_lesson", args=[lesson.pk]) in page


def test_a_question_is_written_in_the_admin_in_four_languages(client):
    trainer = builders.member(Role.TRAINER, scope=f.OrgUnitFactory())
    client.force_login(trainer)
    bank = builders.bank()
    data = {
        "bank": bank.pk,
        "type": "single",
        "name": "first-step",
        "text_0": "Birinchi qadam qaysi?",
        "text_2": "Какой первый шаг?",
        "text_3": "Which is the first step?",
        "mark": "2",
        "correct": "",
        "shuffle_choices": "on",
        "general_feedback_0": "Avval baholash.",
        "tags": "intake",
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, (uz, percent) in enumerate([("Baholash", "100"), ("Yopish", "0")]):
        data.update(
            {
                f"choices-{i}-text_0": uz,
                f"choices-{i}-text_3": uz + " (en)",
                f"choices-{i}-percent": percent,
                f"choices-{i}-tolerance": "0",
                f"choices-{i}-ORDER": str(i + 1),
                f"choices-{i}-id": "",
                f"choices-{i}-DELETE": "",
            }
        )
    response = client.post("/admin/snippets/assessments/question/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(name="first-step")
    assert question.text["ru"] == "<p>Какой первый шаг?</p>" and "uz-cyrl" not in question.text
    assert [c.text["uz"] for c in question.choices.order_by("sort_order")] == ["Baholash", "Yopish"]
    assert list(question.tags.names()) == ["intake"]
    # Without the Uzbek text the form says so.
    data.update(name="second", text_0="")
    response = client.post("/admin/snippets/assessments/question/add/", data)
    assert response.status_code == 200
    assert "Write the Uzbek (Latin) text" in response.content.decode()


def test_a_timed_test_is_put_together_in_the_admin(client, tree, questions):
    trainer = builders.member(Role.TRAINER, scope=f.OrgUnitFactory())
    client.force_login(trainer)
    data = {
        "title_0": "Yakuniy test",
        "intro_0": "",
        "purpose": "final",
        "course": tree.course.pk,
        "pass_mark": "70",
        "attempts_allowed": "2",
        "time_limit_minutes": "20",
        "feedback": "after_last",
        "survey_kind": "",
        "reminder_days": "7",
        "slots-TOTAL_FORMS": "2",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "1",
        "slots-MAX_NUM_FORMS": "1000",
        "slots-0-question": questions["single"].pk,
        "slots-0-count": "1",
        "slots-0-ORDER": "1",
        "slots-1-bank": questions["single"].bank_id,
        "slots-1-tag": "",
        "slots-1-count": "3",
        "slots-1-ORDER": "2",
    }
    response = client.post("/admin/snippets/assessments/quiz/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    quiz = Quiz.objects.get(purpose="final")
    assert quiz.time_limit_minutes == 20 and quiz.slots.count() == 2
    # A survey without its kind is refused with the reason.
    data.update(purpose="survey", pass_mark="")
    response = client.post("/admin/snippets/assessments/quiz/add/", data)
    assert response.status_code == 200
    assert "Say when the survey is sent." in response.content.decode()
