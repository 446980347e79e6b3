#!/usr/bin/env python
"""Taking, submitting and grading a 30-question test on PostgreSQL, against a baseline page
measured in the same run.

Builds, in a database of its own (`malaka_bench_assessments`, dropped and recreated on the
PostgreSQL server at 127.0.0.1, trust auth), one live course of 1 module × 2 lessons, an org
tree (agency → 1 region → 5 districts → an Inson centre each), a question bank of 30 questions
covering every type (single ×4, multiple ×4, true/false ×4, and short, numeric, matching,
ordering, Likert and essay ×3 each; the essays with a 2-criterion rubric), a post-test of those
30 questions as fixed slots (pass mark 70 %, 30 minutes, feedback after each attempt) placed in
the course's first lesson as a required quiz block, a trainer whose scope is the region, and
learners in the centres, each enrolled through `lms.learning.services.self_enrol`: one who
takes the test, 200 whose essays wait for the trainer, and one per planned submit request.
Attempts are made by `assessments.services` (start_attempt, submit) as the views make them.

Then, through django.test.Client (force_login, in-process, no network; test settings, but one
database connection kept across requests as in production rather than one per request), N
requests per measurement after one warm-up request, p50 and p95 of the full response time,
and one more request under CaptureQueriesContext for the number of SQL queries, their total
time and the slowest one (printed at the end; Django records each query's time to the
millisecond, so SQL ms is coarse). In this order (the grading list comes before the submits,
whose essays would join the trainer's queue):

- baseline: My learning (/en/learning/) of the learner with her one enrolment;
- the lesson holding the quiz block (GET of its Uzbek page, the only locale built, by the
  learner before any attempt; every GET of a lesson also records it as opened: lesson
  progress, last lesson, an `experienced` statement);
- the attempt page with 30 questions, none answered yet (GET, attempt started beforehand);
- autosave of one answer: POST …/save/ with Accept: application/json, one essay field and its
  `-present` marker (its text differs on every request, so every save writes);
- autosave of the whole form, all 30 answers (what attempt.js posts after each change; one
  essay differs on every request);
- the grading list of the trainer with 20 essays waiting, then with 200 (the list shows at
  most 200): one essay answered per attempt, made with start_attempt, the essay's response set
  and services.submit for distinct learners; the query count must not grow with the queue;
- submit with all 30 answers (right ones; the 3 essays then wait for grading): every request
  submits its own in-progress attempt of a distinct learner, all started before the timing,
  so only the submit requests are timed; the outbox statements one submit writes
  (lms.tracking.models.OutboxStatement rows before and after all the submit requests, over
  their number) are printed;
- the result page of the learner's submitted attempt (all answers, essays waiting).

Celery: the test settings run tasks eagerly, so the outbox delivery (`tracking.deliver`, queued
on commit by every statement-writing service) would store each submit's statements in the
platform's LRS inside the timed request. In production that runs in a worker, not in the web
request, so this script turns eager execution off (the Celery app's task_always_eager = False)
and points Celery at the in-memory broker: tasks queued on commit (statement delivery, e-mail
runs) are published there and never run. A request pays for queuing them, as in production;
the run checks at the end that no statement delivery ran.

Each measurement stops after N requests or BUDGET (20) seconds, whichever comes first (at least
3 requests). The database is dropped at the end unless --keep is given.

    .venv/bin/python bench/assessment_pages.py [--requests 30] [--keep]
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from pagebench import SERVER, Table, drop_database, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DB = "malaka_bench_assessments"
QUESTIONS = 30
TYPES = [
    "single",
    "multiple",
    "true_false",
    "short",
    "numeric",
    "matching",
    "ordering",
    "likert",
    "essay",
]
CENTRES = 5
ESSAYS_FEW, ESSAYS_MANY = 20, 200  # essays waiting for the trainer
ESSAY = (
    "Oila bilan birgalikda ehtiyojlar baholandi: uy-joy, bolalarning maktabga borishi va "
    "onaning ish topishi. Reja uch oyga tuzildi, har oy uchrashuv belgilandi."
)
FIRST = ["Aziz", "Dilnoza", "Bekzod", "Gulnora", "Timur", "Malika", "Shahlo", "Jasur", "Nodira"]
LAST = ["Karimov", "Rahimova", "Yusupov", "Tursunova", "Nazarov", "Saidova", "Alimov", "Ergasheva"]

sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"


def question_bank():
    """30 questions, every type (the essays with a rubric), as tests/assessments/builders.py
    makes them; returns the questions in quiz order."""
    from assessments.models import Choice, Question, QuestionBank
    from tests.assessments import builders

    T = Question.Type
    bank = QuestionBank.objects.create(
        name={"uz": "Keys-menejment", "ru": "Кейс-менеджмент", "en": "Case management"}
    )
    rubric = builders.rubric()
    questions = []
    for n in range(QUESTIONS):
        kind = TYPES[n % len(TYPES)]
        kw: dict = {}
        choices: list[dict] = []
        if kind == T.SINGLE:
            choices = [
                {"text": "Oilaning ehtiyojlarini baholash", "percent": 100, "feedback": "Ha"},
                {"text": "Darhol nafaqa tayinlash", "percent": 0, "feedback": "Yoʻq"},
                {"text": "Maktabga xat yozish", "percent": 0},
                {"text": "Hech narsa qilmaslik", "percent": 0},
            ]
        elif kind == T.MULTIPLE:
            choices = [
                {"text": "Uy-joy sharoiti", "percent": 50},
                {"text": "Bolalarning taʼlimi", "percent": 50},
                {"text": "Qoʻshnilarning fikri", "percent": -50},
                {"text": "Ob-havo", "percent": -50},
            ]
        elif kind == T.TRUE_FALSE:
            kw["correct"] = n % 2 == 0
        elif kind == T.SHORT:
            choices = [{"text": "oila", "percent": 100}, {"text": "xonadon*", "percent": 50}]
        elif kind == T.NUMERIC:
            choices = [{"text": "25", "value": 25, "tolerance": 1, "percent": 100}]
        elif kind == T.MATCHING:
            choices = [
                {"text": "Baholash", "match": "Assessment"},
                {"text": "Reja", "match": "Plan"},
                {"text": "Monitoring", "match": "Review"},
                {"text": "", "match": "Distractor"},
            ]
        elif kind == T.ORDERING:
            choices = [{"text": "Birinchi"}, {"text": "Ikkinchi"}, {"text": "Uchinchi"}]
        elif kind == T.LIKERT:
            kw["mark"] = Decimal("0")
        elif kind == T.ESSAY:
            kw.update(mark=Decimal("4"), rubric=rubric)
        text = (
            f"Savol {n + 1}. Ijtimoiy xodim oilaga birinchi tashrifida nimalarga eʼtibor "
            f"berishi kerak? Vaziyatni diqqat bilan oʻqing va javob bering ({kind})."
        )
        question = Question.objects.create(
            bank=bank,
            type=kind,
            name=f"{kind}-{n + 1}",
            text={"uz": f"<p>{text}</p>", "en": f"<p>Question {n + 1} ({kind}).</p>"},
            **kw,
        )
        for order, data in enumerate(choices):
            data = dict(data)
            for field in ("text", "match", "feedback"):
                if isinstance(data.get(field), str):
                    data[field] = {"uz": data[field]}
            Choice.objects.create(question=question, sort_order=order, **data)
        questions.append(question)
    assert {q.type for q in questions} == set(TYPES)
    return questions


def build(submitters: int) -> dict:
    """Curriculum, organisation, bank, quiz, trainer and learners; the submitters' attempts
    started and the first ESSAYS_FEW essays waiting. Returns what the measurements need."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from assessments import services
    from assessments.models import Quiz
    from courses.models import LessonPage
    from lms.learning import services as learning
    from lms.people.models import OrgUnit, Position, User
    from lms.people.roles import Role
    from lms.people.seeding import load_groups
    from tests.assessments import builders
    from tests.factories import course_with_lessons, curriculum_programme

    groups = load_groups()
    tree = course_with_lessons(
        curriculum_programme(), code="CM-201", title="Keys-menejment asoslari", modules=1, lessons=2
    )
    agency = OrgUnit.add_root(code="NASP", kind=OrgUnit.Kind.AGENCY, name="Agentlik")
    region = agency.add_child(code="R0", kind=OrgUnit.Kind.REGION, name="Viloyat 0")
    centres = []
    for d in range(CENTRES):
        district = region.add_child(code=f"R0-D{d}", kind=OrgUnit.Kind.DISTRICT, name=f"Tuman {d}")
        centres.append(
            district.add_child(code=f"R0-D{d}-INSON", kind=OrgUnit.Kind.CENTRE, name=f"Markaz {d}")
        )
    position = Position.objects.create(
        code="social-worker", name="Ijtimoiy xodim", name_en="Social worker"
    )

    questions = question_bank()
    quiz = builders.quiz(
        questions,
        title={"uz": "Yakuniy test", "en": "Post-test"},
        purpose=Quiz.Purpose.POST_TEST,
        course=tree.course,
        pass_mark=70,
        time_limit_minutes=30,
    )
    lesson = builders.lesson_with_quiz(tree.lessons[0], quiz)
    lesson = LessonPage.objects.get(pk=lesson.pk)

    trainer = User.objects.create(
        username="trainer",
        first_name="Gulnora",
        last_name="Nazarova",
        org_unit=centres[0],
        position=position,
        scope=region,
    )
    trainer.groups.add(groups[Role.TRAINER])

    password = make_password("malaka-demo")
    count = 1 + ESSAYS_MANY + submitters
    User.objects.bulk_create(
        [
            User(
                username=f"l{n:05d}",
                employee_number=f"E{n:05d}",
                first_name=FIRST[n % len(FIRST)],
                last_name=f"{LAST[n % len(LAST)]}-{n}",
                email=f"l{n:05d}@staff.example",
                password=password,
                position=position,
                org_unit=centres[n % CENTRES],
            )
            for n in range(count)
        ]
    )
    people = list(User.objects.filter(username__startswith="l").order_by("username"))
    for person in people:
        learning.self_enrol(person, tree.course)
    learner, essayists, submitting = (
        people[0],
        people[1 : 1 + ESSAYS_MANY],
        people[1 + ESSAYS_MANY :],
    )

    attempts = [services.start_attempt(person, quiz, lesson=lesson) for person in submitting]
    for person in essayists[:ESSAYS_FEW]:
        essay_waiting(person, quiz, lesson)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return {
        "course": tree.course,
        "lesson": lesson,
        "quiz": quiz,
        "trainer": trainer,
        "learner": learner,
        "essayists": essayists,
        "submitting": list(zip(submitting, attempts, strict=True)),
    }


def essay_waiting(person, quiz, lesson) -> None:
    """An attempt submitted with its first essay written (the rest unanswered): one answer in
    the trainer's queue."""
    from assessments import services
    from assessments.models import Question

    attempt = services.start_attempt(person, quiz, lesson=lesson)
    essay = attempt.answers.filter(question__type=Question.Type.ESSAY).order_by("position")[0]
    essay.response = ESSAY
    essay.save()
    services.submit(attempt)


def form(attempt, essay: str = ESSAY) -> dict:
    """All the attempt's answers as its page posts them, right ones (essays: `essay`)."""
    from assessments import services
    from assessments.models import Question

    T = Question.Type
    data: dict = {}
    for answer, shown, targets in services.delivered(attempt):
        question, name = answer.question, f"q{answer.pk}"
        data[f"{name}-present"] = "1"
        if question.type == T.SINGLE:
            data[name] = str(next(c.pk for c in shown if c.percent == 100))
        elif question.type == T.MULTIPLE:
            data[name] = [str(c.pk) for c in shown if c.percent > 0]
        elif question.type == T.TRUE_FALSE:
            data[name] = "true" if question.correct else "false"
        elif question.type == T.SHORT:
            data[name] = "Oila"
        elif question.type == T.NUMERIC:
            data[name] = "25,0"
        elif question.type == T.MATCHING:
            for left in shown:
                data[f"{name}-{left.pk}"] = str(
                    next(t.pk for t in targets if t.match == left.match)
                )
        elif question.type == T.ORDERING:
            right = sorted(shown, key=lambda c: c.sort_order)
            for choice in shown:
                data[f"{name}-{choice.pk}"] = str(right.index(choice) + 1)
        elif question.type == T.LIKERT:
            data[name] = "4"
        elif question.type == T.ESSAY:
            data[name] = essay
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="requests per measurement")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB}")
    args = parser.parse_args()
    if args.requests < 3:
        parser.error("--requests must be at least 3")

    started = time.perf_counter()
    recreate_database(DB)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from assessments import services
    from assessments.models import Answer, Attempt, Question
    from lms.celery import app
    from lms.tracking.models import Delivery, OutboxStatement

    # As in production (lms.settings.production): one connection kept across requests, not a
    # new one per request as the test settings do.
    connection.settings_dict["CONN_MAX_AGE"] = 60
    # Tasks queued on commit (statement delivery, e-mails) go to an in-memory broker and are
    # not run in the request: in production a worker runs them (see the docstring).
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    logging.getLogger("kombu").setLevel(logging.ERROR)
    submitters = args.requests + 2  # warm-up, N timed, one under CaptureQueriesContext
    try:
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        actors = build(submitters)
        built = time.perf_counter()
        quiz, lesson = actors["quiz"], actors["lesson"]
        print(
            f"database {DB}: migrated in {migrated - started:.0f} s, built in "
            f"{built - migrated:.0f} s: 1 course of 1 module × 2 lessons, {QUESTIONS} questions "
            f"of {len(TYPES)} types in a post-test, {1 + ESSAYS_MANY + submitters} learners in "
            f"{CENTRES} centres, {submitters} attempts started for the submit requests"
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work skews timings)")

        def login(user) -> Client:
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            return client

        learner, trainer = login(actors["learner"]), login(actors["trainer"])
        with translation.override("en"):
            mine = reverse("learning:my_learning")
            grading = reverse("assessments:grading")

            def url(name: str, attempt) -> str:
                return reverse(f"assessments:{name}", args=[attempt.pk])

        table = Table("measurement", 38, args.requests)

        def measure(label: str, send, expect: int = 200) -> int:
            return table.measure(label, send, expect)[1]

        measure("baseline: My learning, 1 enrolment", lambda: learner.get(mine))
        assert not Attempt.objects.filter(learner=actors["learner"]).exists()
        measure("lesson with the quiz block", lambda: learner.get(lesson.url))

        assert f'id="quiz-{quiz.pk}-h"' in learner.get(lesson.url).content.decode()
        attempt = services.start_attempt(actors["learner"], quiz, lesson=lesson)
        assert attempt.answers.count() == QUESTIONS
        measure(
            f"attempt page, {QUESTIONS} questions", lambda: learner.get(url("attempt", attempt))
        )

        assert learner.get(url("attempt", attempt)).content.count(b"<fieldset") == QUESTIONS
        essay = attempt.answers.filter(question__type=Question.Type.ESSAY).order_by("position")[0]
        counter = itertools.count()

        def save_one():
            name = f"q{essay.pk}"
            data = {name: f"{ESSAY} ({next(counter)})", f"{name}-present": "1"}
            return learner.post(url("save", attempt), data, headers={"accept": "application/json"})

        measure("autosave, one answer", save_one)
        full = form(attempt)

        def save_all():
            data = {**full, f"q{essay.pk}": f"{ESSAY} ({next(counter)})"}
            return learner.post(url("save", attempt), data, headers={"accept": "application/json"})

        measure(f"autosave, whole form ({QUESTIONS} answers)", save_all)
        response = save_all()
        assert response.json()["errors"] == {}, response.json()
        assert Answer.objects.filter(attempt=attempt, response__isnull=True).count() == 0

        waiting = services.grading_queue(actors["trainer"])
        assert waiting.count() == ESSAYS_FEW, waiting.count()
        few = measure(f"grading list, {ESSAYS_FEW} waiting", lambda: trainer.get(grading))
        for person in actors["essayists"][ESSAYS_FEW:]:
            essay_waiting(person, quiz, lesson)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        assert waiting.count() == ESSAYS_MANY, waiting.count()
        many = measure(f"grading list, {ESSAYS_MANY} waiting", lambda: trainer.get(grading))
        listed = trainer.get(grading).content.decode().count('class="button button--small"')
        assert listed == ESSAYS_MANY, listed

        # Submit: a fresh in-progress attempt of a distinct learner for every request.
        prepared = iter(
            [(login(person), url("submit", a), form(a)) for person, a in actors["submitting"]]
        )

        submitted = []

        def submit():
            client, target, data = next(prepared)
            submitted.append(target)
            return client.post(target, data)

        before = OutboxStatement.objects.count()  # counted around the submits, not timed
        measure(f"submit, {QUESTIONS} answers", submit, expect=302)
        outbox = OutboxStatement.objects.count() - before
        last = Attempt.objects.get(pk=actors["submitting"][-1][1].pk)
        assert last.status == Attempt.Status.SUBMITTED, last.status
        auto = last.answers.filter(question__type__in=Question.AUTOMATIC)
        assert all(a.score == a.max_score for a in auto), "the posted answers were not all right"

        services.submit(attempt)
        measure("result page, submitted attempt", lambda: learner.get(url("result", attempt)))

        table.footer(started)
        print(
            f"grading list queries: {few} with {ESSAYS_FEW} waiting, {many} with {ESSAYS_MANY}"
            f" waiting ({'the same' if few == many else 'NOT the same'})"
        )
        ran = Delivery.objects.exclude(status=Delivery.Status.PENDING).count()
        assert ran == 0, f"{ran} deliveries ran in-process: tasks were run eagerly"
        print(
            f"outbox statements written by one submit: {outbox / len(submitted):g} ({outbox:,} "
            f"by {len(submitted)} submit requests); in all "
            f"{OutboxStatement.objects.count():,} queued, none delivered in-process"
        )
        table.slowest_query()
    finally:
        if not args.keep:
            drop_database(DB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
