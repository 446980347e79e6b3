"""Moodle's GIFT format (https://docs.moodle.org/en/GIFT_format), read the way Moodle's own
importer (``qformat_gift``) reads it.

A file is a series of questions separated by blank lines. Lines starting with ``//`` are
comments; ``[tag:…]`` in them tags the question they belong to (Moodle 3.6+). A question is
``::title::``, then its text (``[html]``, ``[markdown]``, ``[plain]`` or ``[moodle]`` first to
set its format), and one answer block in braces: at the end of the text, or inside it, where
it leaves a blank ("missing word"). A backslash escapes ``~ = # { } :`` and itself; ``\\n`` is
a line break. ``$CATEGORY: path`` sets the category of the questions after it.

The answer block decides the type, as in Moodle: empty → essay; ``#…`` → numeric; any ``~``
→ multiple choice (single choice if some answer starts with ``=``); ``=`` and ``->`` →
matching; ``T``/``TRUE``/``F``/``FALSE`` → true/false; else short answer. ``####`` starts the
general feedback, ``#`` an answer's feedback, ``%50%`` after ``~`` or ``=`` an answer's weight.

Where this parser is stricter or kinder than Moodle: it refuses a stray or second brace that
Moodle would leave in the text; it reads true/false in any case (``{true}``), which Moodle
takes for a short answer; and it reads a question written right under its ``$CATEGORY:``
line, which Moodle wants in a block of its own. Markdown is escaped, not rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .common import (
    NUMBER,
    Choice,
    InvalidQuestion,
    NumericAnswer,
    ParseResult,
    Problem,
    Question,
    QuestionType,
    as_html,
    category_path,
    check,
    choice,
    description_reason,
    merge_true_false_feedback,
    new_question,
    question_name,
    true_false_merged,
)

# Escaped characters are swapped for private-use characters while the structure is read,
# and swapped back in each piece of text (Moodle does the same with "&&058;"-like tokens).
_ESCAPABLE = ":#={}~n\\"
_PLACEHOLDER = {char: chr(0xE000 + index) for index, char in enumerate(_ESCAPABLE)}
_RESTORE = str.maketrans({ph: "\n" if c == "n" else c for c, ph in _PLACEHOLDER.items()})
_ESCAPE = re.compile(r"\\([:#={}~n\\])")

_FORMAT = re.compile(r"\[(html|moodle|markdown|plain)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d*)?)%")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_BLANK = "_____"
# The weight of an answer without %n%, by its marker ("": text before the first marker).
_CHOICE_WEIGHTS = {"~": 0.0, "=": 100.0, "": 0.0}
_SHORT_WEIGHTS = {"=": 100.0, "": 100.0}


@dataclass
class _Block:
    """The lines of one question, as (line number, text), with its comment lines apart."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def parse_gift(text: str) -> ParseResult:
    """Read a GIFT file into questions; a question that cannot be imported becomes a skipped
    :class:`Problem` with its line, and reading goes on with the next one."""
    result = ParseResult()
    category: str | None = None
    position = 0
    for block in _blocks(text.removeprefix("\ufeff")):
        lines = block.lines
        first = lines[0][1].strip()
        if first.startswith("$CATEGORY:"):
            # Moodle wants the category alone in its block; a question right below is read too.
            category = category_path(first.removeprefix("$CATEGORY:"))
            result.add_category(category)
            lines = lines[1:]
            if not lines:
                continue
        position += 1
        line = lines[0][0]
        source = "\n".join(content for _number, content in lines).strip()
        source = _ESCAPE.sub(lambda match: _PLACEHOLDER[match.group(1)], source)
        warnings: list[str] = []
        try:
            question = _question(source, category, warnings)
            question["tags"] = _tags(block.comments)
            check(question)
        except InvalidQuestion as error:
            result.problems.append(
                Problem(position, line, _problem_name(source), str(error), skipped=True)
            )
            continue
        result.questions.append(question)
        result.problems.extend(
            Problem(position, line, question["name"], reason, skipped=False) for reason in warnings
        )
    return result


def _blocks(text: str) -> list[_Block]:
    """The questions of the file: runs of lines between blank lines. A run made only of
    comments is dropped; comments inside a run belong to its question."""
    blocks: list[_Block] = []
    current = _Block()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current.lines:
                blocks.append(current)
            current = _Block()
        elif line.startswith("//"):
            current.comments.append(line)
        else:
            current.lines.append((number, raw.rstrip()))
    if current.lines:
        blocks.append(current)
    return blocks


def _tags(comments: list[str]) -> list[str]:
    """The ``[tag:name]`` tokens of a question's comments (``\\]`` is a ``]`` in a name)."""
    tags: list[str] = []
    for match in _TAG.finditer("\n".join(comments)):
        tag = match.group(1).replace("\\]", "]").strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _plain(text: str) -> str:
    """A piece of the question with its escaped characters restored."""
    return text.translate(_RESTORE).strip()


def _formatted(text: str, default: str = "moodle") -> tuple[str, str]:
    """A piece of text without its ``[format]`` prefix, and that format (else ``default``)."""
    text = text.strip()
    match = _FORMAT.match(text)
    if match:
        return text[match.end() :], match.group(1).lower()
    return text, default


def _html(text: str, fmt: str, *, block: bool = True) -> str:
    """Only ``[html]`` text is HTML; Moodle auto-format, Markdown and plain text are escaped."""
    return as_html(_plain(text), fmt == "html", block=block)


def _problem_name(source: str) -> str:
    end = source.find("::", 2) if source.startswith("::") else -1
    if end > 2:
        return question_name(_plain(source[2:end]), "")
    return question_name("", _plain(source))


def _question(source: str, category: str | None, warnings: list[str]) -> Question:
    title = ""
    if source.startswith("::"):
        end = source.find("::", 2)
        if end < 0:
            raise InvalidQuestion(_("the title opened with :: is not closed with ::"))
        title, source = _plain(source[2:end]), source[end + 2 :].strip()

    start, end = source.find("{"), source.find("}")
    if start < 0 and end < 0:
        raise InvalidQuestion(description_reason())
    if end < 0:
        raise InvalidQuestion(_("the answer block opened with { is not closed with }"))
    if start < 0 or end < start:
        raise InvalidQuestion(
            _("a } closes an answer block that was never opened (write \\} for a brace)")
        )
    answers, after = source[start + 1 : end], source[end + 1 :]
    if "{" in answers:
        raise InvalidQuestion(_("a { inside the answer block (write \\{ for a brace)"))
    if "{" in after:
        raise InvalidQuestion(_("a question can have only one answer block { }"))
    if "}" in after:
        raise InvalidQuestion(_("a } after the answer block (write \\} for a brace)"))

    # As in Moodle: a block that ends the text is removed, one inside it leaves a blank.
    body, fmt = _formatted(source[:start] + (_BLANK + after if after.strip() else ""))
    text = _html(body, fmt)

    general_feedback = ""
    separator = answers.rfind("####")
    if separator >= 0:
        general_feedback = _html(*_formatted(answers[separator + 4 :], fmt))
        answers = answers[:separator]
    answers = answers.strip()

    qtype = _type(answers)
    question = new_question(qtype, question_name(title, text), text, category)
    question["general_feedback"] = general_feedback
    if qtype in ("single", "multiple"):
        question["choices"] = [
            choice(_html(*_formatted(raw, fmt), block=False), percent, feedback)
            for raw, percent, feedback in _weighted(answers, _CHOICE_WEIGHTS, fmt)
        ]
    elif qtype == "short":
        question["choices"] = [
            choice(_plain(_formatted(raw)[0]), percent, feedback)
            for raw, percent, feedback in _weighted(answers, _SHORT_WEIGHTS, fmt)
        ]
    elif qtype == "matching":
        question["choices"] = _pairs(answers, fmt)
    elif qtype == "true_false":
        _true_false(question, answers, fmt, warnings)
    elif qtype == "numeric":
        question["numeric"] = _numeric(answers[1:], fmt, warnings)
    return question


def _type(answers: str) -> QuestionType:
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numeric"
    if "~" in answers:
        return "single" if "=" in answers else "multiple"
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
        return "true_false"
    return "short"


def _split(answers: str, markers: str) -> list[tuple[str, str]]:
    """The answers of a block as (marker, text). Text before the first marker is an answer
    too, as in Moodle, with the marker ""."""
    pieces = re.split(f"([{re.escape(markers)}])", answers)
    head = [("", pieces[0])] if pieces[0].strip() else []
    return head + list(zip(pieces[1::2], pieces[2::2], strict=True))


def _weight(text: str, default: float) -> tuple[float, str]:
    """``%50%`` at the start of an answer is its weight in percent."""
    text = text.strip()
    match = _WEIGHT.match(text)
    if match:
        return float(match.group(1)), text[match.end() :]
    return default, text


def _weighted(answers: str, weights: dict[str, float], fmt: str) -> list[tuple[str, float, str]]:
    """Each answer's raw text, weight in percent and feedback (HTML): ``~`` wrong, ``=``
    right, ``%n%`` a weight, ``#`` the feedback."""
    result = []
    for marker, raw in _split(answers, "".join(m for m in weights if m)):
        percent, raw = _weight(raw, weights[marker])
        text, _hash, feedback = raw.partition("#")
        result.append((text, percent, _html(*_formatted(feedback, fmt), block=False)))
    return result


def _pairs(answers: str, fmt: str) -> list[Choice]:
    """``=left -> right`` pairs (Moodle reads no feedback here); an empty left side makes the
    right side an extra, distracting answer."""
    result = []
    for _marker, raw in _split(answers, "="):
        left, arrow, right = raw.partition("->")
        if not arrow:
            raise InvalidQuestion(
                _("the matching pair “%(pair)s” has no ->") % {"pair": _plain(raw)}
            )
        result.append(choice(_html(*_formatted(left, fmt), block=False), match=_plain(right)))
    return result


def _true_false(question: Question, answers: str, fmt: str, warnings: list[str]) -> None:
    """``{T#feedback if wrong#feedback if right}``: the first feedback is for the wrong
    answer, the second for the right one (``split_truefalse_comment`` in Moodle)."""
    verdict, *feedbacks = answers.split("#", 2)
    wrong, right = (_html(*_formatted(f, fmt), block=False) for f in [*feedbacks, "", ""][:2])
    correct = _TRUE_FALSE[verdict.strip().upper()]
    question["correct"] = correct
    if_true, if_false = (right, wrong) if correct else (wrong, right)
    question["general_feedback"], merged = merge_true_false_feedback(
        question["general_feedback"], if_true, if_false
    )
    if merged:
        warnings.append(true_false_merged())


def _number(text: str) -> float:
    text = _plain(text)
    if not NUMBER.fullmatch(text):
        raise InvalidQuestion(_("“%(value)s” is not a number") % {"value": text})
    return float(text)


def _numeric(answers: str, fmt: str, warnings: list[str]) -> list[NumericAnswer]:
    """``{#value}``, ``{#value:tolerance}``, ``{#min..max}`` or several ``=%w%…`` answers.
    A trailing ``~#feedback`` is Moodle's feedback for any other answer."""
    answers, _tilde, other = answers.partition("~")
    if other.strip():
        warnings.append(_("the feedback for any other answer (~#…) is not imported"))
    result: list[NumericAnswer] = []
    for _marker, raw in _split(answers, "="):
        percent, raw = _weight(raw, 100.0)
        spec, _hash, feedback = raw.partition("#")
        spec = spec.strip()
        if spec.find("..") > 0:
            low, high = (_number(part) for part in spec.split("..", 1))
            if low > high:
                raise InvalidQuestion(
                    _("the range %(range)s runs from high to low") % {"range": _plain(spec)}
                )
            value, tolerance = (low + high) / 2, (high - low) / 2
        elif spec.find(":") > 0:
            value_text, tolerance_text = spec.split(":", 1)
            value, tolerance = _number(value_text), _number(tolerance_text)
            if tolerance < 0:
                raise InvalidQuestion(
                    _("the tolerance %(tolerance)s is negative")
                    % {"tolerance": _plain(tolerance_text)}
                )
        else:
            value, tolerance = _number(spec), 0.0
        result.append(
            {
                "value": value,
                "tolerance": tolerance,
                "percent": percent,
                "feedback": _html(*_formatted(feedback, fmt), block=False),
            }
        )
    return result
