"""Moodle XML question files (https://docs.moodle.org/en/Moodle_XML_format), read the way
Moodle's importer (``qformat_xml``) reads them.

``<quiz>`` holds ``<question type="…">`` elements; ``type="category"`` sets the category of
the questions after it. Texts are ``<text>`` in an element whose ``format`` attribute
(default ``html`` for the question text, the question text's format for feedback and
answers) says whether they are HTML; Moodle auto-format, plain text, wiki-like and Markdown
texts are escaped. Answer ``fraction`` attributes are percents. Files embedded in texts
(``<file>``, ``@@PLUGINFILE@@``) are dropped with a warning; so are hints, units, the
feedback for "any other answer" and the essay's grader information and response template.
The combined feedback (correct / partially correct / incorrect) has no place in a question
and is left out silently: Moodle fills it with stock sentences.

The file is parsed with defusedxml, and a DTD (hence any entity) is refused outright.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .common import (
    NUMBER,
    InvalidQuestion,
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

_PLAIN_FORMATS = {"moodle_auto_format", "plain_text", "wiki_like", "markdown"}
_TYPES: dict[str, QuestionType] = {
    "truefalse": "true_false",
    "shortanswer": "short",
    "numerical": "numeric",
    "matching": "matching",
    "match": "matching",
    "essay": "essay",
    "ordering": "ordering",
}
# Moodle's names of the types, left untranslated in the messages.
_UNSUPPORTED = {
    "cloze": "cloze (multianswer)",
    "multianswer": "cloze (multianswer)",
    "calculated": "calculated",
    "calculatedsimple": "simple calculated (calculatedsimple)",
    "calculatedmulti": "calculated multichoice (calculatedmulti)",
    "ddwtos": "drag and drop into text (ddwtos)",
    "gapselect": "select missing words (gapselect)",
    "ddimageortext": "drag and drop onto image (ddimageortext)",
    "ddmarker": "drag and drop markers (ddmarker)",
    "randomsamatch": "random short-answer matching (randomsamatch)",
    "random": "random",
}


def _files_dropped(names: str) -> str:
    """The warning for embedded files, with their names when they have any."""
    if names:
        return _("embedded files (images) are not imported (%(files)s)") % {"files": names}
    return _("embedded files (images) are not imported")


# The messages of _number, by the name of the number's element or attribute in Moodle XML;
# the others share the last one. %(value)s is the text that is no number.
_NOT_A_NUMBER = {
    "fraction": gettext_lazy("the answer fraction “%(value)s” is not a number"),
    "tolerance": gettext_lazy("the tolerance “%(value)s” is not a number"),
    "answer": gettext_lazy("the answer “%(value)s” is not a number"),
    # Translators: %(element)s is the name of a Moodle XML element, such as "penalty".
    "element": gettext_lazy("%(element)s “%(value)s” is not a number"),
}


class _LineRecorder(TreeBuilder):
    """A tree builder that notes the line each ``<question>`` starts on."""

    parser: DefusedXMLParser  # set before parsing starts

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if tag == "question":
            # The pure-Python XMLParser that defusedxml extends keeps its expat parser here.
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def _parse(data: bytes) -> tuple[Element, dict[Element, int]]:
    recorder = _LineRecorder()
    parser = DefusedXMLParser(target=recorder, forbid_dtd=True)
    recorder.parser = parser
    parser.feed(data)
    return parser.close(), recorder.lines


def parse_moodle_xml(data: bytes) -> ParseResult:
    """Read a Moodle XML file into questions; a question that cannot be imported becomes a
    skipped :class:`Problem`, and reading goes on with the next one."""
    result = ParseResult()
    try:
        root, lines = _parse(data)
    except DefusedXmlException:
        reason = _("the file declares a DTD or entities, which are refused")
        result.problems.append(Problem(0, None, "", reason, skipped=True))
        return result
    except ParseError as error:
        # Translators: %(error)s is the XML parser's own message, in English.
        reason = _("the file is not well-formed XML: %(error)s") % {"error": error}
        result.problems.append(Problem(0, error.position[0], "", reason, skipped=True))
        return result
    if root.tag != "quiz":
        reason = _(
            "the root element is <%(element)s>, not <quiz>: this is not a Moodle XML file"
        ) % {"element": root.tag}
        result.problems.append(Problem(0, None, "", reason, skipped=True))
        return result

    category: str | None = None
    position = 0
    for element in root.findall("question"):
        qtype = element.get("type", "").strip()
        if qtype == "category":
            category = category_path(_category(element))
            result.add_category(category)
            continue
        position += 1
        line = lines.get(element)
        warnings: list[str] = []
        try:
            question = _question(element, qtype, category, warnings)
            check(question)
        except InvalidQuestion as error:
            name = question_name(_text(element.find("name")), _text(element.find("questiontext")))
            result.problems.append(Problem(position, line, name, str(error), skipped=True))
            continue
        result.questions.append(question)
        result.problems.extend(
            Problem(position, line, question["name"], reason, skipped=False) for reason in warnings
        )
    return result


def _text(element: Element | None) -> str:
    """The ``<text>`` of an element, trimmed as Moodle trims it."""
    if element is None:
        return ""
    return (element.findtext("text") or "").strip()


def _rich(element: Element | None, default_format: str, *, block: bool = True) -> str:
    """The ``<text>`` of an element as HTML, by the element's ``format`` attribute; an
    unknown format is taken as HTML, as Moodle does."""
    if element is None:
        return ""
    fmt = element.get("format", default_format).strip()
    return as_html(_text(element), fmt not in _PLAIN_FORMATS, block=block)


def _category(element: Element) -> str:
    """``<category><text>path</text></category>``, or the path right in ``<category>`` as
    in files from before Moodle 3.5."""
    node = element.find("category")
    if node is None:
        return ""
    return node.findtext("text") or node.text or ""


def _number(text: str | None, what: str, default: float) -> float:
    """A number of the file (``default`` when it is absent or empty); ``what`` is the name of
    its element or attribute, which picks the message of ``_NOT_A_NUMBER``."""
    if text is None or not text.strip():
        return default
    text = text.strip()
    if not NUMBER.fullmatch(text):
        message = _NOT_A_NUMBER.get(what, _NOT_A_NUMBER["element"])
        raise InvalidQuestion(str(message) % {"value": text, "element": what})
    return float(text)


def _flag(text: str | None, default: bool) -> bool:
    """Moodle's ``trans_single``: "false", "0" and "" are false, anything else true."""
    if text is None:
        return default
    return text.strip() not in ("false", "0", "")


def _fraction(answer: Element) -> float:
    return _number(answer.get("fraction"), "fraction", 0.0)


def _tags(element: Element) -> list[str]:
    tags: list[str] = []
    for tag in element.iterfind("tags/tag"):
        name = (tag.findtext("text") if tag.find("text") is not None else tag.text) or ""
        if name.strip() and name.strip() not in tags:
            tags.append(name.strip())
    return tags


def _question(element: Element, qtype: str, category: str | None, warnings: list[str]) -> Question:
    if qtype == "description":
        raise InvalidQuestion(description_reason())
    if qtype in _UNSUPPORTED:
        raise InvalidQuestion(
            # Translators: %(type)s is the name of a Moodle question type, left in English.
            _("%(type)s questions are not supported") % {"type": _UNSUPPORTED[qtype]}
        )
    if qtype != "multichoice" and qtype not in _TYPES:
        raise InvalidQuestion(_("questions of type “%(type)s” are not supported") % {"type": qtype})

    if qtype == "multichoice":
        kind: QuestionType = "single" if _flag(element.findtext("single"), True) else "multiple"
    else:
        kind = _TYPES[qtype]
    questiontext = element.find("questiontext")
    fmt = "html" if questiontext is None else questiontext.get("format", "html").strip()
    text = _rich(questiontext, "html")
    question = new_question(kind, question_name(_text(element.find("name")), text), text, category)
    question["general_feedback"] = _rich(element.find("generalfeedback"), fmt)
    question["default_mark"] = _number(element.findtext("defaultgrade"), "defaultgrade", 1.0)
    question["penalty"] = _number(element.findtext("penalty"), "penalty", question["penalty"])
    question["tags"] = _tags(element)
    _READERS[qtype](element, question, fmt, warnings)

    if any(_text(hint) for hint in element.findall("hint")):
        warnings.append(_("hints are not imported"))
    files = [node.get("name", "") for node in element.iter("file")]
    if element.find("image_base64") is not None:  # the image of files from Moodle 1.x
        files.append(element.findtext("image") or "")
    if files or any("@@PLUGINFILE@@" in (node.text or "") for node in element.iter("text")):
        names = ", ".join(name for name in files if name)
        warnings.append(_files_dropped(names))
    return question


def _multichoice(element: Element, question: Question, fmt: str, warnings: list[str]) -> None:
    question["shuffle"] = _flag(element.findtext("shuffleanswers"), False)
    question["choices"] = [
        choice(
            _rich(answer, fmt, block=False),
            _fraction(answer),
            _rich(answer.find("feedback"), fmt, block=False),
        )
        for answer in element.findall("answer")
    ]


def _truefalse(element: Element, question: Question, fmt: str, warnings: list[str]) -> None:
    """Answers are matched on their text, "true" or "false"; failing that (old exports held
    translated words), the first is "true" and the next "false", as in Moodle."""
    answers = element.findall("answer")
    if not answers:
        raise InvalidQuestion(_("the true/false question has no answers"))
    feedback = {"true": "", "false": ""}
    by_place = False
    for index, answer in enumerate(answers):
        label = _text(answer).lower()
        if label not in feedback:
            label, by_place = ("true" if index == 0 else "false"), True
        right = _fraction(answer) == 100
        question["correct"] = right if label == "true" else not right
        feedback[label] = _rich(answer.find("feedback"), fmt, block=False)
    if by_place:
        warnings.append(
            _("the answers are not labelled true and false: the first was taken as true")
        )
    question["general_feedback"], merged = merge_true_false_feedback(
        question["general_feedback"], feedback["true"], feedback["false"]
    )
    if merged:
        warnings.append(true_false_merged())


def _shortanswer(element: Element, question: Question, fmt: str, warnings: list[str]) -> None:
    """Answers are plain text; ``*`` is Moodle's wildcard and stays."""
    question["case_sensitive"] = _flag(element.findtext("usecase"), False)
    question["choices"] = [
        choice(_text(answer), _fraction(answer), _rich(answer.find("feedback"), fmt, block=False))
        for answer in element.findall("answer")
    ]


def _numerical(element: Element, question: Question, fmt: str, warnings: list[str]) -> None:
    """An answer of ``*`` (or empty) matches any other number, only to give feedback."""
    for answer in element.findall("answer"):
        value = _text(answer)
        feedback = _rich(answer.find("feedback"), fmt, block=False)
        if value in ("", "*"):
            if feedback:
                warnings.append(_("the feedback for any other answer (*) is not imported"))
            continue
        tolerance = _number(answer.findtext("tolerance"), "tolerance", 0.0)
        if tolerance < 0:
            raise InvalidQuestion(
                _("the tolerance %(tolerance)s is negative") % {"tolerance": f"{tolerance:g}"}
            )
        question["numeric"].append(
            {
                "value": _number(value, "answer", 0.0),
                "tolerance": tolerance,
                "percent": _fraction(answer),
                "feedback": feedback,
            }
        )
    units = [(unit.findtext("unit_name") or "").strip() for unit in element.iterfind("units/unit")]
    if units:
        warnings.append(_("units are not imported (%(units)s)") % {"units": ", ".join(units)})


def _matching(element: Element, question: Question, fmt: str, warnings: list[str]) -> None:
    """``<subquestion>`` pairs; one with an empty text is an extra, distracting answer. Fully
    empty ones (left over from Moodle's form) are dropped."""
    question["shuffle"] = _flag(element.findtext("shuffleanswers"), True)
    for sub in element.findall("subquestion"):
        left, right = _rich(sub, fmt, block=False), (sub.findtext("answer/text") or "").strip()
        if left or right:
            question["choices"].append(choice(left, match=right))


def _essay(element: Element, question: Question, fmt: str, warnings: list[str]) -> None:
    if _text(element.find("graderinfo")):
        warnings.append("the information for graders is not imported")
    if _text(element.find("responsetemplate")):
        warnings.append("the response template is not imported")


def _ordering(element: Element, question: Question, fmt: str, warnings: list[str]) -> None:
    """qtype_ordering lists its items in the correct order. With ``selecttype`` RANDOM or
    CONTIGUOUS Moodle showed each learner only ``selectcount`` of them; all are imported."""
    items = [choice(_rich(item, fmt, block=False)) for item in element.findall("answer")]
    question["choices"] = items
    select = (element.findtext("selecttype") or "ALL").strip().upper()
    count = (element.findtext("selectcount") or "").strip()
    if select not in ("ALL", "EXACT") and count.isdigit() and 0 < int(count) < len(items):
        warnings.append(
            _("Moodle showed each learner %(count)s of the %(total)s items; all are imported")
            % {"count": count, "total": len(items)}
        )


_READERS: dict[str, Callable[[Element, Question, str, list[str]], None]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "match": _matching,
    "essay": _essay,
    "ordering": _ordering,
}
