"""Storing and querying statements (1.0.3 §7.2 / 2.0 §4.1.6.1 Statement Resource).

The functions own their transaction; the views are thin callers. Errors are `XAPIError`s whose
status the view returns as is.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Activity, Credential, Statement, StatementActivity, StatementAgent
from .validation import VOIDED, StatementInvalid, validate_agent
from .versions import Version


class XAPIError(Exception):
    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class Conflict(XAPIError):
    status = 409


class NotFound(XAPIError):
    status = 404


# -- identity ---------------------------------------------------------------------------------


def agent_key(agent: dict) -> str | None:
    """The canonical form of an Agent's or identified Group's inverse functional identifier."""
    if "mbox" in agent:
        return "mbox:" + agent["mbox"].lower()
    if "mbox_sha1sum" in agent:
        return "sha1:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    if "account" in agent:
        account = agent["account"]
        return f"account:{account['homePage']}|{account['name']}"
    return None


def agent_parameter(value: str, version: Version) -> str:
    """The `agent` parameter of a query or document request, as the key the store indexes."""
    try:
        agent = json.loads(value)
        validate_agent(agent, version)
    except (ValueError, StatementInvalid) as error:
        raise XAPIError(f"agent is not a valid Agent or Group: {error}") from error
    key = agent_key(agent)
    if key is None:
        raise XAPIError("agent must have an inverse functional identifier")
    return key


def _agents(statement: dict, *, top: bool = True) -> Iterable[tuple[str, bool]]:
    """Every agent a statement mentions, with whether the plain `agent` filter matches it."""

    def of(agent: dict | None, direct: bool) -> Iterable[tuple[str, bool]]:
        if not agent:
            return
        key = agent_key(agent)
        if key:
            yield key, direct
        for member in agent.get("member", []):
            member_key = agent_key(member)
            if member_key:
                yield member_key, False

    yield from of(statement["actor"], top)
    target = statement["object"]
    if target.get("objectType") in ("Agent", "Group"):
        yield from of(target, top)
    if top:
        yield from of(statement.get("authority"), False)
    context = statement.get("context", {})
    yield from of(context.get("instructor"), False)
    yield from of(context.get("team"), False)
    for item in context.get("contextAgents", []):
        yield from of(item.get("agent"), False)
    for item in context.get("contextGroups", []):
        yield from of(item.get("group"), False)
    if target.get("objectType") == "SubStatement":
        yield from _agents(target, top=False)


def _activities(statement: dict, *, top: bool = True) -> Iterable[tuple[str, bool]]:
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        yield target["id"], top
    for activities in statement.get("context", {}).get("contextActivities", {}).values():
        for activity in activities if isinstance(activities, list) else [activities]:
            yield activity["id"], False
    if kind == "SubStatement":
        yield from _activities(target, top=False)


# -- writing ----------------------------------------------------------------------------------


def _normalise(statement: dict) -> dict:
    """contextActivities values are always lists in what the LRS returns (1.0.3 §2.4.6.2)."""
    for holder in (statement, statement["object"]):
        context_activities = holder.get("context", {}).get("contextActivities")
        if context_activities:
            for key, value in list(context_activities.items()):
                if isinstance(value, dict):
                    context_activities[key] = [value]
    return statement


def _duration(value: str) -> str:
    """Durations compare at 0.01 s precision (2.0 §4.2.7): PT1.2345S equals PT1.23S."""

    def truncate(match: re.Match) -> str:
        whole, fraction = match.group(1), (match.group(2) or "")[:2].rstrip("0")
        return f"{whole}.{fraction}S" if fraction else f"{whole}S"

    return re.sub(r"(\d+)(?:\.(\d+))?S$", truncate, value)


def comparable_statement(statement: dict, *, timestamp: bool = True) -> str:
    return _comparable(statement, timestamp=timestamp)


def _comparable(statement: dict, *, timestamp: bool = True) -> str:
    """Statement equality for immutability (1.0.3 §2.3.1): what the LRS sets is left out, and
    the timestamp too when the client left it to the LRS."""
    ignored = {"stored", "authority", "version"} | (set() if timestamp else {"timestamp"})
    data = {k: v for k, v in statement.items() if k not in ignored}
    duration = (
        data.get("result", {}).get("duration") if isinstance(data.get("result"), dict) else None
    )
    if isinstance(duration, str):
        data["result"] = {**data["result"], "duration": _duration(duration)}
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def prepare(
    statement: dict, credential: Credential | None, version: Version, now: datetime
) -> dict:
    """Fill in what the LRS sets: id, stored, timestamp, authority, version (§2.4)."""
    # The statement is the request's own, parsed for this call: completed in place (top level
    # copied), not deep-copied, which for a batch of 100 was a fifth of the time.
    statement = _normalise(dict(statement))
    statement.setdefault("id", str(uuid.uuid4()))
    statement["id"] = statement["id"].lower()
    stored = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    statement["stored"] = stored
    statement.setdefault("timestamp", stored)
    if credential is not None:
        statement["authority"] = credential.authority
    statement.setdefault("version", "2.0.0" if version.is_2 else "1.0.0")
    return statement


def save_statements(
    statements: list[dict],
    credential: Credential | None,
    version: Version,
    *,
    statement_id: str | None = None,
) -> list[str]:
    """Store a batch atomically: all of it or none. Returns the ids, in order.

    A statement whose id is already stored is accepted only if it is the same statement
    (then nothing is written); a different one with that id is a 409 Conflict."""
    now = timezone.now()
    if statement_id is not None:
        if "id" in statements[0] and statements[0]["id"].lower() != statement_id.lower():
            raise XAPIError("the statement's id differs from the statementId parameter")
        statements = [{**statements[0], "id": statement_id}]
    prepared = [prepare(s, credential, version, now) for s in statements]
    timestamped = {p["id"]: "timestamp" in s for p, s in zip(prepared, statements, strict=True)}
    ids = [s["id"] for s in prepared]
    if len(set(ids)) != len(ids):
        raise XAPIError("the batch holds two statements with the same id")

    try:
        # The common case costs no lookup: insert, and let the unique index report a known id.
        if _can_insert_in_one_statement(prepared):
            _insert_in_one_statement(prepared, credential, now)
        else:
            with transaction.atomic():
                _insert(prepared, credential, now)
    except IntegrityError:
        with transaction.atomic():
            existing = {
                str(row.statement_id): row
                for row in Statement.objects.filter(statement_id__in=ids).only(
                    "statement_id", "data"
                )
            }
            fresh = []
            for statement in prepared:
                stored = existing.get(statement["id"])
                timestamp = timestamped[statement["id"]]
                if stored is None:
                    fresh.append(statement)
                elif _comparable(stored.data, timestamp=timestamp) != _comparable(
                    statement, timestamp=timestamp
                ):
                    raise Conflict(
                        f"statement {statement['id']} exists with different content"
                    ) from None
            try:
                _insert(fresh, credential, now)
            except IntegrityError as error:  # a concurrent request stored the same id first
                raise Conflict("a statement with one of these ids was stored meanwhile") from error
    return ids


def _timestamp(statement: dict, now: datetime) -> datetime:
    moment = parse_datetime(statement["timestamp"]) or now
    if timezone.is_naive(moment):  # 1.0.3 allows a timestamp without a zone: read it as UTC
        moment = timezone.make_aware(moment, UTC)
    return moment


def _can_insert_in_one_statement(statements: list[dict]) -> bool:
    """PostgreSQL, outside any transaction of the caller's, and nothing but the rows to write:
    no voiding (it updates its target) and no activity definitions (they are merged)."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and not any(
            s["verb"]["id"] == VOIDED or any("definition" in a for a in _defined(s))
            for s in statements
        )
    )


INSERT_IN_ONE_STATEMENT = """
WITH new AS (
    INSERT INTO xapi_statement (statement_id, data, verb_id, registration, stored, timestamp,
                                voided, voids, refs, credential_id, actor_key)
    SELECT i, j.d, v, r, %(stored)s, t, false, NULL, f, %(credential)s, a
    FROM unnest(%(ids)s::uuid[], %(verbs)s::text[], %(registrations)s::uuid[],
                %(timestamps)s::timestamptz[], %(refs)s::uuid[], %(actors)s::text[])
         WITH ORDINALITY AS x(i, v, r, t, f, a, n)
    JOIN jsonb_array_elements(%(data)s::jsonb) WITH ORDINALITY AS j(d, n) USING (n)
    ORDER BY n
    RETURNING seq, statement_id
), agents AS (
    INSERT INTO xapi_statementagent (statement_id, key, direct)
    SELECT new.seq, x.k, x.direct FROM new
    JOIN unnest(%(agent_ids)s::uuid[], %(agent_keys)s::text[], %(agent_direct)s::bool[])
         AS x(i, k, direct) ON x.i = new.statement_id
), activities AS (
    INSERT INTO xapi_statementactivity (statement_id, activity_id, direct)
    SELECT new.seq, x.k, x.direct FROM new
    JOIN unnest(%(activity_ids)s::uuid[], %(activity_keys)s::text[], %(activity_direct)s::bool[])
         AS x(i, k, direct) ON x.i = new.statement_id
)
SELECT count(*) FROM new
"""


def _insert_in_one_statement(
    fresh: list[dict], credential: Credential | None, now: datetime
) -> None:
    """The same rows as `_insert`, written by one SQL statement: one round trip, atomic by
    itself, no transaction to open and commit around it."""
    from psycopg.types.json import Jsonb

    agent_rows = [(s["id"], k, d) for s in fresh for k, d in set(_agents(s))]
    activity_rows = [(s["id"], k, d) for s in fresh for k, d in set(_activities(s))]
    params = {
        "stored": now,
        "credential": credential.pk if credential else None,
        "ids": [s["id"] for s in fresh],
        # One JSON document for the batch: a jsonb[] parameter is escaped element by element,
        # character by character, which cost more than everything else together.
        "data": Jsonb(fresh),
        "verbs": [s["verb"]["id"] for s in fresh],
        "registrations": [s.get("context", {}).get("registration") for s in fresh],
        "timestamps": [_timestamp(s, now) for s in fresh],
        "refs": [
            s["object"]["id"] if s["object"].get("objectType") == "StatementRef" else None
            for s in fresh
        ],
        "actors": [agent_key(s["actor"]) or "" for s in fresh],
        "agent_ids": [r[0] for r in agent_rows],
        "agent_keys": [r[1] for r in agent_rows],
        "agent_direct": [r[2] for r in agent_rows],
        "activity_ids": [r[0] for r in activity_rows],
        "activity_keys": [r[1] for r in activity_rows],
        "activity_direct": [r[2] for r in activity_rows],
    }
    # psycopg's own cursor binds on the server and prepares the statement once per connection:
    # Django's client-side binding quoted every array element in Python on every request.
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(INSERT_IN_ONE_STATEMENT, params, prepare=True)


def _insert(fresh: list[dict], credential: Credential | None, now: datetime) -> None:
    if not fresh:
        return
    _check_voiding(fresh)
    rows = [
        Statement(
            statement_id=s["id"],
            data=s,
            verb_id=s["verb"]["id"],
            registration=s.get("context", {}).get("registration"),
            stored=now,
            timestamp=_timestamp(s, now),
            voids=s["object"]["id"] if s["verb"]["id"] == VOIDED else None,
            refs=s["object"]["id"] if s["object"].get("objectType") == "StatementRef" else None,
            credential=credential,
            actor_key=agent_key(s["actor"]) or "",
        )
        for s in fresh
    ]
    Statement.objects.bulk_create(rows)
    if any(row.pk is None for row in rows):  # backends that do not return keys
        by_id = dict(
            Statement.objects.filter(statement_id__in=[r.statement_id for r in rows]).values_list(
                "statement_id", "seq"
            )
        )
        for row in rows:
            row.pk = by_id[row.statement_id]
    StatementAgent.objects.bulk_create(
        StatementAgent(statement=row, key=key, direct=direct)
        for row in rows
        for key, direct in set(_agents(row.data))
    )
    StatementActivity.objects.bulk_create(
        StatementActivity(statement=row, activity_id=activity, direct=direct)
        for row in rows
        for activity, direct in set(_activities(row.data))
    )
    _remember_definitions(fresh)
    targets = [row.voids for row in rows if row.voids]
    if targets:
        Statement.objects.filter(statement_id__in=targets).exclude(verb_id=VOIDED).update(
            voided=True
        )


def _defined(statement: dict) -> Iterable[dict]:
    target = statement["object"]
    if target.get("objectType", "Activity") == "Activity":
        yield target
    for activities in statement.get("context", {}).get("contextActivities", {}).values():
        yield from activities
    if target.get("objectType") == "SubStatement":
        yield from _defined(target)


def _merge_definition(old: dict, new: dict) -> dict:
    merged = {**old, **new}
    for key in ("name", "description"):
        if key in old and key in new:
            merged[key] = {**old[key], **new[key]}
    return merged


def _remember_definitions(statements: list[dict]) -> None:
    """Keep each activity's canonical definition: the latest one, language maps merged."""
    definitions: dict[str, dict] = {}
    for statement in statements:
        for activity in _defined(statement):
            if activity.get("definition"):
                definitions[activity["id"]] = _merge_definition(
                    definitions.get(activity["id"], {}), activity["definition"]
                )
    if not definitions:
        return
    known = {a.activity_id: a for a in Activity.objects.filter(activity_id__in=definitions)}
    for activity_id, row in known.items():
        merged = _merge_definition(row.definition, definitions[activity_id])
        if merged != row.definition:
            Activity.objects.filter(pk=row.pk).update(definition=merged)
    Activity.objects.bulk_create(
        [Activity(activity_id=i, definition=d) for i, d in definitions.items() if i not in known],
        ignore_conflicts=True,  # another request defined it meanwhile: its definition stands
    )


def _check_voiding(statements: list[dict]) -> None:
    """A voiding statement cannot void another voiding statement (1.0.3 §2.3.2)."""
    targets = {s["object"]["id"].lower() for s in statements if s["verb"]["id"] == VOIDED}
    if not targets:
        return
    in_batch = {s["id"] for s in statements if s["verb"]["id"] == VOIDED}
    stored = Statement.objects.filter(statement_id__in=targets, verb_id=VOIDED).exists()
    if stored or targets & in_batch:
        raise XAPIError("a voiding statement cannot target another voiding statement")


# -- reading ----------------------------------------------------------------------------------

QUERY_PARAMETERS = {
    "agent", "verb", "activity", "registration", "related_activities", "related_agents",
    "since", "until", "limit", "format", "attachments", "ascending",
}  # fmt: skip
SINGLE_PARAMETERS = {"statementId", "voidedStatementId", "format", "attachments"}
FORMATS = ("exact", "ids", "canonical")
MAX_LIMIT = 500


@dataclass
class Page:
    statements: list[dict]
    more: str  # a token for the next page, or ""
    format: str = "exact"
    attachments: bool = False


def get_statement(
    params: dict[str, str], version: Version, credential: Credential | None
) -> Statement:
    unknown = sorted(set(params) - SINGLE_PARAMETERS)
    if unknown:
        raise XAPIError(f"parameter {unknown[0]!r} cannot be used with statementId")
    if "statementId" in params and "voidedStatementId" in params:
        raise XAPIError("give statementId or voidedStatementId, not both")
    wanted = params.get("statementId") or params.get("voidedStatementId")
    try:
        statement_uuid = uuid.UUID(wanted)
    except (TypeError, ValueError) as error:
        raise XAPIError("statementId must be a UUID") from error
    voided = "voidedStatementId" in params
    rows = Statement.objects.filter(statement_id=statement_uuid, voided=voided)
    rows = _mine(rows, credential)
    row = rows.first()
    if row is None:
        raise NotFound(f"no statement {wanted}")
    return row


def _mine(rows, credential: Credential | None):
    """statements/read/mine: only what this credential wrote (1.0.3 §6.4.2)."""
    if credential is not None and not credential.has_scope("statements/read", "all/read"):
        return rows.filter(credential=credential)
    return rows


def _boolean(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise XAPIError(f"{name} must be true or false")
    return value == "true"


def parse_time(value: str, name: str, version: Version) -> datetime:
    """A `since`/`until` parameter; without a zone (1.0.3 allows it) it is read as UTC."""
    from .validation import is_timestamp

    parsed = parse_datetime(value) if is_timestamp(value, version) else None
    if parsed is None:
        raise XAPIError(f"{name} must be an ISO 8601 timestamp")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def _when(params: dict[str, str], name: str, version: Version) -> datetime | None:
    return parse_time(params[name], name, version) if name in params else None


def query_statements(
    params: dict[str, str], version: Version, credential: Credential | None
) -> Page:
    """The statement query (1.0.3 §7.2.3), paged by an opaque, signed `more` token that pins
    the newest statement of the first page: statements stored later never shift the pages."""
    if "more" in params:
        try:
            state = signing.loads(params["more"], salt="lms.xapi.more", max_age=24 * 3600)
        except signing.BadSignature as error:
            raise XAPIError("the more token is invalid or has expired") from error
        params, after, bound = state["params"], state["after"], state["bound"]
    else:
        unknown = sorted(set(params) - QUERY_PARAMETERS)
        if unknown:
            raise XAPIError(f"unknown parameter {unknown[0]!r}")
        after, bound = None, None

    fmt = params.get("format", "exact")
    if fmt not in FORMATS:
        raise XAPIError(f"format must be one of {', '.join(FORMATS)}")
    try:
        limit = int(params.get("limit", "0"))
    except ValueError as error:
        raise XAPIError("limit must be a non-negative integer") from error
    if limit < 0:
        raise XAPIError("limit must be a non-negative integer")
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    ascending = _boolean(params, "ascending")
    with_attachments = _boolean(params, "attachments")
    related_agents = _boolean(params, "related_agents")
    related_activities = _boolean(params, "related_activities")

    matching = Q()
    if "agent" in params:
        agents = StatementAgent.objects.filter(key=agent_parameter(params["agent"], version))
        if not related_agents:
            agents = agents.filter(direct=True)
        matching &= Q(seq__in=agents.values("statement_id"))
    if "verb" in params:
        matching &= Q(verb_id=params["verb"])
    if "activity" in params:
        activities = StatementActivity.objects.filter(activity_id=params["activity"])
        if not related_activities:
            activities = activities.filter(direct=True)
        matching &= Q(seq__in=activities.values("statement_id"))
    if "registration" in params:
        try:
            matching &= Q(registration=uuid.UUID(params["registration"]))
        except ValueError as error:
            raise XAPIError("registration must be a UUID") from error
    rows = _mine(Statement.objects.filter(voided=False), credential)
    since, until = _when(params, "since", version), _when(params, "until", version)
    if since:
        rows = rows.filter(stored__gt=since)
    if until:
        rows = rows.filter(stored__lte=until)
    if bound is None:
        newest = Statement.objects.order_by("-seq").values_list("seq", flat=True).first()
        bound = newest or 0
    rows = rows.filter(seq__lte=bound)
    if after is not None:
        # Pages follow `stored` (what the specification orders by), `seq` breaking ties.
        last_stored, last_seq = parse_datetime(after[0]), after[1]
        if ascending:
            rows = rows.filter(Q(stored__gt=last_stored) | Q(stored=last_stored, seq__gt=last_seq))
        else:
            rows = rows.filter(Q(stored__lt=last_stored) | Q(stored=last_stored, seq__lt=last_seq))
    order = ("stored", "seq") if ascending else ("-stored", "-seq")
    if matching:
        # 1.0.3 §2.4.4.3 / 2.0 §4.1.6.1: a statement that targets (StatementRef) a statement
        # matching the filters is returned too, even when the target is voided. Two indexed
        # queries in a UNION; an OR across them would scan the table.
        targets = Statement.objects.filter(matching).values("statement_id")
        direct = rows.filter(matching).values_list("seq", "stored", "data")
        referring = rows.filter(refs__in=targets).values_list("seq", "stored", "data")
        query = direct.union(referring).order_by(*order)
    else:
        query = rows.order_by(*order).values_list("seq", "stored", "data")
    page = list(query[: limit + 1])
    more = ""
    if len(page) > limit:
        page = page[:limit]
        more = signing.dumps(
            {"params": params, "after": [page[-1][1].isoformat(), page[-1][0]], "bound": bound},
            salt="lms.xapi.more",
        )
    return Page(
        statements=[data for _seq, _stored, data in page],
        more=more,
        format=fmt,
        attachments=with_attachments,
    )


# -- formats ----------------------------------------------------------------------------------


def present(statement: dict, fmt: str, languages: list[str]) -> dict:
    """`format` (1.0.3 §7.2.3): exact as stored; ids keeps only identifiers; canonical keeps
    one language of each language map, the best match for the request's Accept-Language."""
    if fmt == "exact":
        return statement
    statement = copy.deepcopy(statement)
    if fmt == "ids":
        _ids(statement)
    else:
        _canonical(statement, languages)
    return statement


def _ids_agent(agent: dict) -> dict:
    kept = {
        k: agent[k]
        for k in ("objectType", "mbox", "mbox_sha1sum", "openid", "account")
        if k in agent
    }
    if agent.get("objectType") == "Group" and "member" in agent and agent_key(agent) is None:
        kept["member"] = [_ids_agent(m) for m in agent["member"]]
    return kept


def _ids(statement: dict) -> None:
    statement["actor"] = _ids_agent(statement["actor"])
    statement["verb"] = {"id": statement["verb"]["id"]}
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        statement["object"] = {"id": target["id"]}
    elif kind in ("Agent", "Group"):
        statement["object"] = _ids_agent(target)
    elif kind == "SubStatement":
        _ids(target)
    if "authority" in statement:
        statement["authority"] = _ids_agent(statement["authority"])
    context = statement.get("context")
    if context:
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _ids_agent(context[key])
        for key, activities in context.get("contextActivities", {}).items():
            context["contextActivities"][key] = [{"id": a["id"]} for a in activities]


def _canonical(value, languages: list[str]):
    if isinstance(value, dict):
        for key, item in value.items():
            if (
                key in ("display", "name", "description")
                and isinstance(item, dict)
                and all(isinstance(v, str) for v in item.values())
            ):
                value[key] = _one_language(item, languages)
            elif key != "extensions":
                _canonical(item, languages)
    elif isinstance(value, list):
        for item in value:
            _canonical(item, languages)


def _one_language(language_map: dict, languages: list[str]) -> dict:
    if not language_map:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            tag = lowered[wanted]
            return {tag: language_map[tag]}
        for low, tag in lowered.items():
            if low.split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}
