"""The outbox: statements commit with the change they describe, reach the platform's store,
and are forwarded to external LRSs exactly once, through outages and crashes."""

import json
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from lms.tracking import services
from lms.tracking.models import Delivery, ExternalLRS, OutboxStatement
from lms.tracking.profile import ACTIVITY_TYPES, profile_document
from lms.xapi.models import Credential, Statement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
LESSON = "https://malaka.test/uz/cm/cm-101/intake/first-contact/"


def lesson_statement(user, verb="experienced"):
    target = services.activity(LESSON, "lesson", {"uz": "Birinchi aloqa", "en": "First contact"})
    return services.statement(user, verb, target, course_code="CM-101", locale="uz")


def test_statements_are_pseudonymous_and_follow_the_profile():
    user = UserFactory(email="dilnoza@example.uz", first_name="Dilnoza")
    data = lesson_statement(user)
    assert data["actor"]["account"]["name"] == services.pseudonym(user)
    text = json.dumps(data)
    assert "dilnoza" not in text.lower() and user.username not in text
    assert data["object"]["definition"]["type"] == ACTIVITY_TYPES["lesson"]
    assert services.pseudonym(user) == services.pseudonym(user)  # stable
    ids = {c["id"] for c in profile_document()["concepts"]}
    assert data["verb"]["id"] in ids


def test_the_profile_document_in_docs_is_current():
    from pathlib import Path

    shipped = json.loads((Path(__file__).parents[2] / "docs" / "xapi-profile.jsonld").read_text())
    assert shipped == profile_document()


def test_statements_roll_back_with_the_change():
    user = UserFactory()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.record(lesson_statement(user))
            raise RuntimeError("the enrolment failed")
    assert not OutboxStatement.objects.exists()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.record(lesson_statement(user))


def test_committed_statements_reach_the_platform_store_once():
    user = UserFactory()
    with transaction.atomic():
        services.record(lesson_statement(user), lesson_statement(user, "completed"))
    # Tasks run eagerly in tests: the commit delivered them.
    assert Statement.objects.count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.DELIVERED}
    assert services.deliver_due() == {}
    services.replay(dead_only=False)
    services.deliver_due()
    assert Statement.objects.count() == 2  # a repeated delivery duplicates nothing


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def no_worker(monkeypatch):
    """No worker picks the outbox up on commit: the test drives delivery itself."""
    monkeypatch.setattr(services, "_schedule", lambda: None)


def test_an_external_lrs_that_is_down_gets_everything_exactly_once_after_recovery(
    live_server, no_worker
):
    credential, secret = Credential.issue("partner", ["all"])
    down = ExternalLRS.objects.create(
        name="partner",
        endpoint=f"http://127.0.0.1:{_free_port()}/xapi/",
        username=credential.key,
        password=services.seal(secret),
    )
    user = UserFactory()
    sent = [lesson_statement(user) for _ in range(5)]
    with transaction.atomic():
        services.record(*sent)

    # The local store gets them; the partner is down: retried with backoff.
    counts = services.deliver_due()
    assert counts == {"delivered": 5, "retry": 5}
    waiting = Delivery.objects.get(destination=down, statement_id=sent[0]["id"])
    assert waiting.attempts == 1 and waiting.next_attempt_at > timezone.now()
    assert "Connection refused" in waiting.last_error or waiting.last_error

    # The partner comes back (same LRS as ours here, over real HTTP): with the clock moved on,
    # every statement is delivered.
    down.endpoint = f"{live_server.url}/xapi/"
    down.save()
    later = timezone.now() + timedelta(minutes=5)
    assert services.deliver_due(now=later) == {"delivered": 5}
    # The partner is this test's own LRS, so it holds each statement once (not twice).
    assert Statement.objects.filter(statement_id__in=[s["id"] for s in sent]).count() == 5


def test_a_crash_after_sending_repeats_the_delivery_without_duplicates(
    live_server, no_worker, monkeypatch
):
    # A second LRS database is not available here, so the "external" LRS is the platform's
    # own, reached over HTTP; its answer to a repeated id is what is being tested.
    credential, secret = Credential.issue("partner", ["all"])
    partner = ExternalLRS.objects.create(
        name="partner", endpoint=f"{live_server.url}/xapi/", username=credential.key,
        password=services.seal(secret),
    )  # fmt: skip
    user = UserFactory()
    sent = [lesson_statement(user) for _ in range(3)]
    with transaction.atomic():
        services.record(*sent)
    # Local delivery first, alone.
    Delivery.objects.filter(destination=partner).update(
        next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    services.deliver_due()

    real_delivered = services._delivered

    def crash(deliveries):
        raise SystemExit("worker killed after the partner stored the statements")

    monkeypatch.setattr(services, "_delivered", crash)
    with pytest.raises(SystemExit):
        services.deliver_due(now=timezone.now() + timedelta(hours=2))
    assert Delivery.objects.filter(destination=partner, status=Delivery.Status.PENDING).count() == 3

    # The dead worker's claim runs out after the lease; then the next run delivers again.
    monkeypatch.setattr(services, "_delivered", real_delivered)
    assert services.deliver_due(now=timezone.now() + timedelta(hours=2)) == {}
    after_lease = timezone.now() + timedelta(hours=2) + services.LEASE
    assert services.deliver_due(now=after_lease) == {"delivered": 3}
    assert Statement.objects.filter(statement_id__in=[s["id"] for s in sent]).count() == 3


def test_after_too_many_failures_a_delivery_is_dead_until_replayed(no_worker):
    partner = ExternalLRS.objects.create(
        name="gone", endpoint=f"http://127.0.0.1:{_free_port()}/xapi/", username="k",
        password=services.seal("s"),
    )  # fmt: skip
    with transaction.atomic():
        services.record(lesson_statement(UserFactory()))
    moment = timezone.now()
    for _ in range(Delivery.MAX_ATTEMPTS):
        moment += timedelta(hours=2)
        services.deliver_due(now=moment)
    delivery = Delivery.objects.get(destination=partner)
    assert delivery.status == Delivery.Status.DEAD
    assert delivery.attempts == Delivery.MAX_ATTEMPTS

    call_command("replay_outbox", "--destination", "gone")
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 0


def test_external_secrets_are_stored_encrypted():
    sealed = services.seal("partner-secret")
    assert "partner-secret" not in sealed
    assert services.unseal(sealed) == "partner-secret"


def _database_url() -> str:
    """The test database, for another process to open."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{port}/{db['NAME']}"


class _Partner:
    """An external LRS in front of the live test server's LRS. While `hang` is set it passes
    each request on (so the statements are stored) and then never answers: the worker that
    sent them is killed while it waits."""

    def __init__(self, upstream: str):
        import http.server
        import threading
        import urllib.request

        partner = self
        self.upstream = upstream.rstrip("/")
        self.hang = threading.Event()
        self.forwarded = threading.Event()
        self.answers: list[int] = []  # what the LRS behind it answered, request by request

        class Handler(http.server.BaseHTTPRequestHandler):
            def _relay(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() in ("authorization", "content-type", "x-experience-api-version")
                }
                request = urllib.request.Request(  # noqa: S310 - loopback
                    partner.upstream + self.path, data=body, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                        status, payload = answer.status, answer.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                partner.answers.append(status)
                if partner.hang.is_set():
                    partner.forwarded.set()
                    threading.Event().wait(60)  # never answers in time
                    return
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PUT = _relay

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_a_worker_process_killed_mid_delivery_loses_and_duplicates_nothing(live_server, no_worker):
    """A real process runs the delivery task and is killed with SIGKILL after the partner
    stored the batch but before it answered. After the lease, the next run delivers again:
    every statement is delivered, and stored once."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    partner = _Partner(live_server.url)
    credential, secret = Credential.issue("partner", ["all"])
    destination = ExternalLRS.objects.create(
        name="partner", endpoint=partner.url, username=credential.key,
        password=services.seal(secret),
    )  # fmt: skip
    user = UserFactory()
    sent = [lesson_statement(user) for _ in range(4)]
    with transaction.atomic():
        services.record(*sent)
    # Follow the partner alone: the platform's own deliveries are taken out, so the partner's
    # LRS (the live server's) is the only way into the Statement table.
    Delivery.objects.filter(destination=None).delete()
    assert not Statement.objects.exists()

    partner.hang.set()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": _database_url(),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from lms.tracking.tasks import deliver; deliver.apply()",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert partner.forwarded.wait(60), "the worker never reached the partner"
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
    partner.hang.clear()

    # Killed mid-delivery: the partner stored them (its LRS answered 200), the outbox still
    # says pending (claimed).
    assert partner.answers == [200]
    pending = Delivery.objects.filter(destination=destination, status=Delivery.Status.PENDING)
    assert pending.count() == 4
    assert Statement.objects.filter(statement_id__in=[s["id"] for s in sent]).count() == 4
    # Within the lease nobody sends them again; after it, the next run does, and the partner
    # recognises every id: delivered, nothing stored twice, nothing lost.
    assert services.deliver_due() == {}
    after_lease = timezone.now() + services.LEASE + timedelta(seconds=1)
    assert services.deliver_due(now=after_lease) == {"delivered": 4}, list(
        pending.values_list("last_error", flat=True)
    )
    assert not pending.exists()
    assert Statement.objects.filter(statement_id__in=[s["id"] for s in sent]).count() == 4
    assert partner.answers[0] == 200 and len(partner.answers) >= 2
    partner.close()
