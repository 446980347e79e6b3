"""Question banks, quizzes and rubrics for the assessments tests: one question of every type,
with known right answers."""

from __future__ import annotations

import json
from decimal import Decimal

from assessments.models import Choice, Question, QuestionBank, Quiz, QuizSlot, Rubric

T = Question.Type


def bank(name: str = "Keys-menejment") -> QuestionBank:
    return QuestionBank.objects.create(name={"uz": name, "en": "Case management"})


def question(bank, kind, name, choices=(), **kw) -> Question:
    q = Question.objects.create(
        bank=bank,
        type=kind,
        name=name,
        text={"uz": f"<p>{name}?</p>", "en": f"<p>{name}?</p>"},
        **kw,
    )
    for order, data in enumerate(choices):
        data = dict(data)
        for field in ("text", "match", "feedback"):
            if isinstance(data.get(field), str):
                data[field] = {"uz": data[field]}
        Choice.objects.create(question=q, sort_order=order, **data)
    return q


def rubric() -> Rubric:
    levels = [
        {"label": {"uz": "Yoʻq", "en": "Missing"}, "points": "0", "description": {}},
        {"label": {"uz": "Qisman", "en": "Partial"}, "points": "1", "description": {}},
        {"label": {"uz": "Toʻliq", "en": "Complete"}, "points": "2", "description": {}},
    ]
    criteria = [
        {
            "type": "criterion",
            "value": {
                "title": {"uz": title_uz, "en": title_en},
                "description": {},
                "levels": levels,
            },
        }
        for title_uz, title_en in [("Ehtiyojlar", "Needs"), ("Maqsadlar", "Goals")]
    ]
    return Rubric.objects.create(
        name={"uz": "Reja", "en": "Service plan"}, criteria=json.dumps(criteria)
    )


def every_type(b: QuestionBank) -> dict[str, Question]:
    """One question of each type, all worth 1 point but the essay (4)."""
    return {
        "single": question(
            b,
            T.SINGLE,
            "single",
            [
                {"text": "Right", "percent": 100, "feedback": "Yes"},
                {"text": "Wrong", "percent": 0, "feedback": "No"},
                {"text": "Wrong 2", "percent": 0},
            ],
        ),
        "multiple": question(
            b,
            T.MULTIPLE,
            "multiple",
            [
                {"text": "A", "percent": 50},
                {"text": "B", "percent": 50},
                {"text": "C", "percent": -50},
            ],
        ),
        "true_false": question(b, T.TRUE_FALSE, "true_false", correct=True),
        "short": question(
            b,
            T.SHORT,
            "short",
            [{"text": "oila", "percent": 100}, {"text": "xonadon*", "percent": 50}],
        ),
        "numeric": question(
            b, T.NUMERIC, "numeric", [{"text": "25", "value": 25, "tolerance": 1, "percent": 100}]
        ),
        "matching": question(
            b,
            T.MATCHING,
            "matching",
            [
                {"text": "Baholash", "match": "Assessment"},
                {"text": "Reja", "match": "Plan"},
                {"text": "Monitoring", "match": "Review"},
                {"text": "", "match": "Distractor"},
            ],
        ),
        "ordering": question(
            b,
            T.ORDERING,
            "ordering",
            [{"text": "Birinchi"}, {"text": "Ikkinchi"}, {"text": "Uchinchi"}],
        ),
        "likert": question(b, T.LIKERT, "likert", mark=Decimal("0")),
        "essay": question(b, T.ESSAY, "essay", mark=Decimal("4"), rubric=rubric()),
    }


def quiz(questions, **kw) -> Quiz:
    kw.setdefault("title", {"uz": "Test", "en": "The test"})
    q = Quiz.objects.create(**kw)
    for order, item in enumerate(questions):
        QuizSlot.objects.create(quiz=q, question=item, sort_order=order)
    return q


def lesson_with_quiz(lesson, quiz_obj: Quiz, required: bool = True):
    """Put the quiz in the lesson's body as a block and publish."""
    body = list(lesson.body.raw_data)
    body.append({"type": "quiz", "value": {"quiz": quiz_obj.pk, "required": required}})
    lesson.body = json.dumps(body)
    lesson.save()
    return lesson


def member(role, scope=None, **kw):
    """A user in a role's group, with the org-unit scope given."""
    from lms.people.seeding import load_groups
    from tests import factories as f

    user = f.UserFactory(scope=scope, **kw)
    user.groups.add(load_groups()[role])
    return type(user).objects.get(pk=user.pk)  # fresh: permissions are cached per object
