import pytest
from django.http import QueryDict

from assessments import marking
from assessments.models import Question
from lms.xapi.validation import validate_statement
from lms.xapi.versions import V2

from . import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    return builders.every_type(builders.bank())


def choices(q: Question):
    return list(q.choices.order_by("sort_order"))


def by_text(q: Question, text: str):
    return next(c for c in choices(q) if c.text.get("uz") == text)


def test_single_choice_earns_the_credit_of_the_option(questions):
    q = questions["single"]
    assert marking.fraction(q, choices(q), by_text(q, "Right").pk) == 1
    assert marking.fraction(q, choices(q), by_text(q, "Wrong").pk) == 0
    assert marking.fraction(q, choices(q), None) == 0


def test_multiple_choice_adds_credits_and_never_goes_below_zero(questions):
    q = questions["multiple"]
    a, b, c = (by_text(q, x).pk for x in "ABC")
    assert marking.fraction(q, choices(q), [a, b]) == 1
    assert marking.fraction(q, choices(q), [a]) == 0.5
    assert marking.fraction(q, choices(q), [a, b, c]) == 0.5
    assert marking.fraction(q, choices(q), [c]) == 0


def test_true_false(questions):
    q = questions["true_false"]
    assert marking.fraction(q, [], True) == 1
    assert marking.fraction(q, [], False) == 0


def test_short_answer_ignores_case_and_spaces_and_takes_wildcards(questions):
    q = questions["short"]
    assert marking.fraction(q, choices(q), "  OILA ") == 1
    assert marking.fraction(q, choices(q), "xonadonda") == 0.5
    assert marking.fraction(q, choices(q), "mahalla") == 0
    q.case_sensitive = True
    assert marking.fraction(q, choices(q), "OILA") == 0


def test_numeric_within_tolerance_with_a_decimal_comma(questions):
    q = questions["numeric"]
    assert marking.fraction(q, choices(q), "25") == 1
    assert marking.fraction(q, choices(q), "25,9") == 1
    assert marking.fraction(q, choices(q), "26.5") == 0
    assert marking.fraction(q, choices(q), "twenty") == 0


def test_matching_counts_right_pairs_and_distractors_do_not_count(questions):
    q = questions["matching"]
    assess, plan, review, distractor = choices(q)
    right = {str(assess.pk): assess.pk, str(plan.pk): plan.pk, str(review.pk): review.pk}
    assert marking.fraction(q, choices(q), right) == 1
    half = {str(assess.pk): assess.pk, str(plan.pk): distractor.pk, str(review.pk): plan.pk}
    assert marking.fraction(q, choices(q), half) == pytest.approx(1 / 3)
    assert [c.pk for c in marking.right_options(choices(q))] == [
        assess.pk,
        plan.pk,
        review.pk,
        distractor.pk,
    ]


def test_ordering_counts_items_in_their_place(questions):
    q = questions["ordering"]
    one, two, three = (c.pk for c in choices(q))
    assert marking.fraction(q, choices(q), [one, two, three]) == 1
    assert marking.fraction(q, choices(q), [one, three, two]) == pytest.approx(1 / 3)


def test_essay_and_likert_are_not_marked_automatically(questions):
    assert marking.fraction(questions["essay"], [], "text") is None
    assert marking.fraction(questions["likert"], [], 4) is None


def test_reading_refuses_values_that_are_not_options(questions):
    q = questions["single"]
    ids = [c.pk for c in choices(q)]
    with pytest.raises(marking.ResponseError):
        marking.read_response(q, ids, QueryDict("q1=999999"), "q1")
    with pytest.raises(marking.ResponseError):
        marking.read_response(q, ids, QueryDict("q1=abc"), "q1")
    assert marking.read_response(q, ids, QueryDict(f"q1={ids[0]}"), "q1") == ids[0]
    likert = questions["likert"]
    with pytest.raises(marking.ResponseError):
        marking.read_response(likert, [], QueryDict("q1=9"), "q1")


def test_ordering_ranks_must_be_a_permutation(questions):
    q = questions["ordering"]
    ids = [c.pk for c in choices(q)]
    data = QueryDict(f"q1-{ids[0]}=1&q1-{ids[1]}=1&q1-{ids[2]}=3")
    with pytest.raises(marking.ResponseError):
        marking.read_response(q, ids, data, "q1")
    data = QueryDict(f"q1-{ids[0]}=3&q1-{ids[1]}=1&q1-{ids[2]}=2")
    assert marking.read_response(q, ids, data, "q1") == [ids[1], ids[2], ids[0]]


@pytest.mark.parametrize(
    "kind, interaction",
    [
        ("single", "choice"),
        ("multiple", "choice"),
        ("true_false", "true-false"),
        ("short", "fill-in"),
        ("numeric", "numeric"),
        ("matching", "matching"),
        ("ordering", "sequencing"),
        ("likert", "likert"),
        ("essay", "long-fill-in"),
    ],
)
def test_interactions_are_valid_xapi(questions, kind, interaction):
    from assessments import statements

    q = questions[kind]
    activity = statements.question_activity(q, choices(q))
    assert activity["definition"]["interactionType"] == interaction
    statement = {
        "actor": {"account": {"homePage": "https://malaka.example", "name": "x"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": activity,
    }
    validate_statement(statement, V2)


def test_correct_response_patterns(questions):
    q = questions["matching"]
    assess, plan, review, _distractor = choices(q)
    pattern = marking.interaction(q, choices(q))["correctResponsesPattern"][0]
    assert pattern == (
        f"s{assess.pk}[.]t{assess.pk}[,]s{plan.pk}[.]t{plan.pk}[,]s{review.pk}[.]t{review.pk}"
    )
    numeric = questions["numeric"]
    assert marking.interaction(numeric, choices(numeric))["correctResponsesPattern"] == ["24[:]26"]
    assert marking.xapi_response(questions["essay"], [], "Family of five…") is None
