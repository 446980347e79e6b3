"""Parsers for question banks from Moodle: the GIFT text format and Moodle XML.

They read a file into plain question dicts (see :mod:`.common` for their shape), and
report, as :class:`Problem`, every question they skip and every loss in one they import.
They touch no model and no database.

Every problem reason and warning, and the labels written into imported content (the
"Answer “true”:" heading of merged true/false feedback), is in the language active while
parsing (``django.utils.translation``); the import job runs the parser under the uploader's
language.
"""

from .common import Choice, NumericAnswer, ParseResult, Problem, Question
from .gift import parse_gift
from .moodle_xml import parse_moodle_xml

__all__ = [
    "Choice",
    "NumericAnswer",
    "ParseResult",
    "Problem",
    "Question",
    "parse_gift",
    "parse_moodle_xml",
]
