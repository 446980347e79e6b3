"""The GIFT parser: every supported type from a whole file, then each rule and each way a
question can be malformed. Pure parsing: no database."""

from pathlib import Path

import pytest

from assessments.interchange import Problem, parse_gift

from .interchange_expected import number, option, parsed

DATA = Path(__file__).parent / "data"
MERGED = "the feedback for the answers true and false was moved into the general feedback"


def question(qtype, name, text, **fields):
    """The dict the parser gives for a question, with the defaults of a GIFT import."""
    defaults = {
        "penalty": 1.0 if qtype == "true_false" else 0.3333333,
        "shuffle": qtype in ("single", "multiple", "matching", "ordering"),
    }
    return parsed(qtype, name, text, **(defaults | fields))


CASE = "Social work/Case management"
RISK = "Social work/Risk"

EXPECTED = [
    question(
        "single",
        "First step",
        "<p>A family is referred for support after a house fire.<br>"
        "What should the case worker do first?</p>",
        general_feedback="<p>Safety and urgent needs come before the full assessment.</p>",
        tags=["case management", "first contact"],
        category=CASE,
        choices=[
            option(
                "Check that everyone is safe and has shelter tonight",
                100.0,
                "Yes: immediate safety comes first.",
            ),
            option("Open a case file and plan the next review", 0.0, "The paperwork can wait."),
            option("Refer the family to a debt adviser"),
        ],
    ),
    question(
        "multiple",
        "Sources of information",
        # Markdown is not rendered: the text is escaped as it stands.
        "<p>Which sources can inform a *needs assessment*? Choose all that apply.</p>",
        category=CASE,
        choices=[
            option("The person and their family", 50.0, "Their own account comes first."),
            option("Records from the school or clinic (with consent)", 50.0),
            option("Gossip from the neighbours", -100.0, "Not a reliable source."),
        ],
    ),
    question(
        "single",
        "Strengths",
        "<p>A needs assessment looks at the person's _____ as well as their difficulties.</p>",
        category=CASE,
        choices=[option("strengths", 100.0), option("weaknesses"), option("diagnosis")],
    ),
    question(
        "short",
        "Plan name",
        "<p>What is the written agreement that sets out the goals, tasks and timescales "
        "agreed with a family?</p>",
        category=CASE,
        choices=[
            option("care plan", 100.0, "Correct."),
            option("plan", 50.0, "Close: which plan?"),
        ],
    ),
    question(
        "matching",
        "Needs and services",
        "<p>Match each need with the service that meets it.</p>",
        category=CASE,
        choices=[
            option("No income after a job loss", match="Social assistance"),
            option("A child who has stopped attending school", match="School social worker"),
            option("An older person living alone", match="Home care"),
            option("", match="Housing repair grant"),
        ],
    ),
    question(
        "essay",
        "Reflection",
        "<p>Describe a case where you weighed a family's <em>wishes</em> against a risk to a "
        "child.</p>",
        # The general feedback takes the format of the question text: HTML, kept as it is.
        general_feedback="A strong answer names the risk, the wishes and how the decision was "
        "recorded.",
        category=CASE,
    ),
    question(
        "true_false",
        "Risk is static",
        "<p>Once assessed, a child's level of risk does not change.</p>",
        general_feedback="<p>Review risk whenever circumstances change.</p>"
        "<div><strong>Answer “true”:</strong> No: risk changes over time.</div>"
        "<div><strong>Answer “false”:</strong> Right: risk must be reviewed.</div>",
        tags=["risk"],
        category=RISK,
        correct=False,
    ),
    question(
        "true_false",
        "Shared duty",
        "<p>Protecting children is the duty of every professional who works with them.</p>",
        category=RISK,
        correct=True,
    ),
    question(
        "numeric",
        "Caseload",
        "<p>A team of 5 workers shares 60 open cases equally; a load of &lt; 15 is safe. "
        "How many cases does each hold?</p>",
        category=RISK,
        numeric=[number(12.0)],
    ),
    question(
        "numeric",
        "Visits per month",
        "<p>A family at high risk is visited every week. About how many visits is that in a "
        "month?</p>",
        category=RISK,
        numeric=[number(4.0, 0.5, feedback="About four.")],
    ),
    question(
        "numeric",
        "Review window",
        "<p>A placement review falls between the third and the fifth day. Give a day on which "
        "it can be held.</p>",
        category=RISK,
        numeric=[number(4.0, 1.0)],
    ),
    question(
        "numeric",
        "Household size",
        "<p>A mother lives with her three children and her own mother. How many people are in "
        "the household?</p>",
        category=RISK,
        numeric=[
            number(5.0, feedback="Right: five people."),
            number(4.0, 0.0, 50.0, "You left someone out."),
        ],
    ),
    question(
        "single",
        "Formula: caseload total",
        "<p>In the team's caseload sheet, which character starts a formula such as "
        "=SUM(B2:B9)?</p>",
        category=RISK,
        choices=[
            option("= (equals sign)", 100.0),
            option("# (hash)", 0.0, "The hash marks a comment {in some tools}."),
            option("~ (tilde)"),
        ],
    ),
]


def test_the_whole_file_imports_with_every_type():
    result = parse_gift((DATA / "all_types.gift").read_text(encoding="utf-8"))

    assert result.categories == [CASE, RISK]
    assert [q["name"] for q in result.questions] == [q["name"] for q in EXPECTED]
    for got, expected in zip(result.questions, EXPECTED, strict=True):
        assert got == expected, expected["name"]
    # Nothing skipped; the one loss is the true/false feedback moved to the general feedback.
    assert result.problems == [Problem(7, 42, "Risk is static", MERGED, skipped=False)]


def only(text):
    """The single question of a GIFT text, checking that nothing was reported."""
    result = parse_gift(text)
    assert result.problems == []
    [parsed] = result.questions
    return parsed


def test_comments_titles_and_formats():
    parsed = only(
        "// a comment before\n"
        "::A title with spaces   and\\: a colon::[HTML]<p>Kept <b>as is</b></p>{=yes ~no}\n"
        "// a comment inside, without tags\n"
    )
    assert parsed["name"] == "A title with spaces and: a colon"
    assert parsed["text"] == "<p>Kept <b>as is</b></p>"
    assert parsed["tags"] == []


def test_plain_text_is_escaped_into_paragraphs():
    parsed = only("[moodle]Is <b> a tag & is 2 < 3?\\nYes.{TRUE}")
    assert parsed["text"] == "<p>Is &lt;b&gt; a tag &amp; is 2 &lt; 3?<br>Yes.</p>"
    assert parsed["name"] == "Is <b> a tag & is 2 < 3? Yes."


def test_the_default_name_is_the_first_60_characters_of_the_text():
    text = "A needs assessment gathers information about the person, their family and their"
    parsed = only(f"{text} community.{{=yes ~no}}")
    assert parsed["name"] == text[:60].rstrip()
    assert len(parsed["name"]) <= 60


def test_a_long_title_is_cut_at_200_characters():
    parsed = only(f"::{'x' * 250}::Text{{T}}")
    assert parsed["name"] == "x" * 200


def test_an_answer_format_and_feedback_format():
    parsed = only("Pick one{=[html]<i>this</i>#[html]<b>good</b> ~[plain]<that>#no & no}")
    assert parsed["choices"] == [
        option("<i>this</i>", 100.0, "<b>good</b>"),
        option("&lt;that&gt;", 0.0, "no &amp; no"),
    ]


def test_escaped_backslash_and_newline():
    parsed = only("Path C:\\\\cases\\\\new{=a \\\\ b ~c}")
    assert parsed["text"] == "<p>Path C:\\cases\\new</p>"
    assert parsed["choices"][0]["text"] == "a \\ b"


def test_blocks_are_separated_by_blank_lines_and_crlf_and_bom_are_read():
    result = parse_gift("\ufeffFirst{T}\r\n\r\n   \r\nSecond{F}\r\n")
    assert [(q["text"], q["correct"]) for q in result.questions] == [
        ("<p>First</p>", True),
        ("<p>Second</p>", False),
    ]


def test_a_category_line_right_above_a_question_and_the_top_category():
    result = parse_gift(
        "$CATEGORY: $course$/top/Risk/Basics\n"
        "::Q1::Risk can change.{T}\n"
        "\n"
        "$CATEGORY: $system$/top\n"
        "\n"
        "::Q2::Risk is static.{F}\n"
    )
    assert [(q["name"], q["category"]) for q in result.questions] == [
        ("Q1", "Risk/Basics"),
        ("Q2", None),
    ]
    assert result.categories == ["Risk/Basics"]


def test_tags_from_comments():
    parsed = only("// [id:R-1] [tag:risk] [tag:child\\] protection] [tag:risk]\nText{T}")
    assert parsed["tags"] == ["risk", "child] protection"]


def test_true_false_spellings_and_feedback_order():
    """The first feedback is shown for the wrong answer, the second for the right one."""
    result = parse_gift("A{T}\n\nB{TRUE#wrong#right}\n\nC{f}\n\nD{FALSE#wrong}")
    assert [q["correct"] for q in result.questions] == [True, True, False, False]
    assert result.questions[1]["general_feedback"] == (
        "<div><strong>Answer “true”:</strong> right</div>"
        "<div><strong>Answer “false”:</strong> wrong</div>"
    )
    assert result.questions[3]["general_feedback"] == (
        "<div><strong>Answer “true”:</strong> wrong</div>"
    )
    assert result.problems == [
        Problem(2, 3, "B", MERGED, skipped=False),
        Problem(4, 7, "D", MERGED, skipped=False),
    ]


def test_short_answers_with_and_without_equals_sign():
    """As in Moodle, an answer written without = counts as a right answer."""
    parsed = only("Who leads the case conference?{chair =%50%the worker#half}")
    assert parsed["type"] == "short"
    assert parsed["choices"] == [option("chair", 100.0), option("the worker", 50.0, "half")]


def test_multiple_choice_negative_and_decimal_weights():
    parsed = only("Pick{~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-50%d}")
    assert parsed["type"] == "multiple"
    assert [c["percent"] for c in parsed["choices"]] == [33.33333, 33.33333, 33.33334, -50.0]


def test_numeric_forms():
    result = parse_gift(
        "A{#-3.5}\n\nB{#1e3:50}\n\nC{#-5..-1}\n\nD{#=%100%2:0.5#ok =%25%3..5 ~#any other}"
    )
    assert [q["numeric"] for q in result.questions] == [
        [number(-3.5)],
        [number(1000.0, 50.0)],
        [number(-3.0, 2.0)],
        [number(2.0, 0.5, feedback="ok"), number(4.0, 1.0, 25.0)],
    ]
    assert result.problems == [
        Problem(4, 7, "D", "the feedback for any other answer (~#…) is not imported", skipped=False)
    ]


def test_missing_word_at_the_start_and_essay_with_general_feedback():
    result = parse_gift("{=Confidentiality ~Gossip} is the rule for case notes.\n\nWrite.{}")
    assert result.questions[0]["text"] == "<p>_____ is the rule for case notes.</p>"
    assert result.questions[1]["type"] == "essay"
    assert result.problems == []


MALFORMED = """// Good and bad questions in turns: each bad one is reported with its line.
::Good 1::Is a care plan agreed with the family?{T}

::Unclosed::Which is a risk factor?{=Isolation ~Income

::Good 2::Name the plan.{=care plan}

::No right option::Which comes first?{=%50%Safety ~Paperwork}

::Matching one pair::Match the need.{
  =Income -> Social assistance
}

::Bad number::How many visits?{#four}

A description: this paragraph has no answer block.

::Good 3::How many children?{#3}

::Stray brace::Close } before {=a ~b}

::Two blocks::{=a ~b} and {=c ~d}

::Brace inside::Pick {=a {b} ~c}

::Brace after::Pick {=a ~c} and }

::Unclosed title:Pick {=a ~b}

::Backwards range::Between?{#5..3}

::Negative tolerance::About?{#5:-1}

::Weights::Which apply?{~%50%a ~%40%b ~c}

::Too heavy::Which?{=a ~%150%b}

::No arrow::Match.{=a -> b =c}

::Empty option::Which?{=a ~}

::No right answer::Name it.{=%50%plan}

::Good 4::Is risk static?{F}
"""


def test_malformed_questions_are_skipped_with_their_line_and_the_rest_imports():
    result = parse_gift(MALFORMED)

    assert [q["name"] for q in result.questions] == ["Good 1", "Good 2", "Good 3", "Good 4"]
    assert [(p.position, p.line, p.name, p.reason) for p in result.problems] == [
        (2, 4, "Unclosed", "the answer block opened with { is not closed with }"),
        (
            4,
            8,
            "No right option",
            "no option is marked correct (none is worth 100%)",
        ),
        (5, 10, "Matching one pair", "a matching question needs at least 2 pairs, found 1"),
        (6, 14, "Bad number", "“four” is not a number"),
        (
            7,
            16,
            "A description: this paragraph has no answer block.",
            "description items have no answers and are not imported",
        ),
        (
            9,
            20,
            "Stray brace",
            "a } closes an answer block that was never opened (write \\} for a brace)",
        ),
        (10, 22, "Two blocks", "a question can have only one answer block { }"),
        (11, 24, "Brace inside", "a { inside the answer block (write \\{ for a brace)"),
        (12, 26, "Brace after", "a } after the answer block (write \\} for a brace)"),
        (
            13,
            28,
            "::Unclosed title:Pick {=a ~b}",
            "the title opened with :: is not closed with ::",
        ),
        (14, 30, "Backwards range", "the range 5..3 runs from high to low"),
        (15, 32, "Negative tolerance", "the tolerance -1 is negative"),
        (16, 34, "Weights", "the weights of the correct options add up to 90%, not 100%"),
        (17, 36, "Too heavy", "the weight 150% is outside -100%..100%"),
        (18, 38, "No arrow", "the matching pair “c” has no ->"),
        (19, 40, "Empty option", "an option is empty"),
        (20, 42, "No right answer", "no accepted answer is worth 100%"),
    ]
    assert all(p.skipped for p in result.problems)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Pick{~a ~b}", "no option is marked correct (none has a positive weight)"),
        ("Pick{=a ~}", "an option is empty"),
        ("Pick{~a}", "a multiple-choice question needs at least 2 options"),
        ("How many?{#}", "the numeric question has no answer"),
        ("How many?{#1..x}", "“x” is not a number"),
        ("How many?{#=%50%3}", "no numeric answer is worth 100%"),
        ("Name it{=}", "an accepted answer is empty"),
        ("Match{=a -> b = -> c}", "a matching question needs at least 2 pairs, found 1"),
        ("Match{=a -> b =c -> }", "a matching pair has no answer on its right side"),
        ("{=a ~b}", "the question has no text"),
    ],
)
def test_each_check(text, reason):
    result = parse_gift(text)
    assert result.questions == []
    assert [(p.position, p.line, p.reason, p.skipped) for p in result.problems] == [
        (1, 1, reason, True)
    ]


def test_an_empty_file_and_a_file_of_comments():
    assert parse_gift("") == parse_gift("// only\n// comments\n\n\n")
    assert parse_gift("").questions == [] and parse_gift("").problems == []
