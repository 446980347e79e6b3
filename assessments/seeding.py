"""Seed assessments for `load_seed`: question banks, a rubric, the tests and surveys of CM-101
and CM-102 placed in their lessons (every language's page), from `seed/assessments.yaml`;
and demo activity: an essay waiting for the demo trainer, and — for the evaluation demo —
pre/post tests and reaction surveys of the staff who completed CM-102 (simulated, like the
indicator values beside them). Everything is create-if-missing."""

from __future__ import annotations

import json
import random
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from courses.models import CoursePage, LessonPage, ModulePage
from lms.people.models import User

from .html import text_to_html
from .models import (
    Answer,
    Attempt,
    Choice,
    Question,
    QuestionBank,
    Quiz,
    QuizSlot,
    Rubric,
    SurveyInvitation,
)

SEED_FILE = Path(__file__).parent / "seed" / "assessments.yaml"
NAMESPACE = uuid.UUID("6f1c1d2e-8a43-4c55-9a0e-6b1f5e7d2a10")


def quiz_key(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def _texts(value: dict | None, *, html: bool = False) -> dict:
    out = {}
    for code, text in (value or {}).items():
        if text:
            out[str(code)] = text_to_html(str(text)) if html else str(text).strip()
    return out


def _rubric(data: dict) -> Rubric:
    rubric = Rubric.objects.filter(name__uz=data["name"]["uz"]).first()
    if rubric:
        return rubric
    criteria = [
        {
            "type": "criterion",
            "value": {
                "title": _texts(c["title"]),
                "description": _texts(c.get("description")),
                "levels": [
                    {
                        "label": _texts(level["label"]),
                        "points": str(level["points"]),
                        "description": _texts(level.get("description")),
                    }
                    for level in c["levels"]
                ],
            },
        }
        for c in data["criteria"]
    ]
    return Rubric.objects.create(name=_texts(data["name"]), criteria=json.dumps(criteria))


def _question(bank: QuestionBank, data: dict, rubrics: dict[str, Rubric]) -> Question:
    found = Question.objects.filter(bank=bank, name=data["name"]).first()
    if found:
        return found
    question = Question.objects.create(
        bank=bank,
        type=data["type"],
        name=data["name"],
        text=_texts(data["text"], html=True),
        general_feedback=_texts(data.get("feedback"), html=True),
        mark=Decimal(str(data.get("mark", 1))),
        correct=data.get("correct"),
        case_sensitive=bool(data.get("case_sensitive", False)),
        rubric=rubrics.get(data.get("rubric") or ""),
        source="seed",
    )
    rows = []
    for order, choice in enumerate(data.get("choices") or []):
        rows.append(
            Choice(
                question=question,
                sort_order=order,
                text=_texts(choice.get("text")),
                match=_texts(choice.get("match")),
                percent=Decimal(str(choice.get("percent", 0))),
                feedback=_texts(choice.get("feedback")),
            )
        )
    for order, answer in enumerate(data.get("numeric") or []):
        rows.append(
            Choice(
                question=question,
                sort_order=order,
                text={"uz": f"{answer['value']}"},
                value=float(answer["value"]),
                tolerance=float(answer.get("tolerance", 0)),
                percent=Decimal(str(answer.get("percent", 100))),
            )
        )
    Choice.objects.bulk_create(rows)
    if data.get("tags"):
        question.tags.add(*data["tags"])
        question.save()
    return question


def _course(code: str) -> CoursePage | None:
    return (
        CoursePage.objects.filter(code=code, locale__language_code=settings.LANGUAGE_CODE)
        .live()
        .first()
    )


def _lesson(course: CoursePage, where: dict) -> LessonPage | None:
    module = ModulePage.objects.child_of(course).filter(slug=where["module"]).first()
    if module is None:
        return None
    return LessonPage.objects.child_of(module).filter(slug=where["lesson"]).first()


def _place(lesson: LessonPage, quiz: Quiz, required: bool) -> None:
    """Add the quiz block to the lesson in every language it is published in."""
    block_id = str(uuid.uuid5(NAMESPACE, f"block:{quiz.key}"))
    for page in LessonPage.objects.filter(translation_key=lesson.translation_key):
        raw = list(page.body.raw_data)
        if any(item.get("id") == block_id for item in raw):
            continue
        raw.append(
            {"type": "quiz", "value": {"quiz": quiz.pk, "required": required}, "id": block_id}
        )
        page.body = json.dumps(raw)
        page.save_revision().publish()


def _quiz(data: dict, questions: dict[str, Question]) -> Quiz | None:
    course = _course(data["course"]) if data.get("course") else None
    if data.get("course") and course is None:
        return None
    key = quiz_key(data["key"])
    quiz = Quiz.objects.filter(key=key).first()
    if quiz is None:
        quiz = Quiz.objects.create(
            key=key,
            title=_texts(data["title"]),
            intro=_texts(data.get("intro")),
            purpose=data["purpose"],
            course=course,
            shuffle_questions=bool(data.get("shuffle_questions", False)),
            attempts_allowed=int(data.get("attempts_allowed") or 0),
            time_limit_minutes=data.get("time_limit_minutes"),
            pass_mark=data.get("pass_mark"),
            feedback=data.get("feedback") or Quiz.Feedback.IMMEDIATE,
            survey_kind=data.get("survey_kind") or "",
            months_after=data.get("months_after"),
        )
        QuizSlot.objects.bulk_create(
            QuizSlot(quiz=quiz, question=questions[name], sort_order=order)
            for order, name in enumerate(data.get("questions") or [])
        )
    if data.get("lesson") and course is not None:
        lesson = _lesson(course, data["lesson"])
        if lesson is not None:
            _place(lesson, quiz, bool(data.get("required", True)))
    return quiz


def load_assessments(path: Path = SEED_FILE) -> int:
    """Banks, rubrics and quizzes of the seed file; returns how many quizzes exist."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    with transaction.atomic():
        rubrics = {r["key"]: _rubric(r) for r in data.get("rubrics", [])}
        questions: dict[str, Question] = {}
        for bank_data in data["banks"]:
            bank = QuestionBank.objects.filter(name__uz=bank_data["name"]["uz"]).first()
            if bank is None:
                bank = QuestionBank.objects.create(
                    name=_texts(bank_data["name"]),
                    description=_texts(bank_data.get("description")),
                )
            for item in bank_data["questions"]:
                questions[item["name"]] = _question(bank, item, rubrics)
    # Publishing pages: outside one transaction, as the curriculum seed does.
    for item in data["quizzes"]:
        _quiz(item, questions)
    return Quiz.objects.count()


# -- demo activity ---------------------------------------------------------------------------------


DEMO_ESSAY = (
    "Oila: ona (34 yosh), uch farzand, buvisi nogironligi bor. Ehtiyojlar: daromad, qarzlar, "
    "kichik oʻgʻilning maktabga bormasligi. Maqsadlar: 3 oy ichida onani ishga joylashtirish; "
    "oʻgʻilni maktabga qaytarish. Xizmatlar: bandlik markazi, maktab psixologi, moddiy yordam. "
    "Koʻrib chiqish: 1 oydan keyin."
)


def load_demo_grading() -> int:
    """An essay of a demo staff member in the demo trainer's region, waiting for a grade."""
    from lms.learning import services as learning

    from . import services

    quiz = Quiz.objects.filter(key=quiz_key("cm-101-case")).first()
    trainer = User.objects.filter(username="trainer").select_related("scope").first()
    if quiz is None or trainer is None or trainer.scope is None:
        return 0
    if Attempt.objects.filter(quiz=quiz).exists():
        return 0
    worker = (
        User.objects.filter(
            org_unit__path__startswith=trainer.scope.path, is_active=True, is_superuser=False
        )
        .exclude(username__in=["learner", "trainer", "mentor", "hr", "evaluator", "editor"])
        .order_by("username")
        .first()
    )
    if worker is None or quiz.course is None:
        return 0
    if learning.enrolment_for(worker, quiz.course) is None:
        learning.self_enrol(worker, quiz.course)
    attempt = services.start_attempt(worker, quiz)
    Answer.objects.filter(attempt=attempt).update(response=DEMO_ESSAY, saved_at=timezone.now())
    services.submit(attempt)
    return 1


def _graded(quiz: Quiz, enrolment, when, **fields) -> Attempt:
    """A first attempt submitted and marked at ``when`` (demo data)."""
    return Attempt(
        quiz=quiz,
        learner=enrolment.learner,
        enrolment=enrolment,
        number=1,
        status=Attempt.Status.GRADED,
        started_at=when,
        submitted_at=when,
        graded_at=when,
        **fields,
    )


def load_demo_levels(seed: int = 2026) -> int:
    """Pre/post tests and reaction surveys of the staff who completed CM-102 in the evaluation
    demo: simulated scores (pre ~ 45 ± 15, a normalised gain ~ 0.45), written as attempts the
    way the platform writes them, without xAPI (like the demo completions)."""
    from lms.learning.models import Enrolment

    pre = Quiz.objects.filter(key=quiz_key("cm-102-pre")).first()
    post = Quiz.objects.filter(key=quiz_key("cm-102-post")).first()
    reaction = Quiz.objects.filter(key=quiz_key("cm-102-reaction")).first()
    if not (pre and post) or Attempt.objects.filter(quiz__in=[pre, post]).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 (a reproducible demo, not a secret)
    completed = list(
        Enrolment.objects.filter(course=pre.course, status=Enrolment.Status.COMPLETED)
        .select_related("learner")
        .order_by("pk")
    )
    attempts = []
    likert = []
    reaction_questions = (
        list(
            reaction.slots.filter(question__type=Question.Type.LIKERT).values_list(
                "question_id", flat=True
            )
        )
        if reaction
        else []
    )
    for enrolment in completed:
        if rng.random() < 0.15:
            continue  # some never took the pre-test
        before = max(0.0, min(100.0, rng.gauss(45, 15)))
        gain = max(-0.1, min(1.0, rng.gauss(0.45, 0.2)))
        after = max(0.0, min(100.0, before + gain * (100 - before)))
        done = enrolment.completed_at or timezone.now()
        start = enrolment.started_at or enrolment.enrolled_at
        for quiz, percent, when in ((pre, before, start), (post, after, done)):
            if quiz is post and rng.random() < 0.1:
                continue  # completed without the post-test being counted
            attempts.append(
                _graded(
                    quiz,
                    enrolment,
                    when,
                    score=Decimal(str(round(percent / 10, 2))),
                    max_score=Decimal("10"),
                    percent=Decimal(str(round(percent, 2))),
                    passed=(percent >= (quiz.pass_mark or 0)) if quiz.needs_pass else None,
                )
            )
        if reaction and reaction_questions and rng.random() < 0.7:
            survey = _graded(reaction, enrolment, done)
            attempts.append(survey)
            for position, question_id in enumerate(reaction_questions, start=1):
                point = max(1, min(5, round(rng.gauss(4.1, 0.8))))
                likert.append((survey, question_id, position, point))
    with transaction.atomic():
        Attempt.objects.bulk_create(attempts, batch_size=500)
        Answer.objects.bulk_create(
            [
                Answer(attempt=a, question_id=q, position=p, response=v, saved_at=a.submitted_at)
                for a, q, p, v in likert
            ],
            batch_size=500,
        )
        # The demo's reaction surveys were answered from their invitations, as real ones are.
        SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(
                    quiz=a.quiz,
                    enrolment=a.enrolment,
                    respondent=a.learner,
                    send_on=timezone.localdate(a.submitted_at),
                    sent_at=a.submitted_at,
                    attempt=a,
                    answered_at=a.submitted_at,
                )
                for a in attempts
                if a.quiz_id == getattr(reaction, "pk", None)
            ],
            batch_size=500,
        )
    return len(attempts)
