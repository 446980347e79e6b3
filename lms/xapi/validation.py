"""Strict validation of xAPI statements, for xAPI 1.0.3 and 2.0 (IEEE 9274.1.1-2023).

Every rule cites the part of the specification it enforces: "1.0.3 §2.4.2.1" is the 1.0.3 data
document, "2.0 §2.4.2.1" the 2.0 one (the section numbering is the same in both where the rule
is). Unknown properties are rejected (1.0.3 §2.2 "The LRS MUST reject Statements with any
additional properties"), and so is a JSON null anywhere but inside an extension value.

`validate_statement(data, version)` raises `StatementInvalid` with a message that names the
property by its path, e.g. ``statement.context.contextActivities.parent[0].id``.
"""

from __future__ import annotations

import re
from typing import Any

from .versions import Version

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# RFC 3987 IRI: a scheme, a colon, then no whitespace (the LRS cannot dereference to check more).
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
MBOX_RE = re.compile(r"^mailto:[^@\s:]+@[^@\s]+\.[^@\s]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2_RE = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
# RFC 5646 language tag, in the shape the specification requires (not a registry lookup).
LANGUAGE_TAG_RE = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?$"
    r"|^[xX](?:-[A-Za-z0-9]{1,8})+$"
)
TIMESTAMP_RE = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$"
)
DURATION_RE = re.compile(
    r"^P(?:\d+(?:\.\d+)?W|(?=\d|T\d)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$"
)

INTERACTION_TYPES = {
    "true-false": set(),
    "choice": {"choices"},
    "fill-in": set(),
    "long-fill-in": set(),
    "matching": {"source", "target"},
    "performance": {"steps"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "numeric": set(),
    "other": set(),
}
COMPONENT_LISTS = {"choices", "scale", "source", "target", "steps"}
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


class StatementInvalid(ValueError):
    """The statement breaks a rule of the specification; the LRS answers 400 with `message`."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")

    @property
    def message(self) -> str:
        return str(self)


def validate_statement(data: Any, version: Version, path: str = "statement") -> None:
    """Raise StatementInvalid unless `data` is a valid statement as sent to the LRS."""
    _Validator(version).statement(data, path)


def validate_statements(data: Any, version: Version) -> list[dict]:
    """A POST body: one statement or a list of them. Returns the list."""
    if isinstance(data, list):
        if not data:
            raise StatementInvalid("statements", "the list of statements is empty")
        validator = _Validator(version)
        for index, item in enumerate(data):
            validator.statement(item, f"statements[{index}]")
        return data
    validate_statement(data, version)
    return [data]


def validate_agent(data: Any, version: Version, path: str = "agent") -> None:
    """An Agent or Group given as a query or document parameter (2.0 §4.1.6.1)."""
    _Validator(version).actor(data, path)


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(IRI_RE.match(value))


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def is_timestamp(value: Any, version: Version) -> bool:
    if not isinstance(value, str):
        return False
    match = TIMESTAMP_RE.match(value)
    if not match:
        return False
    zone = match.group(6)
    # 2.0 §4.2.7: "A Timestamp MUST include the time zone"; both versions: -00:00 is not a
    # time zone (RFC 3339 §4.3, "MUST reject ... negative zero offset").
    if zone is None:
        return not version.is_2
    return zone not in ("-00:00", "-0000")


class _Validator:
    def __init__(self, version: Version):
        self.version = version

    # -- helpers --------------------------------------------------------------------------

    def _object(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            raise StatementInvalid(path, "must be a JSON object")
        for key, item in value.items():
            if item is None:
                raise StatementInvalid(f"{path}.{key}", "must not be null")
        return value

    def _only(self, value: dict, path: str, allowed: set[str]) -> None:
        extra = sorted(set(value) - allowed)
        if extra:
            raise StatementInvalid(path, f"unknown property {extra[0]!r}")

    def _required(self, value: dict, path: str, *keys: str) -> None:
        for key in keys:
            if key not in value:
                raise StatementInvalid(path, f"{key!r} is required")

    def _string(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise StatementInvalid(path, "must be a string")

    def _iri(self, value: Any, path: str) -> None:
        if not is_iri(value):
            raise StatementInvalid(path, "must be an IRI (an absolute URI such as https://…)")

    def _uuid(self, value: Any, path: str) -> None:
        if not is_uuid(value):
            raise StatementInvalid(path, "must be a UUID in its hyphenated form")

    def _bool(self, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            raise StatementInvalid(path, "must be true or false")

    def _number(self, value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise StatementInvalid(path, "must be a number")

    def _timestamp(self, value: Any, path: str) -> None:
        if not is_timestamp(value, self.version):
            zone = " with a time zone" if self.version.is_2 else ""
            raise StatementInvalid(path, f"must be an ISO 8601 date and time{zone}")

    def language_map(self, value: Any, path: str) -> None:
        # 1.0.3 §4.2 Language Map: keys are RFC 5646 tags, values strings.
        self._object(value, path)
        for tag, text in value.items():
            if not LANGUAGE_TAG_RE.match(tag):
                raise StatementInvalid(path, f"{tag!r} is not an RFC 5646 language tag")
            self._string(text, f"{path}.{tag}")

    def extensions(self, value: Any, path: str) -> None:
        # 1.0.3 §2.4.7 Extensions: keys are IRIs; values are any JSON, null included.
        if not isinstance(value, dict):
            raise StatementInvalid(path, "must be a JSON object")
        for key in value:
            if not is_iri(key):
                raise StatementInvalid(path, f"key {key!r} must be an IRI")

    # -- actors ---------------------------------------------------------------------------

    def _ifis(self, value: dict, path: str) -> list[str]:
        present = [key for key in IFIS if key in value]
        if "mbox" in value and not (
            isinstance(value["mbox"], str) and MBOX_RE.match(value["mbox"])
        ):
            raise StatementInvalid(f"{path}.mbox", "must be a mailto: IRI, e.g. mailto:a@b.uz")
        if "mbox_sha1sum" in value and not (
            isinstance(value["mbox_sha1sum"], str) and SHA1_RE.match(value["mbox_sha1sum"])
        ):
            raise StatementInvalid(f"{path}.mbox_sha1sum", "must be a SHA-1 hex digest")
        if "openid" in value:
            self._iri(value["openid"], f"{path}.openid")
        if "account" in value:
            account = self._object(value["account"], f"{path}.account")
            self._only(account, f"{path}.account", {"homePage", "name"})
            self._required(account, f"{path}.account", "homePage", "name")
            self._iri(account["homePage"], f"{path}.account.homePage")
            self._string(account["name"], f"{path}.account.name")
        return present

    def agent(self, value: Any, path: str, *, object_type_required: bool = False) -> None:
        # §2.4.2.1 Agent: exactly one inverse functional identifier.
        value = self._object(value, path)
        self._only(value, path, {"objectType", "name", *IFIS})
        if object_type_required or "objectType" in value:
            if value.get("objectType") != "Agent":
                raise StatementInvalid(f"{path}.objectType", "must be 'Agent'")
        if "name" in value:
            self._string(value["name"], f"{path}.name")
        present = self._ifis(value, path)
        if len(present) != 1:
            raise StatementInvalid(
                path, "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account"
            )

    def group(self, value: Any, path: str) -> None:
        # §2.4.2.2 Group: anonymous (members, no identifier) or identified (one identifier).
        value = self._object(value, path)
        self._only(value, path, {"objectType", "name", "member", *IFIS})
        if value.get("objectType") != "Group":
            raise StatementInvalid(f"{path}.objectType", "must be 'Group'")
        if "name" in value:
            self._string(value["name"], f"{path}.name")
        present = self._ifis(value, path)
        if len(present) > 1:
            raise StatementInvalid(path, "a Group has at most one inverse functional identifier")
        if "member" in value:
            members = value["member"]
            if not isinstance(members, list):
                raise StatementInvalid(f"{path}.member", "must be a list of Agents")
            for index, member in enumerate(members):
                if isinstance(member, dict) and member.get("objectType") == "Group":
                    raise StatementInvalid(
                        f"{path}.member[{index}].objectType", "a Group's members are Agents"
                    )
                self.agent(member, f"{path}.member[{index}]")
        if not present and not value.get("member"):
            raise StatementInvalid(path, "an anonymous Group must list its members")

    def actor(self, value: Any, path: str) -> None:
        if isinstance(value, dict) and value.get("objectType") == "Group":
            self.group(value, path)
        else:
            self.agent(value, path)

    # -- verb and object --------------------------------------------------------------------

    def verb(self, value: Any, path: str) -> None:
        # §2.4.3 Verb: id (IRI) required, display a language map.
        value = self._object(value, path)
        self._only(value, path, {"id", "display"})
        self._required(value, path, "id")
        self._iri(value["id"], f"{path}.id")
        if "display" in value:
            self.language_map(value["display"], f"{path}.display")

    def activity(self, value: Any, path: str) -> None:
        # §2.4.4.1 Activity: objectType 'Activity' (optional), id IRI, definition.
        value = self._object(value, path)
        self._only(value, path, {"objectType", "id", "definition"})
        if "objectType" in value and value["objectType"] != "Activity":
            raise StatementInvalid(f"{path}.objectType", "must be 'Activity'")
        self._required(value, path, "id")
        self._iri(value["id"], f"{path}.id")
        if "definition" in value:
            self.definition(value["definition"], f"{path}.definition")

    def definition(self, value: Any, path: str) -> None:
        # §2.4.4.1 Activity Definition and its interaction activities.
        value = self._object(value, path)
        allowed = {"name", "description", "type", "moreInfo", "extensions", "interactionType"}
        allowed |= {"correctResponsesPattern"} | COMPONENT_LISTS
        self._only(value, path, allowed)
        for key in ("name", "description"):
            if key in value:
                self.language_map(value[key], f"{path}.{key}")
        for key in ("type", "moreInfo"):
            if key in value:
                self._iri(value[key], f"{path}.{key}")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")
        interaction = value.get("interactionType")
        lists = COMPONENT_LISTS & set(value)
        if interaction is None:
            if lists or "correctResponsesPattern" in value:
                raise StatementInvalid(path, "interaction properties need an interactionType")
            return
        if not isinstance(interaction, str) or interaction not in INTERACTION_TYPES:
            raise StatementInvalid(
                f"{path}.interactionType",
                f"must be one of {', '.join(sorted(INTERACTION_TYPES))}",
            )
        unexpected = lists - INTERACTION_TYPES[interaction]
        if unexpected:
            raise StatementInvalid(
                path, f"{sorted(unexpected)[0]!r} is not used with interactionType {interaction!r}"
            )
        if "correctResponsesPattern" in value:
            pattern = value["correctResponsesPattern"]
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                raise StatementInvalid(
                    f"{path}.correctResponsesPattern", "must be a list of strings"
                )
        for key in lists:
            components = value[key]
            if not isinstance(components, list):
                raise StatementInvalid(f"{path}.{key}", "must be a list of interaction components")
            seen: set[str] = set()
            for index, component in enumerate(components):
                where = f"{path}.{key}[{index}]"
                component = self._object(component, where)
                self._only(component, where, {"id", "description"})
                self._required(component, where, "id")
                self._string(component["id"], f"{where}.id")
                if component["id"] in seen:
                    raise StatementInvalid(where, f"duplicate id {component['id']!r}")
                seen.add(component["id"])
                if "description" in component:
                    self.language_map(component["description"], f"{where}.description")

    def statement_ref(self, value: Any, path: str) -> None:
        # §2.4.4.3 Statement Reference.
        value = self._object(value, path)
        self._only(value, path, {"objectType", "id"})
        if value.get("objectType") != "StatementRef":
            raise StatementInvalid(f"{path}.objectType", "must be 'StatementRef'")
        self._required(value, path, "id")
        self._uuid(value["id"], f"{path}.id")

    def object(self, value: Any, path: str, *, in_substatement: bool) -> None:
        value = self._object(value, path)
        kind = value.get("objectType", "Activity")
        if kind == "Activity":
            self.activity(value, path)
        elif kind == "Agent":
            self.agent(value, path, object_type_required=True)
        elif kind == "Group":
            self.group(value, path)
        elif kind == "StatementRef":
            self.statement_ref(value, path)
        elif kind == "SubStatement":
            if in_substatement:
                raise StatementInvalid(path, "a SubStatement cannot contain a SubStatement")
            self.statement(value, path, substatement=True)
        else:
            raise StatementInvalid(f"{path}.objectType", f"unknown objectType {kind!r}")

    # -- result and context -----------------------------------------------------------------

    def result(self, value: Any, path: str) -> None:
        # §2.4.5 Result.
        value = self._object(value, path)
        self._only(
            value, path, {"score", "success", "completion", "response", "duration", "extensions"}
        )
        if "score" in value:
            self.score(value["score"], f"{path}.score")
        for key in ("success", "completion"):
            if key in value:
                self._bool(value[key], f"{path}.{key}")
        if "response" in value:
            self._string(value["response"], f"{path}.response")
        if "duration" in value:
            duration = value["duration"]
            if not (isinstance(duration, str) and DURATION_RE.match(duration)):
                raise StatementInvalid(f"{path}.duration", "must be an ISO 8601 duration")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")

    def score(self, value: Any, path: str) -> None:
        # §2.4.5.1 Score: scaled in [-1, 1]; min ≤ raw ≤ max; min < max.
        value = self._object(value, path)
        self._only(value, path, {"scaled", "raw", "min", "max"})
        for key in value:
            self._number(value[key], f"{path}.{key}")
        if "scaled" in value and not -1 <= value["scaled"] <= 1:
            raise StatementInvalid(f"{path}.scaled", "must be between -1 and 1")
        low, high, raw = value.get("min"), value.get("max"), value.get("raw")
        if low is not None and high is not None and not low < high:
            raise StatementInvalid(path, "min must be less than max")
        if raw is not None and low is not None and raw < low:
            raise StatementInvalid(f"{path}.raw", "must not be less than min")
        if raw is not None and high is not None and raw > high:
            raise StatementInvalid(f"{path}.raw", "must not be greater than max")

    def context(self, value: Any, path: str, statement_object: dict) -> None:
        # §2.4.6 Context.
        value = self._object(value, path)
        allowed = {
            "registration", "instructor", "team", "contextActivities", "revision", "platform",
            "language", "statement", "extensions",
        }  # fmt: skip
        if self.version.is_2:
            allowed |= {"contextAgents", "contextGroups"}
        self._only(value, path, allowed)
        if "registration" in value:
            self._uuid(value["registration"], f"{path}.registration")
        if "instructor" in value:
            self.actor(value["instructor"], f"{path}.instructor")
        if "team" in value:
            self.group(value["team"], f"{path}.team")
        if "contextActivities" in value:
            self.context_activities(value["contextActivities"], f"{path}.contextActivities")
        is_activity = statement_object.get("objectType", "Activity") == "Activity"
        for key in ("revision", "platform"):
            if key in value:
                self._string(value[key], f"{path}.{key}")
                # §2.4.6: "revision/platform MUST only be used if the object is an Activity".
                if not is_activity:
                    raise StatementInvalid(
                        f"{path}.{key}", "is only allowed when the object is an Activity"
                    )
        if "language" in value:
            language = value["language"]
            if not (isinstance(language, str) and LANGUAGE_TAG_RE.match(language)):
                raise StatementInvalid(f"{path}.language", "must be an RFC 5646 language tag")
        if "statement" in value:
            self.statement_ref(value["statement"], f"{path}.statement")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")
        for key, kind, member in (
            ("contextAgents", "contextAgent", "agent"),
            ("contextGroups", "contextGroup", "group"),
        ):
            if key not in value:
                continue
            items = value[key]
            if not isinstance(items, list):
                raise StatementInvalid(f"{path}.{key}", "must be a list")
            for index, item in enumerate(items):
                where = f"{path}.{key}[{index}]"
                item = self._object(item, where)
                self._only(item, where, {"objectType", member, "relevantTypes"})
                if item.get("objectType") != kind:
                    raise StatementInvalid(f"{where}.objectType", f"must be {kind!r}")
                self._required(item, where, member)
                if member == "agent":
                    self.agent(item["agent"], f"{where}.agent")
                else:
                    self.group(item["group"], f"{where}.group")
                if "relevantTypes" in item:
                    types = item["relevantTypes"]
                    if not isinstance(types, list) or not types:
                        raise StatementInvalid(
                            f"{where}.relevantTypes", "must be a non-empty list of IRIs"
                        )
                    for number, iri in enumerate(types):
                        self._iri(iri, f"{where}.relevantTypes[{number}]")

    def context_activities(self, value: Any, path: str) -> None:
        value = self._object(value, path)
        self._only(value, path, {"parent", "grouping", "category", "other"})
        for key, activities in value.items():
            if isinstance(activities, list):
                for index, activity in enumerate(activities):
                    self.activity(activity, f"{path}.{key}[{index}]")
            else:
                self.activity(activities, f"{path}.{key}")

    def attachments(self, value: Any, path: str) -> None:
        # §2.4.11 Attachments.
        if not isinstance(value, list):
            raise StatementInvalid(path, "must be a list")
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            item = self._object(item, where)
            allowed = {"usageType", "display", "description", "contentType", "length", "sha2"}
            self._only(item, where, allowed | {"fileUrl"})
            self._required(item, where, "usageType", "display", "contentType", "length", "sha2")
            self._iri(item["usageType"], f"{where}.usageType")
            self.language_map(item["display"], f"{where}.display")
            if "description" in item:
                self.language_map(item["description"], f"{where}.description")
            self._string(item["contentType"], f"{where}.contentType")
            length = item["length"]
            if isinstance(length, bool) or not isinstance(length, int) or length < 0:
                raise StatementInvalid(f"{where}.length", "must be a non-negative integer")
            if not (isinstance(item["sha2"], str) and SHA2_RE.match(item["sha2"])):
                raise StatementInvalid(f"{where}.sha2", "must be a SHA-2 hex digest")
            if "fileUrl" in item:
                self._iri(item["fileUrl"], f"{where}.fileUrl")

    # -- the statement ----------------------------------------------------------------------

    def statement(self, value: Any, path: str, *, substatement: bool = False) -> None:
        value = self._object(value, path)
        if substatement:
            # §2.4.4.4 SubStatement: no id, stored, version or authority.
            allowed = {
                "objectType", "actor", "verb", "object", "result", "context", "timestamp",
                "attachments",
            }  # fmt: skip
        else:
            allowed = {
                "id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                "authority", "version", "attachments",
            }  # fmt: skip
        self._only(value, path, allowed)
        self._required(value, path, "actor", "verb", "object")
        if "id" in value:
            self._uuid(value["id"], f"{path}.id")
        self.actor(value["actor"], f"{path}.actor")
        self.verb(value["verb"], f"{path}.verb")
        self.object(value["object"], f"{path}.object", in_substatement=substatement)
        if "result" in value:
            self.result(value["result"], f"{path}.result")
        if "context" in value:
            self.context(value["context"], f"{path}.context", value["object"])
        for key in ("timestamp", "stored"):
            if key in value:
                self._timestamp(value[key], f"{path}.{key}")
        if "authority" in value:
            self.authority(value["authority"], f"{path}.authority")
        if "version" in value:
            self.statement_version(value["version"], f"{path}.version")
        if "attachments" in value:
            self.attachments(value["attachments"], f"{path}.attachments")
        # §2.3.2 Voiding: the object of a voiding statement is a StatementRef.
        if value["verb"]["id"] == VOIDED and not substatement:
            if value["object"].get("objectType") != "StatementRef":
                raise StatementInvalid(
                    f"{path}.object", "a voiding statement's object must be a StatementRef"
                )

    def authority(self, value: Any, path: str) -> None:
        # §2.4.9 Authority: an Agent, or a two-member Group for OAuth (client + user).
        if isinstance(value, dict) and value.get("objectType") == "Group":
            self.group(value, path)
            members = value.get("member", [])
            if any(key in value for key in IFIS) or len(members) != 2:
                raise StatementInvalid(
                    path, "an authority Group is anonymous with exactly two members (OAuth)"
                )
            if not any("account" in member for member in members):
                raise StatementInvalid(
                    path, "an authority Group names the OAuth client by an account"
                )
        else:
            self.agent(value, path)

    def statement_version(self, value: Any, path: str) -> None:
        # §2.4.10 Version: 1.0.x; 2.0 also accepts 2.0.x.
        ok = isinstance(value, str) and (
            re.match(r"^1\.0(\.\d+)?$", value)
            or (self.version.is_2 and re.match(r"^2\.0(\.\d+)?$", value))
        )
        if not ok:
            raise StatementInvalid(path, "is not a supported xAPI version")
