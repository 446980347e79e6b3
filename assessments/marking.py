"""Reading a learner's response from a form, marking it, and describing the question and the
response as an xAPI interaction.

Responses are stored as JSON in `Answer.response`:

======================  ==============================================  =====================
type                    response                                        marked
======================  ==============================================  =====================
single                  choice id                                       its credit
multiple                [choice ids]                                    sum of credits, 0–100%
true_false              true / false                                    right or wrong
short                   "text"                                          best matching answer
numeric                 "12.5" (as typed; comma or point)               best answer in range
matching                {"<left choice id>": <right choice id>}         share of right pairs
ordering                [choice ids in the learner's order]             share in right place
likert                  1…5                                             not marked
essay                   "text"                                          by a person (rubric)
======================  ==============================================  =====================
"""

from __future__ import annotations

import fnmatch
import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from content.transliteration import to_cyrillic

from .i18n import language_map, local
from .models import Choice, Question

T = Question.Type
LIKERT_POINTS = (1, 2, 3, 4, 5)
LIKERT_LABELS = {
    1: _("Strongly disagree"),
    2: _("Disagree"),
    3: _("Neither agree nor disagree"),
    4: _("Agree"),
    5: _("Strongly agree"),
}
MAX_TEXT = 20_000  # characters kept of a typed answer


class ResponseError(ValueError):
    """A posted value that is not a possible answer (a tampered form)."""


# -- reading a response from a form ----------------------------------------------------------------


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise ResponseError(str(_("Not a possible answer."))) from error


def read_response(
    question: Question, choice_ids: list[int], data, name: str, target_ids: list[int] = ()
):
    """The response to ``question`` in the posted ``data`` (a QueryDict) under the field
    ``name``; ``choice_ids`` are the question's choices as delivered (matching: its left-hand
    items, ``target_ids`` its right-hand options). None when unanswered."""
    kind = question.type
    allowed = set(choice_ids)
    if kind == T.SINGLE:
        value = data.get(name)
        if not value:
            return None
        choice = _int(value)
        if choice not in allowed:
            raise ResponseError(str(_("Not a possible answer.")))
        return choice
    if kind == T.MULTIPLE:
        chosen = [_int(v) for v in data.getlist(name)]
        if not set(chosen) <= allowed:
            raise ResponseError(str(_("Not a possible answer.")))
        return sorted(set(chosen)) or None
    if kind == T.TRUE_FALSE:
        value = data.get(name)
        if value in (None, ""):
            return None
        if value not in ("true", "false"):
            raise ResponseError(str(_("Not a possible answer.")))
        return value == "true"
    if kind in (T.SHORT, T.ESSAY):
        text = (data.get(name) or "").strip()
        return text[:MAX_TEXT] or None
    if kind == T.NUMERIC:
        text = (data.get(name) or "").strip()
        return text[:50] or None
    if kind == T.LIKERT:
        value = data.get(name)
        if not value:
            return None
        point = _int(value)
        if point not in LIKERT_POINTS:
            raise ResponseError(str(_("Not a possible answer.")))
        return point
    if kind == T.MATCHING:
        pairs = {}
        for left in choice_ids:
            value = data.get(f"{name}-{left}")
            if value:
                right = _int(value)
                if right not in set(target_ids):
                    raise ResponseError(str(_("Not a possible answer.")))
                pairs[str(left)] = right
        return pairs or None
    if kind == T.ORDERING:
        ranks = {}
        for item in choice_ids:
            value = data.get(f"{name}-{item}")
            if value:
                ranks[item] = _int(value)
        if not ranks:
            return None
        if sorted(ranks.values()) != list(range(1, len(choice_ids) + 1)) or len(ranks) != len(
            choice_ids
        ):
            raise ResponseError(str(_("Give each item a different place, from 1 to the last.")))
        return [item for item, _rank in sorted(ranks.items(), key=lambda kv: kv[1])]
    raise ResponseError(f"unknown question type {kind}")


# -- marking ---------------------------------------------------------------------------------------


def parse_number(text: str) -> float | None:
    text = (text or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        return None
    return float(text)


def _short_matches(pattern: str, response: str, case_sensitive: bool) -> bool:
    """Moodle's short answer: `*` matches anything; spaces around are ignored."""
    pattern, response = pattern.strip(), response.strip()
    if not case_sensitive:
        pattern, response = pattern.casefold(), response.casefold()
    if "*" in pattern:
        return fnmatch.fnmatchcase(response, pattern.replace("[", "[[]").replace("?", "[?]"))
    return pattern == response


def _texts(value) -> set[str]:
    return {text for text in (value or {}).values() if text} if isinstance(value, dict) else set()


def _accepted(value) -> set[str]:
    """A short answer's accepted texts, with the Uzbek one also in Cyrillic letters."""
    texts = _texts(value)
    if isinstance(value, dict) and value.get("uz"):
        texts.add(to_cyrillic(value["uz"]))
    return texts


def fraction(question: Question, choices: list[Choice], response) -> float | None:
    """How much of the question's mark the response earns (0–1); None where a person marks it
    (essay) or nothing is marked (Likert)."""
    kind = question.type
    if kind in (T.ESSAY, T.LIKERT):
        return None
    if response is None:
        return 0.0
    by_id = {c.pk: c for c in choices}
    if kind == T.SINGLE:
        chosen = by_id.get(response)
        return max(0.0, min(1.0, float(chosen.percent) / 100)) if chosen else 0.0
    if kind == T.MULTIPLE:
        total = sum(float(by_id[c].percent) for c in response if c in by_id)
        return max(0.0, min(1.0, total / 100))
    if kind == T.TRUE_FALSE:
        return 1.0 if response is question.correct else 0.0
    if kind == T.SHORT:
        best = 0.0
        for choice in choices:
            if any(
                _short_matches(text, response, question.case_sensitive)
                for text in _accepted(choice.text)
            ):
                best = max(best, float(choice.percent) / 100)
        return max(0.0, min(1.0, best))
    if kind == T.NUMERIC:
        number = parse_number(response)
        if number is None:
            return 0.0
        best = 0.0
        for choice in choices:
            if choice.value is not None and abs(number - choice.value) <= choice.tolerance + 1e-9:
                best = max(best, float(choice.percent) / 100)
        return max(0.0, min(1.0, best))
    if kind == T.MATCHING:
        lefts = matching_lefts(choices)
        if not lefts:
            return 0.0
        right = 0
        for left in lefts:
            chosen = by_id.get(response.get(str(left.pk)))
            if chosen is not None and chosen.match == left.match:
                right += 1
        return right / len(lefts)
    if kind == T.ORDERING:
        correct = [c.pk for c in sorted(choices, key=lambda c: c.sort_order or 0)]
        if not correct:
            return 0.0
        return sum(a == b for a, b in zip(response, correct, strict=False)) / len(correct)
    raise ValueError(f"unknown question type {kind}")


def points(max_score: Decimal, value: float) -> Decimal:
    """The share ``value`` of the points the question was worth when the attempt started."""
    return (max_score * Decimal(str(value))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def matching_lefts(choices: list[Choice]) -> list[Choice]:
    """A matching question's left-hand items: those with a text and a right answer."""
    return [c for c in choices if _texts(c.text) and _texts(c.match)]


def right_options(choices: list[Choice]) -> list[Choice]:
    """The matching question's right-hand options: one per distinct text, distractors too."""
    seen, options = [], []
    for choice in choices:
        if choice.match and choice.match not in seen:
            seen.append(choice.match)
            options.append(choice)
    return options


def plain(value) -> str:
    """An option's text (HTML) in the viewer's language, as plain text."""
    return unescape(strip_tags(local(value)))


def correct_answer_text(question: Question, choices: list[Choice]) -> str:
    """The right answer in words, for the feedback after an attempt."""
    kind = question.type
    if kind == T.SINGLE:
        best = max(choices, key=lambda c: c.percent, default=None)
        return plain(best.text) if best else ""
    if kind == T.MULTIPLE:
        return "; ".join(plain(c.text) for c in choices if c.percent > 0)
    if kind == T.TRUE_FALSE:
        return str(_("True")) if question.correct else str(_("False"))
    if kind == T.SHORT:
        return " / ".join(plain(c.text) for c in choices if c.percent >= 100) or "; ".join(
            plain(c.text) for c in choices if c.percent > 0
        )
    if kind == T.NUMERIC:
        parts = []
        for c in choices:
            if c.percent >= 100 and c.value is not None:
                parts.append(f"{c.value:g}" + (f" ± {c.tolerance:g}" if c.tolerance else ""))
        return "; ".join(parts)
    if kind == T.MATCHING:
        return "; ".join(f"{plain(c.text)} → {local(c.match)}" for c in matching_lefts(choices))
    if kind == T.ORDERING:
        ordered = sorted(choices, key=lambda c: c.sort_order or 0)
        return " → ".join(plain(c.text) for c in ordered)
    return ""


# -- xAPI interactions -----------------------------------------------------------------------------


def _component(prefix: str, choice: Choice, field: str = "text") -> dict:
    texts = language_map(getattr(choice, field), str(choice.pk))
    return {"id": f"{prefix}{choice.pk}", "description": texts}


def interaction(question: Question, choices: list[Choice]) -> dict:
    """The question's activity definition fields: interactionType, the components and the
    correct-responses pattern (xAPI 2.0 §9.4.2.7, 1.0.3 Data §2.4.4.1.2)."""
    kind = question.type
    if kind in (T.SINGLE, T.MULTIPLE):
        definition = {
            "interactionType": "choice",
            "choices": [_component("c", c) for c in choices],
        }
        right = [f"c{c.pk}" for c in choices if c.percent > 0]
        if kind == T.SINGLE:
            definition["correctResponsesPattern"] = [
                f"c{c.pk}" for c in choices if c.percent >= 100
            ] or right[:1]
        else:
            definition["correctResponsesPattern"] = ["[,]".join(right)]
        return definition
    if kind == T.TRUE_FALSE:
        return {
            "interactionType": "true-false",
            "correctResponsesPattern": ["true" if question.correct else "false"],
        }
    if kind == T.SHORT:
        prefix = "{case_matters=true}" if question.case_sensitive else ""
        answers = [local(c.text, "uz") for c in choices if c.percent >= 100]
        return {
            "interactionType": "fill-in",
            "correctResponsesPattern": [prefix + a for a in answers if a and "*" not in a],
        }
    if kind == T.NUMERIC:
        ranges = [
            f"{c.value - c.tolerance:g}[:]{c.value + c.tolerance:g}"
            for c in choices
            if c.percent >= 100 and c.value is not None
        ]
        return {"interactionType": "numeric", "correctResponsesPattern": ranges}
    if kind == T.MATCHING:
        lefts = matching_lefts(choices)
        rights = right_options(choices)
        owner = {tuple(sorted(c.match.items())): c for c in rights}
        pairs = [f"s{c.pk}[.]t{owner[tuple(sorted(c.match.items()))].pk}" for c in lefts]
        return {
            "interactionType": "matching",
            "source": [_component("s", c) for c in lefts],
            "target": [_component("t", c, "match") for c in rights],
            "correctResponsesPattern": ["[,]".join(pairs)],
        }
    if kind == T.ORDERING:
        ordered = sorted(choices, key=lambda c: c.sort_order or 0)
        return {
            "interactionType": "sequencing",
            "choices": [_component("c", c) for c in ordered],
            "correctResponsesPattern": ["[,]".join(f"c{c.pk}" for c in ordered)],
        }
    if kind == T.LIKERT:
        return {
            "interactionType": "likert",
            "scale": [
                {"id": str(point), "description": {"en": str(label)}}
                for point, label in LIKERT_LABELS.items()
            ],
        }
    return {"interactionType": "long-fill-in"}


def xapi_response(question: Question, choices: list[Choice], response) -> str | None:
    """The response in the interaction's format. Essays are not sent: what a social worker
    writes about a family may name the family, and statements leave the platform."""
    if response is None or question.type == T.ESSAY:
        return None
    kind = question.type
    if kind == T.SINGLE:
        return f"c{response}"
    if kind == T.MULTIPLE:
        return "[,]".join(f"c{c}" for c in response)
    if kind == T.TRUE_FALSE:
        return "true" if response else "false"
    if kind in (T.SHORT, T.NUMERIC):
        return str(response)
    if kind == T.LIKERT:
        return str(response)
    if kind == T.MATCHING:
        rights = right_options(choices)
        owner = {tuple(sorted(c.match.items())): c for c in rights}
        by_id = {c.pk: c for c in choices}
        pairs = []
        for left, right in response.items():
            chosen = by_id.get(right)
            if chosen is not None:
                target = owner.get(tuple(sorted(chosen.match.items())), chosen)
                pairs.append(f"s{left}[.]t{target.pk}")
        return "[,]".join(pairs)
    if kind == T.ORDERING:
        return "[,]".join(f"c{c}" for c in response)
    return None
