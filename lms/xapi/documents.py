"""The document resources: State, Activity Profile and Agent Profile (1.0.3 §7.3–7.6,
2.0 §4.1.6.2–4.1.6.6), with their concurrency rules (1.0.3 §6.3, 2.0 §4.1.5.2)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Activity, Document
from .store import Conflict, NotFound, XAPIError, agent_parameter, parse_time
from .validation import StatementInvalid, is_iri, is_uuid, validate_agent
from .versions import Version


class PreconditionFailed(XAPIError):
    status = 412


@dataclass(frozen=True)
class Address:
    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""

    def filter(self) -> dict:
        return {
            "kind": self.kind,
            "activity_id": self.activity_id,
            "agent_key": self.agent_key,
            "registration": self.registration,
        }


SPEC = {
    # kind: (parameters that identify the set, name of the document id parameter)
    Document.STATE: ({"activityId", "agent", "registration"}, "stateId"),
    Document.ACTIVITY_PROFILE: ({"activityId"}, "profileId"),
    Document.AGENT_PROFILE: ({"agent"}, "profileId"),
}


def address(kind: str, params: dict[str, str], version: Version) -> Address:
    allowed, id_name = SPEC[kind]
    unknown = sorted(set(params) - allowed - {id_name, "since"})
    if unknown:
        raise XAPIError(f"unknown parameter {unknown[0]!r}")
    fields = {"kind": kind}
    if "activityId" in allowed:
        activity_id = params.get("activityId")
        if not activity_id:
            raise XAPIError("the activityId parameter is required")
        if not is_iri(activity_id):
            raise XAPIError("activityId must be an IRI")
        fields["activity_id"] = activity_id
    if "agent" in allowed:
        if "agent" not in params:
            raise XAPIError("the agent parameter is required")
        fields["agent_key"] = agent_parameter(params["agent"], version)
    if "registration" in params:
        if not is_uuid(params["registration"]):
            raise XAPIError("registration must be a UUID")
        fields["registration"] = params["registration"].lower()
    return Address(**fields)


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",") if tag.strip()]


def check_preconditions(
    existing: Document | None, if_match: str | None, if_none_match: str | None
) -> None:
    """If-Match / If-None-Match (RFC 7232 as used by 1.0.3 §6.3): 412 when they fail."""
    if if_match is not None:
        tags = _tags(if_match)
        if existing is None or ("*" not in tags and existing.etag not in tags):
            raise PreconditionFailed("If-Match does not match the document's current ETag")
    if if_none_match is not None:
        tags = _tags(if_none_match)
        if existing is not None and ("*" in tags or existing.etag in tags):
            raise PreconditionFailed("If-None-Match: the document already exists")


def _json_object(content: bytes, what: str) -> dict:
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise XAPIError(f"{what} is not valid JSON") from error
    if not isinstance(value, dict):
        raise XAPIError(f"{what} is not a JSON object")
    return value


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def put(
    where: Address,
    document_id: str,
    content: bytes,
    content_type: str,
    *,
    merge: bool,
    if_match: str | None,
    if_none_match: str | None,
    version: Version,
) -> Document:
    """PUT replaces; POST (`merge`) merges JSON objects key by key, or stores if new."""
    if not document_id:
        raise XAPIError("the document id parameter is required")
    if _is_json(content_type) and (merge or content):
        _json_object(content, "the document")
    with transaction.atomic():
        existing = (
            Document.objects.select_for_update()
            .filter(**where.filter(), document_id=document_id)
            .first()
        )
        check_preconditions(existing, if_match, if_none_match)
        if (
            not merge
            and existing is None
            and if_match is None
            and if_none_match is None
            and not version.is_2
            and where.kind != Document.STATE
        ):
            # The 1.0.3 conformance suite reads §6.3 as: every PUT to a profile carries a
            # precondition, even the first one (If-None-Match: *).
            raise XAPIError("send If-None-Match: * to create a profile document, or If-Match")
        if (
            not merge
            and existing is not None
            and if_match is None
            and if_none_match is None
            and (version.is_2 or where.kind != Document.STATE)
        ):
            # 1.0.3 §6.3: a PUT over an existing profile must say which version it replaces;
            # 2.0 §4.1.5.2 asks the same of State documents.
            raise Conflict("the document exists: send If-Match (or If-None-Match: *) to replace it")
        if merge and existing is not None:
            if not (_is_json(existing.content_type) and _is_json(content_type)):
                raise XAPIError("only JSON documents can be merged by POST")
            merged = _json_object(bytes(existing.content), "the stored document")
            merged.update(_json_object(content, "the document"))
            content = json.dumps(merged, ensure_ascii=False).encode("utf-8")
            content_type = "application/json"
        now = timezone.now()
        if existing is None:
            try:
                with transaction.atomic():
                    return Document.objects.create(
                        **where.filter(),
                        document_id=document_id,
                        content=content,
                        content_type=content_type or "application/octet-stream",
                        etag=etag_of(content),
                        updated=now,
                    )
            except IntegrityError as error:
                raise Conflict("the document was created meanwhile; retry") from error
        existing.content = content
        existing.content_type = content_type or "application/octet-stream"
        existing.etag = etag_of(content)
        existing.updated = now
        existing.save()
        return existing


def get(where: Address, document_id: str) -> Document:
    document = Document.objects.filter(**where.filter(), document_id=document_id).first()
    if document is None:
        raise NotFound("no such document")
    return document


def ids(where: Address, since: str | None, version: Version) -> list[str]:
    documents = Document.objects.filter(**where.filter())
    if since is not None:
        documents = documents.filter(updated__gt=parse_time(since, "since", version))
    return list(documents.order_by("document_id").values_list("document_id", flat=True))


def delete(
    where: Address, document_id: str | None, if_match: str | None, if_none_match: str | None
) -> None:
    with transaction.atomic():
        documents = Document.objects.select_for_update().filter(**where.filter())
        if document_id is None:
            if where.kind != Document.STATE:
                raise XAPIError("the profileId parameter is required")
            documents.delete()
            return
        existing = documents.filter(document_id=document_id).first()
        check_preconditions(existing, if_match, if_none_match)
        if existing is not None:
            existing.delete()


def latest(where: Address) -> datetime | None:
    return (
        Document.objects.filter(**where.filter())
        .order_by("-updated")
        .values_list("updated", flat=True)
        .first()
    )


def activity(activity_id: str) -> dict:
    """The Activities resource: the canonical definition, or the bare Activity if none."""
    if not is_iri(activity_id):
        raise XAPIError("activityId must be an IRI")
    stored = Activity.objects.filter(activity_id=activity_id).first()
    result: dict = {"objectType": "Activity", "id": activity_id}
    if stored and stored.definition:
        result["definition"] = stored.definition
    return result


def person(agent_json: str, version: Version) -> dict:
    """The Agents resource: a Person object combining what is known of the agent."""
    try:
        agent = json.loads(agent_json)
        validate_agent(agent, version)
    except (ValueError, StatementInvalid) as error:
        raise XAPIError(f"agent is not a valid Agent or Group: {error}") from error
    result: dict = {"objectType": "Person"}
    for key in ("name", "mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            result[key] = [agent[key]]
    return result
