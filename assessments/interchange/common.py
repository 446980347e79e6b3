"""What the GIFT and Moodle XML parsers share: the result types, the question dict, text
conversion and the checks every imported question must pass.

A question is a plain dict (:class:`Question`). The texts in it are of two kinds:

* HTML — ``text``, ``general_feedback``, every ``feedback``, the ``text`` of single/multiple
  options, of matching sub-questions (left side) and of ordering items;
* plain text — the ``text`` of short-answer answers (compared with what the learner types)
  and the ``match`` of matching pairs (the right side, shown in a drop-down).

``percent`` is a grade in percent (-100..100), as Moodle's answer fractions are; it is 0 and
unused for matching pairs and ordering items. ``penalty`` is Moodle's fraction (0..1) of the
mark lost for each wrong try in interactive quizzes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal, TypedDict

from django.utils.translation import gettext as _

QuestionType = Literal[
    "single", "multiple", "true_false", "short", "numeric", "matching", "ordering", "essay"
]

NAME_MAX_LENGTH = 200
DEFAULT_NAME_LENGTH = 60
# Moodle's default penalty (qformat_default::defaultquestion) for every type but true/false.
DEFAULT_PENALTY = 0.3333333
# The weights of the correct options of a multiple-answer question must add up to 100%;
# within one percentage point, so that 33/33/33 or 33.33333 × 3 pass.
WEIGHT_SUM_TOLERANCE = 1.0


@dataclass
class Problem:
    """A question that was not imported (``skipped``) or was imported with a loss."""

    position: int  # 1-based index of the question in the file; 0: the file as a whole
    line: int | None  # the line where the question starts, when known
    name: str  # the question's name, or the first words of its text
    reason: str  # in the language active while parsing
    skipped: bool  # True: not imported; False: imported, with the loss the reason names


@dataclass
class ParseResult:
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # every category named, in order

    def add_category(self, path: str | None) -> None:
        if path and path not in self.categories:
            self.categories.append(path)


class Choice(TypedDict):
    text: str
    match: str
    percent: float
    feedback: str


class NumericAnswer(TypedDict):
    value: float
    tolerance: float
    percent: float
    feedback: str


class Question(TypedDict):
    type: QuestionType
    name: str
    text: str
    general_feedback: str
    default_mark: float
    penalty: float
    tags: list[str]
    category: str | None
    shuffle: bool
    choices: list[Choice]
    correct: bool | None
    numeric: list[NumericAnswer]
    case_sensitive: bool


class InvalidQuestion(Exception):
    """Raised while reading a question that cannot be imported; the message is the reason."""


def new_question(qtype: QuestionType, name: str, text: str, category: str | None) -> Question:
    """A question of ``qtype`` with every other key at its default."""
    return {
        "type": qtype,
        "name": name,
        "text": text,
        "general_feedback": "",
        "default_mark": 1.0,
        "penalty": 1.0 if qtype == "true_false" else DEFAULT_PENALTY,
        "tags": [],
        "category": category,
        "shuffle": qtype in ("single", "multiple", "matching", "ordering"),
        "choices": [],
        "correct": None,
        "numeric": [],
        "case_sensitive": False,
    }


def choice(text: str, percent: float = 0.0, feedback: str = "", match: str = "") -> Choice:
    return {"text": text, "match": match, "percent": percent, "feedback": feedback}


def as_html(text: str, is_html: bool, *, block: bool = True) -> str:
    """``text`` as HTML: kept as it is when it already is HTML, else escaped.

    Escaped text becomes paragraphs (``<p>``, split at blank lines, ``<br>`` at single line
    breaks) when ``block``; inline HTML (only the ``<br>``) for short texts such as options.
    """
    text = text.strip()
    if is_html or not text:
        return text
    if not block:
        return _escape_lines(text)
    paragraphs = (part.strip() for part in re.split(r"\n[ \t]*\n", text))
    return "".join(f"<p>{_escape_lines(part)}</p>" for part in paragraphs if part)


def _escape_lines(text: str) -> str:
    return "<br>".join(html.escape(line.strip(), quote=False) for line in text.split("\n"))


_BREAKING_TAGS = {"br", "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment, with a space where a tag breaks the line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_plain(text: str) -> str:
    """The visible text of an HTML fragment, on one line."""
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def question_name(name: str, text_html: str) -> str:
    """``name`` on one line and at most 200 characters; when it is empty, the first 60
    characters of the question's visible text."""
    name = " ".join(name.split())
    if not name:
        name = html_to_plain(text_html)[:DEFAULT_NAME_LENGTH].rstrip()
    return name[:NAME_MAX_LENGTH].rstrip()


# A decimal number as Moodle stores answers and tolerances ("inf", "1_000" or "0x10" are not).
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

_CONTEXT_PREFIX = re.compile(r"^\$(?:course|cat|system|module)\$/")


def category_path(path: str) -> str | None:
    """A Moodle category path without its context and ``top`` prefix
    (``$course$/top/Risk/Basics`` → ``Risk/Basics``); None for the top category itself."""
    path = _CONTEXT_PREFIX.sub("", path.strip())
    if path == "top" or path.startswith("top/"):
        path = path[3:]
    return path.strip("/").strip() or None


def _full(percent: float) -> bool:
    return abs(percent - 100) < 1e-6


def _fmt(percent: float) -> str:
    return f"{percent:g}%"


def description_reason() -> str:
    """Why a description item (text without an answer) is skipped, in the active language."""
    return _("description items have no answers and are not imported")


def check(question: Question) -> None:
    """Raise :class:`InvalidQuestion` when ``question`` could not be answered or graded.

    Messages with a literal ``%`` write it ``%%`` and are formatted (``% {}`` when they have
    no placeholder), so that every translation is checked as python-format alike.
    """
    qtype = question["type"]
    choices = question["choices"]
    if not question["text"]:
        raise InvalidQuestion(_("the question has no text"))
    for weight in [c["percent"] for c in choices] + [n["percent"] for n in question["numeric"]]:
        if not -100 <= weight <= 100:
            raise InvalidQuestion(
                # Translators: %(weight)s is a percentage such as "150%".
                _("the weight %(weight)s is outside -100%%..100%%") % {"weight": _fmt(weight)}
            )
    if qtype in ("single", "multiple"):
        if len(choices) < 2:
            if qtype == "single":
                raise InvalidQuestion(_("a single-choice question needs at least 2 options"))
            raise InvalidQuestion(_("a multiple-choice question needs at least 2 options"))
        if any(not c["text"] for c in choices):
            raise InvalidQuestion(_("an option is empty"))
    if qtype == "single" and not any(_full(c["percent"]) for c in choices):
        raise InvalidQuestion(_("no option is marked correct (none is worth 100%%)") % {})
    if qtype == "multiple":
        total = sum(c["percent"] for c in choices if c["percent"] > 0)
        if total == 0:
            raise InvalidQuestion(_("no option is marked correct (none has a positive weight)"))
        if abs(total - 100) > WEIGHT_SUM_TOLERANCE:
            raise InvalidQuestion(
                # Translators: %(total)s is a percentage such as "90%".
                _("the weights of the correct options add up to %(total)s, not 100%%")
                % {"total": _fmt(total)}
            )
    if qtype == "short":
        if not choices:
            raise InvalidQuestion(_("the short-answer question has no accepted answer"))
        if any(not c["text"] for c in choices):
            raise InvalidQuestion(_("an accepted answer is empty"))
        if not any(_full(c["percent"]) for c in choices):
            raise InvalidQuestion(_("no accepted answer is worth 100%%") % {})
    if qtype == "numeric":
        if not question["numeric"]:
            raise InvalidQuestion(_("the numeric question has no answer"))
        if not any(_full(n["percent"]) for n in question["numeric"]):
            raise InvalidQuestion(_("no numeric answer is worth 100%%") % {})
    if qtype == "matching":
        pairs = [c for c in choices if c["text"]]
        if len(pairs) < 2:
            raise InvalidQuestion(
                _("a matching question needs at least 2 pairs, found %(count)s")
                % {"count": len(pairs)}
            )
        if any(not c["match"] for c in choices):
            raise InvalidQuestion(_("a matching pair has no answer on its right side"))
    if qtype == "ordering":
        if len(choices) < 2:
            raise InvalidQuestion(_("an ordering question needs at least 2 items"))
        if any(not c["text"] for c in choices):
            raise InvalidQuestion(_("an ordering item is empty"))


def merge_true_false_feedback(general: str, if_true: str, if_false: str) -> tuple[str, bool]:
    """The general feedback with the feedback for the answers "true" and "false" appended
    (the question dict has no place for them), each under a label in the active language;
    and whether anything was appended."""
    labels = (
        # Translators: a label written into an imported question's general feedback.
        (_("Answer “true”:"), if_true),
        # Translators: a label written into an imported question's general feedback.
        (_("Answer “false”:"), if_false),
    )
    parts = [general]
    for label, feedback in labels:
        if feedback:
            label = html.escape(label, quote=False)
            parts.append(f"<div><strong>{label}</strong> {feedback}</div>")
    return "".join(parts), len(parts) > 1


def true_false_merged() -> str:
    """The warning that goes with :func:`merge_true_false_feedback`, in the active language."""
    return _("the feedback for the answers true and false was moved into the general feedback")
