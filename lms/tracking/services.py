"""What the platform says in xAPI and how it gets there.

`record()` writes statements into the outbox inside the caller's transaction, so a domain
change and its statements commit together or not at all. `deliver_due()` (run by the Celery
task `tracking.deliver`) stores them in the platform's LRS and forwards them to every active
external LRS, with retries and backoff; a statement is identified by its id everywhere, so a
delivery repeated after a crash is recognised and nothing is duplicated.
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from lms.xapi import store
from lms.xapi.models import Credential
from lms.xapi.validation import validate_statement
from lms.xapi.versions import V2

from . import profile
from .models import Delivery, ExternalLRS, OutboxStatement

PLATFORM_KEY = "malaka-platform"
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
TIMEOUT = 10


# -- who and what -------------------------------------------------------------------------------


def pseudonym(user) -> str:
    """A stable, opaque account name: no e-mail, name or employee number leaves the platform."""
    return salted_hmac("lms.tracking.pseudonym", str(user.pk), algorithm="sha256").hexdigest()[:32]


def actor(user) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.XAPI_HOMEPAGE, "name": pseudonym(user)},
    }


def activity(iri: str, kind: str, name: dict[str, str]) -> dict:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": profile.ACTIVITY_TYPES[kind], "name": name},
    }


def statement(
    user,
    verb: str,
    target: dict,
    *,
    registration: uuid.UUID | str | None = None,
    course_code: str | None = None,
    locale: str | None = None,
    parent: dict | None = None,
    grouping: list[dict] | None = None,
    result: dict | None = None,
    timestamp: datetime | None = None,
) -> dict:
    """A statement of the Malaka profile about `user`."""
    extensions = {}
    unit = getattr(user, "org_unit", None)
    position = getattr(user, "position", None)
    if unit is not None:
        extensions[profile.EXTENSIONS["org_unit"][0]] = unit.code
    if position is not None:
        extensions[profile.EXTENSIONS["position"][0]] = position.code
    if course_code:
        extensions[profile.EXTENSIONS["course_code"][0]] = course_code
    if locale:
        extensions[profile.EXTENSIONS["locale"][0]] = locale
    context: dict = {"platform": "Malaka"}
    if registration:
        context["registration"] = str(registration)
    activities = {}
    if parent:
        activities["parent"] = [parent]
    if grouping:
        activities["grouping"] = grouping
    if activities:
        context["contextActivities"] = activities
    if extensions:
        context["extensions"] = extensions
    data = {
        "id": str(uuid.uuid4()),
        "actor": actor(user),
        "verb": profile.verb(verb),
        "object": target,
        "context": context,
        "timestamp": (timestamp or timezone.now()).isoformat(),
    }
    if result:
        data["result"] = result
    return data


# -- the outbox ----------------------------------------------------------------------------------


def record(*statements: dict) -> None:
    """Queue statements with the caller's transaction. Must run inside one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "tracking.record() belongs inside the transaction of the change it describes"
        )
    now = timezone.now()
    destinations = list(ExternalLRS.objects.filter(is_active=True).values_list("pk", flat=True))
    rows, deliveries = [], []
    for data in statements:
        validate_statement(data, V2)  # a bug in a builder fails the change, not the delivery
        row = OutboxStatement(statement_id=data["id"], statement=data)
        rows.append(row)
        deliveries.append(Delivery(statement=row, destination_id=None, next_attempt_at=now))
        deliveries += [
            Delivery(statement=row, destination_id=d, next_attempt_at=now) for d in destinations
        ]
    OutboxStatement.objects.bulk_create(rows)
    Delivery.objects.bulk_create(deliveries)
    transaction.on_commit(_schedule)


def _schedule() -> None:
    from .tasks import deliver

    deliver.delay()


def platform_credential() -> Credential:
    credential = Credential.objects.filter(key=PLATFORM_KEY).first()
    if credential is None:
        credential, _secret = Credential.issue("Malaka platform", ["all"])
        credential.key = PLATFORM_KEY  # no secret is ever handed out for it
        credential.save(update_fields=["key"])
    return credential


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _failed(
    deliveries: list[Delivery], error: str, now: datetime, *, permanent: bool = False
) -> None:
    for delivery in deliveries:
        delivery.attempts += 1
        delivery.last_error = error[:2000]
        if permanent or delivery.attempts >= Delivery.MAX_ATTEMPTS:
            delivery.status = Delivery.Status.DEAD
        delivery.next_attempt_at = now + _backoff(delivery.attempts)
    Delivery.objects.bulk_update(
        deliveries, ["attempts", "last_error", "status", "next_attempt_at"]
    )


def _delivered(deliveries: list[Delivery]) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        status=Delivery.Status.DELIVERED, delivered_at=timezone.now(), last_error=""
    )


LEASE = timedelta(minutes=5)


def deliver_due(batch: int = 200, now: datetime | None = None) -> dict[str, int]:
    """Deliver what is due; returns counts by outcome.

    Deliveries are claimed in a short transaction (their next attempt moved a lease ahead),
    then sent with no transaction open: no lock is held across HTTP. A worker killed mid-way
    leaves its claims to expire and be retried; since the receiving store knows statements by
    id, a repeated delivery is recognised, not duplicated."""
    now = now or timezone.now()
    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .select_related("statement", "destination")
            .order_by("next_attempt_at", "pk")[:batch]
        )
        Delivery.objects.filter(pk__in=[d.pk for d in due]).update(next_attempt_at=now + LEASE)
    by_destination: dict[ExternalLRS | None, list[Delivery]] = defaultdict(list)
    for delivery in due:
        by_destination[delivery.destination].append(delivery)
    for destination, deliveries in by_destination.items():
        if destination is None:
            _to_local_store(deliveries, counts, now)
        else:
            _to_external(destination, deliveries, counts, now)
    return dict(counts)


def _to_local_store(deliveries: list[Delivery], counts, now: datetime) -> None:
    statements = [d.statement.statement for d in deliveries]
    try:
        with transaction.atomic():
            store.save_statements(statements, platform_credential(), V2)
        _delivered(deliveries)
        counts["delivered"] += len(deliveries)
    except store.XAPIError:
        for delivery in deliveries:  # find the one the store refuses; deliver the others
            try:
                with transaction.atomic():
                    store.save_statements([delivery.statement.statement], platform_credential(), V2)
                _delivered([delivery])
                counts["delivered"] += 1
            except store.XAPIError as error:
                _failed([delivery], error.message, now, permanent=True)
                counts["dead"] += 1


# -- external LRSs -------------------------------------------------------------------------------


def _fernet() -> Fernet:
    key = hashlib.sha256(f"lms.tracking.ExternalLRS:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    """External LRS secrets are kept encrypted (they must be sent, so they cannot be hashed)."""
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""


class HTTPFailure(Exception):
    def __init__(self, status: int | None, message: str):
        super().__init__(message)
        self.status = status


def _send(destination: ExternalLRS, method: str, path: str, body: object) -> int:
    token = base64.b64encode(f"{destination.username}:{unseal(destination.password)}".encode())
    request = urllib.request.Request(  # noqa: S310 (the endpoint is an http(s) URLField)
        destination.endpoint.rstrip("/") + "/" + path,
        data=json.dumps(body).encode("utf-8"),
        method=method,
        headers={
            "Authorization": "Basic " + token.decode(),
            "X-Experience-API-Version": destination.version,
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError) as error:
        raise HTTPFailure(None, f"{destination.endpoint}: {error}") from error


def _to_external(
    destination: ExternalLRS, deliveries: list[Delivery], counts, now: datetime
) -> None:
    statements = [d.statement.statement for d in deliveries]
    try:
        status = _send(destination, "POST", "statements", statements)
        if status in (200, 204):
            _delivered(deliveries)
            counts["delivered"] += len(deliveries)
            return
        if status != 409:
            _failed(deliveries, f"HTTP {status}", now, permanent=status == 400)
            counts["dead" if status == 400 else "retry"] += len(deliveries)
            return
        # 409: some ids are already there (a delivery repeated after a crash). One by one:
        # PUT answers 204 for a new statement and 409 for an id it already holds.
        for delivery in deliveries:
            data = delivery.statement.statement
            status = _send(destination, "PUT", f"statements?statementId={data['id']}", data)
            if status in (204, 409):
                _delivered([delivery])
                counts["delivered"] += 1
            else:
                _failed([delivery], f"HTTP {status}", now, permanent=status == 400)
                counts["dead" if status == 400 else "retry"] += 1
    except HTTPFailure as error:
        _failed(deliveries, str(error), now)
        counts["retry"] += len(deliveries)


def replay(*, dead_only: bool = True, destination: ExternalLRS | None = None) -> int:
    """Put failed (or, with dead_only=False, also delivered) deliveries back in the queue."""
    deliveries = Delivery.objects.all()
    if destination is not None:
        deliveries = deliveries.filter(destination=destination)
    statuses = (
        [Delivery.Status.DEAD] if dead_only else [Delivery.Status.DEAD, Delivery.Status.DELIVERED]
    )
    return deliveries.filter(status__in=statuses).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
