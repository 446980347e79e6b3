"""The validator: each rule of the specification, then property-based checks that any
malformed statement is refused with a message (never an unexpected exception)."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.xapi.validation import StatementInvalid, validate_statement, validate_statements
from lms.xapi.versions import V1, V2, UnsupportedVersion, Version
from tests.xapi.conftest import statement

GROUP = {
    "objectType": "Group",
    "member": [
        {"mbox": "mailto:a@malaka.uz"},
        {"account": {"homePage": "https://x.uz", "name": "b"}},
    ],
}


def invalid(data, version=V2):
    with pytest.raises(StatementInvalid) as error:
        validate_statement(data, version)
    return error.value.message


@pytest.mark.parametrize("version", [V1, V2])
def test_a_complete_statement_is_valid(version):
    data = statement(
        id="9e13cefd-53d3-4eac-b5ed-2cf6693903bb",
        result={
            "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10},
            "success": True,
            "completion": True,
            "response": "b",
            "duration": "PT4M30.5S",
            "extensions": {"https://malaka.uz/xapi/ext/attempt": 2},
        },
        context={
            "registration": "6a1b1a3c-07a8-4a5f-9e37-1c3f1b6f3c2e",
            "instructor": {"mbox": "mailto:trainer@malaka.uz"},
            "team": GROUP,
            "contextActivities": {"parent": {"id": "https://malaka.uz/courses/cm-101"}},
            "platform": "Malaka",
            "language": "uz-Cyrl-UZ",
            "extensions": {"https://malaka.uz/xapi/ext/org-unit": None},
        },
        timestamp="2026-11-22T10:00:00.123+05:00",
    )
    data["object"]["definition"] = {
        "name": {"uz": "Ish yuritish", "ru": "Ведение случая"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": "choice",
        "correctResponsesPattern": ["b"],
        "choices": [{"id": "a", "description": {"en": "A"}}, {"id": "b"}],
    }
    validate_statement(data, version)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("verb"), "'verb' is required"),
        (lambda s: s.update(colour="blue"), "unknown property 'colour'"),
        (lambda s: s.update(id="not-a-uuid"), "statement.id: must be a UUID"),
        (lambda s: s["verb"].update(id="experienced"), "statement.verb.id: must be an IRI"),
        (lambda s: s["verb"].update(display={"not a tag!": "x"}), "RFC 5646"),
        (lambda s: s["actor"].update(mbox="mailto:x@y.uz"), "exactly one of"),
        (lambda s: s.update(actor={"name": "Nobody"}), "exactly one of"),
        (lambda s: s.update(actor={"mbox": "x@y.uz"}), "mailto:"),
        (lambda s: s.update(actor={"mbox_sha1sum": "abc"}), "SHA-1"),
        (lambda s: s.update(actor={"objectType": "Group"}), "anonymous Group"),
        (lambda s: s.update(actor={**GROUP, "member": [GROUP]}), "member[0].objectType"),
        (lambda s: s["actor"].update(name=None), "must not be null"),
        (lambda s: s.update(object={"objectType": "Agent", "name": "x"}), "exactly one of"),
        (lambda s: s.update(object={"objectType": "Thing", "id": "x:y"}), "unknown objectType"),
        (lambda s: s.update(object={"objectType": "StatementRef", "id": "x"}), "UUID"),
        (
            lambda s: s.update(object={**statement(), "objectType": "SubStatement", "id": "x"}),
            "unknown property 'id'",
        ),
        (
            lambda s: s.update(
                object={
                    **statement(),
                    "objectType": "SubStatement",
                    "object": {**statement(), "objectType": "SubStatement"},
                }
            ),
            "cannot contain a SubStatement",
        ),
        (lambda s: s.update(result={"score": {"scaled": 1.5}}), "between -1 and 1"),
        (
            lambda s: s.update(result={"score": {"raw": 11, "min": 0, "max": 10}}),
            "greater than max",
        ),
        (lambda s: s.update(result={"score": {"min": 5, "max": 5}}), "less than max"),
        (lambda s: s.update(result={"success": "yes"}), "true or false"),
        (lambda s: s.update(result={"duration": "4 minutes"}), "ISO 8601 duration"),
        (lambda s: s.update(result={"extensions": {"attempt": 1}}), "must be an IRI"),
        (lambda s: s.update(context={"registration": "abc"}), "UUID"),
        (
            lambda s: s.update(
                object={"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"},
                context={"platform": "Malaka"},
            ),
            "only allowed when the object is an Activity",
        ),
        (lambda s: s.update(context={"team": {"mbox": "mailto:t@x.uz"}}), "must be 'Group'"),
        (lambda s: s.update(context={"contextActivities": {"uncle": []}}), "unknown property"),
        (lambda s: s.update(timestamp="22.11.2026"), "ISO 8601 date and time"),
        (lambda s: s.update(timestamp="2026-11-22T10:00:00"), "with a time zone"),
        (lambda s: s.update(timestamp="2026-11-22T10:00:00-00:00"), "ISO 8601"),
        (lambda s: s.update(version="3.0.0"), "not a supported xAPI version"),
        (
            lambda s: s["object"].update(definition={"interactionType": "essay"}),
            "interactionType: must be one of",
        ),
        (
            lambda s: s["object"].update(
                definition={"interactionType": "true-false", "choices": [{"id": "a"}]}
            ),
            "'choices' is not used with interactionType 'true-false'",
        ),
        (
            lambda s: s["object"].update(
                definition={"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]}
            ),
            "duplicate id 'a'",
        ),
        (
            lambda s: s.update(verb={"id": "http://adlnet.gov/expapi/verbs/voided"}),
            "voiding statement's object must be a StatementRef",
        ),
        (
            lambda s: s.update(
                attachments=[{"usageType": "x:y", "display": {"en": "a"}, "contentType": "a/b"}]
            ),
            "'length' is required",
        ),
    ],
)
def test_each_rule_is_enforced_with_a_message_naming_the_property(change, message):
    data = statement()
    change(data)
    assert message in invalid(data)


def test_rules_that_differ_between_versions():
    naive = statement(timestamp="2026-11-22T10:00:00")
    validate_statement(naive, V1)
    assert "time zone" in invalid(naive, V2)

    context_agents = statement(
        context={
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"mbox": "mailto:m@x.uz"},
                    "relevantTypes": ["https://malaka.uz/xapi/roles/mentor"],
                }
            ]
        }
    )
    validate_statement(context_agents, V2)
    assert "unknown property 'contextAgents'" in invalid(context_agents, V1)

    validate_statement(statement(version="2.0.0"), V2)
    assert "not a supported" in invalid(statement(version="2.0.0"), V1)


def test_a_batch_is_checked_item_by_item():
    with pytest.raises(StatementInvalid, match=r"statements\[1\]\.verb"):
        validate_statements([statement(), statement(verb={"id": "nope"})], V2)
    with pytest.raises(StatementInvalid, match="empty"):
        validate_statements([], V2)


@pytest.mark.parametrize(
    ("header", "expected"), [("1.0.3", V1), ("1.0", V1), ("1.0.1", V1), ("2.0.0", V2), ("2.0", V2)]
)
def test_version_header(header, expected):
    assert Version.parse(header) == expected


@pytest.mark.parametrize("header", [None, "", "0.95", "1.1.0", "2.1.0", "latest"])
def test_unsupported_version_header(header):
    with pytest.raises(UnsupportedVersion):
        Version.parse(header)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
PATHS = [
    ("actor",), ("actor", "account"), ("verb",), ("verb", "display"), ("object",),
    ("object", "definition"), ("object", "definition", "interactionType"), ("result",),
    ("result", "score"), ("context",), ("context", "contextActivities"), ("timestamp",), ("id",),
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), junk=json_values, version=st.sampled_from([V1, V2]))
def test_any_junk_in_any_place_is_refused_with_a_message_or_accepted(path, junk, version):
    """Property: replacing any part of a valid statement by arbitrary JSON either yields a
    valid statement or StatementInvalid with a message; never another exception."""
    data = copy.deepcopy(statement(context={}, result={}, timestamp="2026-01-01T00:00:00Z"))
    data["actor"] = {"account": {"homePage": "https://x.uz", "name": "n"}}
    data["object"]["definition"] = {}
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = junk
    try:
        validate_statement(data, version)
    except StatementInvalid as error:
        assert error.message.startswith("statement")


@settings(max_examples=200, deadline=None)
@given(junk=json_values)
def test_any_json_document_as_a_whole_is_refused_or_accepted(junk):
    try:
        validate_statements(junk, V2)
    except StatementInvalid as error:
        assert error.message
