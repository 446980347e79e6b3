"""The Moodle XML parser: every supported type from a whole file, then formats, losses,
unsupported types, malformed questions and refused files. Pure parsing: no database."""

from pathlib import Path

import pytest

from assessments.interchange import Problem, parse_moodle_xml

from .interchange_expected import number, option, parsed

DATA = Path(__file__).parent / "data"
MERGED = "the feedback for the answers true and false was moved into the general feedback"


def question(qtype, name, text, **fields):
    """The dict the parser gives for a question, with the defaults of a Moodle XML import."""
    fields = {"penalty": 0.3333333, "shuffle": False} | fields
    return parsed(qtype, name, text, **fields)


CASE = "Social work/Case management"
RISK = "Social work/Risk"

EXPECTED = [
    question(
        "single",
        "First step",
        # The image stays referenced in the text; its file is dropped (with a warning).
        "<p>A family is referred for support after a house fire. What should the case worker "
        "do <strong>first</strong>?</p>"
        '<p><img src="@@PLUGINFILE@@/referral-form.png" alt="The referral form"></p>',
        general_feedback="<p>Safety and urgent needs come before the full assessment.</p>",
        default_mark=2.0,
        tags=["case management", "first contact"],
        category=CASE,
        shuffle=True,
        choices=[
            option(
                "<p>Check that everyone is safe and has shelter tonight</p>",
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
        "<p>Which sources can inform a needs assessment?<br>Choose all that apply.</p>",
        penalty=0.5,
        category=CASE,
        choices=[
            option("The person &amp; their family", 50.0, "Their own account comes first."),
            option("Records from the school or clinic (with consent)", 50.0),
            option("Gossip from the neighbours", -100.0, "Not a reliable source &lt;ever&gt;."),
        ],
    ),
    question(
        "short",
        "Plan name",
        "<p>What is the written agreement that sets out the goals, tasks and timescales "
        "agreed with a family?</p>",
        category=CASE,
        choices=[
            option("care plan", 100.0, "Correct."),
            option("*plan", 50.0, "Close: which plan?"),
        ],
    ),
    question(
        "matching",
        "Needs and services",
        "<p>Match each need with the service that meets it.</p>",
        default_mark=3.0,
        category=CASE,
        shuffle=True,
        choices=[
            option("<p>No income after a job loss</p>", match="Social assistance"),
            option("<p>A child who has stopped attending school</p>", match="School social worker"),
            option("<p>An older person living alone</p>", match="Home care"),
            option("", match="Housing repair grant"),
        ],
    ),
    question(
        "essay",
        "Reflection",
        # Markdown is escaped, not rendered.
        "<p>Describe a case where you weighed a family's *wishes* against a risk to a child.</p>"
        "<p>What did you decide, and why?</p>",
        general_feedback="<p>A strong answer names the risk, the wishes and how the decision "
        "was recorded.</p>",
        default_mark=10.0,
        penalty=0.0,
        category=CASE,
    ),
    question(
        "ordering",
        "Steps of case management",
        "<p>Put the steps of case management in order.</p>",
        category=CASE,
        shuffle=True,
        choices=[
            option("Intake and engagement"),
            option("Assessment of needs"),
            option("Planning"),
            option("Implementation &amp; monitoring"),
            option("Review and closure"),
        ],
    ),
    question(
        "true_false",
        "Risk is static",
        "<p>Once assessed, a child's level of risk does not change.</p>",
        general_feedback="<p>Review risk whenever circumstances change.</p>"
        "<div><strong>Answer “true”:</strong> No: risk changes over time.</div>"
        "<div><strong>Answer “false”:</strong> Right: risk must be reviewed.</div>",
        penalty=1.0,
        tags=["risk"],
        category=RISK,
        correct=False,
    ),
    question(
        "numeric",
        "Visits per month",
        "<p>A family at high risk is visited every week. About how many visits is that in a "
        "month?</p>",
        category=RISK,
        numeric=[
            number(4.0, 0.5, feedback="About four."),
            number(5.0, 0.0, 50.0, "Some months have five weeks, but most have four."),
        ],
    ),
]


def test_the_whole_file_imports_with_every_type():
    result = parse_moodle_xml((DATA / "all_types.xml").read_bytes())

    assert result.categories == [CASE, RISK]
    assert [q["name"] for q in result.questions] == [q["name"] for q in EXPECTED]
    for got, expected in zip(result.questions, EXPECTED, strict=True):
        assert got == expected, expected["name"]
    # Nothing skipped; the losses: the image file and the true/false feedback.
    assert result.problems == [
        Problem(
            1,
            15,
            "First step",
            "embedded files (images) are not imported (referral-form.png)",
            skipped=False,
        ),
        Problem(7, 240, "Risk is static", MERGED, skipped=False),
    ]


def quiz(*questions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>"
    ).encode()


def xml_question(qtype: str, name: str, body: str = "", text: str = "<p>Text</p>") -> str:
    return (
        f'<question type="{qtype}"><name><text>{name}</text></name>'
        f'<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>'
        f"{body}</question>"
    )


GOOD = xml_question(
    "truefalse",
    "Good",
    '<answer fraction="100"><text>true</text></answer>'
    '<answer fraction="0"><text>false</text></answer>',
)


def only(*questions: str):
    result = parse_moodle_xml(quiz(*questions))
    [parsed] = result.questions
    return parsed, result.problems


@pytest.mark.parametrize(
    ("qtype", "reason"),
    [
        ("cloze", "cloze (multianswer) questions are not supported"),
        ("multianswer", "cloze (multianswer) questions are not supported"),
        ("calculated", "calculated questions are not supported"),
        ("calculatedsimple", "simple calculated (calculatedsimple) questions are not supported"),
        (
            "calculatedmulti",
            "calculated multichoice (calculatedmulti) questions are not supported",
        ),
        ("ddwtos", "drag and drop into text (ddwtos) questions are not supported"),
        ("gapselect", "select missing words (gapselect) questions are not supported"),
        ("ddimageortext", "drag and drop onto image (ddimageortext) questions are not supported"),
        ("ddmarker", "drag and drop markers (ddmarker) questions are not supported"),
        (
            "randomsamatch",
            "random short-answer matching (randomsamatch) questions are not supported",
        ),
        ("random", "random questions are not supported"),
        ("stack", "questions of type “stack” are not supported"),
        ("description", "description items have no answers and are not imported"),
    ],
)
def test_unsupported_types_are_skipped_and_named(qtype, reason):
    result = parse_moodle_xml(quiz(GOOD, xml_question(qtype, "Other"), GOOD))
    assert [q["name"] for q in result.questions] == ["Good", "Good"]
    assert result.problems == [Problem(2, 4, "Other", reason, skipped=True)]


MALFORMED = [
    (
        xml_question(
            "multichoice",
            "No right option",
            '<answer fraction="50"><text>a</text></answer>'
            '<answer fraction="0"><text>b</text></answer>',
        ),
        "no option is marked correct (none is worth 100%)",
    ),
    (
        xml_question(
            "multichoice",
            "Weights",
            "<single>false</single>"
            '<answer fraction="50"><text>a</text></answer>'
            '<answer fraction="30"><text>b</text></answer>',
        ),
        "the weights of the correct options add up to 80%, not 100%",
    ),
    (
        xml_question(
            "multichoice",
            "Fraction",
            '<answer fraction="full"><text>a</text></answer><answer><text>b</text></answer>',
        ),
        "the answer fraction “full” is not a number",
    ),
    (
        xml_question(
            "matching",
            "One pair",
            "<subquestion><text>Income</text><answer><text>Assistance</text></answer></subquestion>"
            "<subquestion><text></text><answer><text>Home care</text></answer></subquestion>",
        ),
        "a matching question needs at least 2 pairs, found 1",
    ),
    (
        xml_question(
            "numerical", "Bad number", '<answer fraction="100"><text>four</text></answer>'
        ),
        "the answer “four” is not a number",
    ),
    (
        xml_question(
            "numerical",
            "Negative",
            '<answer fraction="100"><text>4</text><tolerance>-1</tolerance></answer>',
        ),
        "the tolerance -1 is negative",
    ),
    (
        xml_question("shortanswer", "Half", '<answer fraction="50"><text>plan</text></answer>'),
        "no accepted answer is worth 100%",
    ),
    (xml_question("truefalse", "No answers"), "the true/false question has no answers"),
    (
        xml_question("ordering", "One item", "<answer><text>Intake</text></answer>"),
        "an ordering question needs at least 2 items",
    ),
    (
        xml_question("essay", "Grade", "<defaultgrade>ten</defaultgrade>"),
        "defaultgrade “ten” is not a number",
    ),
]


def test_malformed_questions_are_skipped_and_the_rest_imports():
    questions = [GOOD]
    for body, _reason in MALFORMED:
        questions += [body, GOOD]
    result = parse_moodle_xml(quiz(*questions))

    assert len(result.questions) == len(MALFORMED) + 1
    assert [(p.position, p.line, p.reason, p.skipped) for p in result.problems] == [
        (2 * index, 2 * index + 2, reason, True)
        for index, (_body, reason) in enumerate(MALFORMED, start=1)
    ]
    assert [p.name for p in result.problems][:3] == ["No right option", "Weights", "Fraction"]


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE quiz [<!ENTITY bomb "boom">]>',
        '<!DOCTYPE quiz SYSTEM "http://example.org/quiz.dtd">',
        "<!DOCTYPE quiz>",
    ],
)
def test_a_dtd_or_entities_are_refused(prolog):
    data = f'<?xml version="1.0"?>\n{prolog}\n<quiz>{GOOD}</quiz>'.encode()
    result = parse_moodle_xml(data)
    assert result.questions == [] and result.categories == []
    assert result.problems == [
        Problem(0, None, "", "the file declares a DTD or entities, which are refused", True)
    ]


def test_a_file_that_is_not_well_formed():
    result = parse_moodle_xml(b"<quiz>\n<question type='essay'>\n</quiz>")
    assert result.questions == []
    assert result.problems == [
        Problem(
            0,
            3,
            "",
            "the file is not well-formed XML: mismatched tag: line 3, column 2",
            skipped=True,
        )
    ]


def test_a_file_that_is_not_a_quiz():
    result = parse_moodle_xml(b"<html><body/></html>")
    assert result.problems == [
        Problem(
            0,
            None,
            "",
            "the root element is <html>, not <quiz>: this is not a Moodle XML file",
            skipped=True,
        )
    ]


def test_text_formats():
    """HTML (the default, and any unknown format) is kept; other formats are escaped. Answers
    and feedback default to the question text's format."""
    parsed, problems = only(
        '<question type="multichoice"><name><text></text></name>'
        '<questiontext format="plain_text"><text>Is 2 &lt; 3?\n\nSay so.</text></questiontext>'
        "<generalfeedback><text>a &amp; b</text></generalfeedback>"
        '<answer fraction="100"><text>&lt;yes&gt;</text><feedback><text>x</text></feedback>'
        '</answer><answer fraction="0" format="html"><text>&lt;b&gt;no&lt;/b&gt;</text></answer>'
        '<answer fraction="0" format="something"><text>&lt;i&gt;maybe&lt;/i&gt;</text></answer>'
        "</question>"
    )
    assert problems == []
    assert parsed["name"] == "Is 2 < 3? Say so."
    assert parsed["text"] == "<p>Is 2 &lt; 3?</p><p>Say so.</p>"
    assert parsed["general_feedback"] == "<p>a &amp; b</p>"
    assert [c["text"] for c in parsed["choices"]] == ["&lt;yes&gt;", "<b>no</b>", "<i>maybe</i>"]

    parsed, _ = only(
        '<question type="essay"><name><text>Essay</text></name>'
        "<questiontext><text><![CDATA[<p>HTML by default</p>]]></text></questiontext></question>"
    )
    assert parsed["text"] == "<p>HTML by default</p>"


def test_losses_are_reported_as_warnings():
    parsed, problems = only(
        xml_question(
            "numerical",
            "Units",
            '<answer fraction="100"><text>12</text><tolerance>1</tolerance></answer>'
            '<answer fraction="0"><text>*</text><feedback><text>Count again.</text></feedback>'
            "</answer>"
            "<units><unit><multiplier>1</multiplier><unit_name>cases</unit_name></unit>"
            "<unit><multiplier>0.01</multiplier><unit_name>hundred cases</unit_name></unit></units>"
            '<hint format="html"><text>Divide the cases by the workers.</text></hint>',
        )
    )
    assert parsed["numeric"] == [number(12.0, 1.0)]
    assert [p.reason for p in problems] == [
        "the feedback for any other answer (*) is not imported",
        "units are not imported (cases, hundred cases)",
        "hints are not imported",
    ]
    assert {(p.position, p.line, p.name, p.skipped) for p in problems} == {(1, 3, "Units", False)}

    _, problems = only(
        xml_question(
            "essay",
            "Essay",
            "<graderinfo><text>Look for the risk.</text></graderinfo>"
            "<responsetemplate><text>Risk: …</text></responsetemplate>",
            text='<p><img src="@@PLUGINFILE@@/genogram.png"></p>',
        )
    )
    assert [p.reason for p in problems] == [
        "the information for graders is not imported",
        "the response template is not imported",
        "embedded files (images) are not imported",
    ]

    parsed, problems = only(
        xml_question(
            "ordering",
            "Some shown",
            "<selecttype>RANDOM</selecttype><selectcount>2</selectcount>"
            "<answer><text>a</text></answer><answer><text>b</text></answer>"
            "<answer><text>c</text></answer>",
        )
    )
    assert [c["text"] for c in parsed["choices"]] == ["a", "b", "c"]
    assert [p.reason for p in problems] == [
        "Moodle showed each learner 2 of the 3 items; all are imported"
    ]


def test_true_false_from_old_files_with_translated_answers():
    parsed, problems = only(
        xml_question(
            "truefalse",
            "Old",
            '<answer fraction="0"><text>Верно</text></answer>'
            '<answer fraction="100"><text>Неверно</text></answer>',
        )
    )
    assert parsed["correct"] is False
    assert [p.reason for p in problems] == [
        "the answers are not labelled true and false: the first was taken as true"
    ]


def test_short_answer_case_and_matching_shuffle_defaults():
    parsed, _ = only(
        xml_question(
            "shortanswer",
            "Case",
            '<usecase>1</usecase><answer fraction="100"><text>GP</text></answer>',
        )
    )
    assert parsed["case_sensitive"] is True
    parsed, _ = only(
        xml_question(
            "match",
            "Pairs",
            "<subquestion><text>a</text><answer><text>1</text></answer></subquestion>"
            "<subquestion><text>b</text><answer><text>2</text></answer></subquestion>"
            "<subquestion><text></text><answer><text></text></answer></subquestion>",
        )
    )
    assert parsed["type"] == "matching" and parsed["shuffle"] is True
    assert parsed["choices"] == [option("a", match="1"), option("b", match="2")]


def test_categories_old_style_tags_and_default_names():
    result = parse_moodle_xml(
        quiz(
            '<question type="category"><category>$course$/top/Old style</category></question>',
            '<question type="essay"><name><text> </text></name><questiontext><text><![CDATA['
            "<p>What does a <b>genogram</b> show about a family?</p>]]></text></questiontext>"
            "<tags><tag>genogram</tag><tag><text>tools</text></tag></tags></question>",
            '<question type="category"><category><text>$course$/top</text></category></question>',
            xml_question("essay", "At the top"),
            '<question type="essay"><name><text>No text</text></name></question>',
        )
    )
    assert [(q["name"], q["category"], q["tags"]) for q in result.questions] == [
        ("What does a genogram show about a family?", "Old style", ["genogram", "tools"]),
        ("At the top", None, []),
    ]
    assert result.categories == ["Old style"]
    assert result.problems == [Problem(3, 7, "No text", "the question has no text", True)]
