#!/usr/bin/env python
"""The Learning Record Store under load, on PostgreSQL, against a ceiling measured in the same run.

1. ceiling: a plain bulk insert (COPY) of the same statement rows into a PostgreSQL table with
   no index rows and no HTTP: what the database alone can take.
2. single: POST /xapi/statements, one statement per request, CLIENTS concurrent keep-alive
   connections, for SECONDS.
3. batched: the same with BATCH statements per request.
4. query: the store is filled to TOTAL statements (loaded with COPY into the LRS's own tables,
   index rows included), then GET /xapi/statements?agent=…&verb=…&since=… for random learners,
   QUERIES requests, p50 and p95.

The LRS runs under gunicorn (production settings) on 127.0.0.1; the load comes from this
process over loopback. Bounded in count and time by the options. It drops and recreates the
database `malaka_bench` on the PostgreSQL server of DATABASE_URL (default: local, trust auth).

    .venv/bin/python bench/lrs_throughput.py [--total 1000000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
SERVER = "postgres://postgres@127.0.0.1:5432"
DB = "malaka_bench"
PORT = 8799
VERBS = [
    "http://adlnet.gov/expapi/verbs/experienced",
    "http://adlnet.gov/expapi/verbs/completed",
    "http://adlnet.gov/expapi/verbs/passed",
    "http://adlnet.gov/expapi/verbs/failed",
    "http://adlnet.gov/expapi/verbs/attempted",
    "http://adlnet.gov/expapi/verbs/registered",
    "https://w3id.org/xapi/adl/verbs/logged-in",
    "http://adlnet.gov/expapi/verbs/progressed",
]
HOME = "https://malaka.example"
LEARNERS = 25_000
ACTIVITIES = 2_000


def statement(rng: random.Random, when: datetime | None = None) -> dict:
    data = {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": HOME, "name": f"u{rng.randrange(LEARNERS)}"},
        },
        "verb": {"id": rng.choice(VERBS), "display": {"en": "did"}},
        "object": {
            "objectType": "Activity",
            "id": f"{HOME}/courses/cm-101/lesson-{rng.randrange(ACTIVITIES)}",
        },
        "context": {
            "registration": str(uuid.uuid4()),
            "contextActivities": {"parent": [{"id": f"{HOME}/courses/cm-101"}]},
            "extensions": {"https://malaka.example/xapi/ext/org-unit": "TAS-C-CHI"},
        },
        "result": {"completion": True, "duration": "PT4M12S"},
    }
    if when is not None:
        data["timestamp"] = when.isoformat()
    return data


def env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "DATABASE_URL": f"{SERVER}/{DB}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
    }


def recreate_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)


def credential() -> str:
    out = subprocess.run(
        [PY, "manage.py", "create_lrs_credential", "bench", "--scopes", "all", "--json"],
        cwd=ROOT, env=env(), check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    keys = json.loads(out)
    return "Basic " + base64.b64encode(f"{keys['key']}:{keys['secret']}".encode()).decode()


def start_server(workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "lms.wsgi", "-b", f"127.0.0.1:{PORT}",
         "-w", str(workers), "--access-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/xapi/about")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start: " + server.stderr.read().decode())


def load(auth: str, clients: int, seconds: float, batch: int) -> tuple[float, int]:
    """statements/s over `seconds`, `clients` keep-alive connections."""
    headers = {
        "Authorization": auth,
        "X-Experience-API-Version": "2.0.0",
        "Content-Type": "application/json",
    }
    stop = time.perf_counter() + seconds
    counts = [0] * clients
    errors: list[str] = []

    def client(index: int) -> None:
        rng = random.Random(index)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while time.perf_counter() < stop:
            body = [statement(rng) for _ in range(batch)] if batch > 1 else statement(rng)
            conn.request("POST", "/xapi/statements", json.dumps(body), headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status}")
                return
            counts[index] += batch

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"load failed with HTTP {errors[0]}")
    return sum(counts) / elapsed, sum(counts)


def rows(total: int, start_seq: int, rng: random.Random, since: datetime):
    """Rows for the LRS tables, as the store writes them (index rows included)."""
    span = (datetime.now(UTC) - since).total_seconds()
    for n in range(total):
        seq = start_seq + n
        stored = since + timedelta(seconds=span * n / total)
        data = statement(rng, stored)
        data["stored"] = stored.isoformat()
        actor = f"account:{HOME}|{data['actor']['account']['name']}"
        yield seq, data, actor, stored


def copy_statements(conn, total: int, start_seq: int, seed: int, since: datetime) -> float:
    rng = random.Random(seed)
    started = time.perf_counter()
    with conn.cursor() as cur:
        statements = io.StringIO()
        agents = io.StringIO()
        activities = io.StringIO()
        for seq, data, actor, stored in rows(total, start_seq, rng, since):
            payload = json.dumps(data).replace("\\", "\\\\")
            statements.write(
                f"{seq}\t{data['id']}\t{payload}\t{data['verb']['id']}\t"
                f"{data['context']['registration']}\t{stored.isoformat()}\t{stored.isoformat()}\t"
                f"f\t\\N\t\\N\t{actor}\t\\N\n"
            )
            agents.write(f"{seq}\t{actor}\tt\n")
            activities.write(f"{seq}\t{data['object']['id']}\tt\n{seq}\t{HOME}/courses/cm-101\tf\n")
        for table, columns, buffer in (
            ("xapi_statement", "seq, statement_id, data, verb_id, registration, stored, timestamp, "
             "voided, voids, refs, actor_key, credential_id", statements),
            ("xapi_statementagent", "statement_id, key, direct", agents),
            ("xapi_statementactivity", "statement_id, activity_id, direct", activities),
        ):  # fmt: skip
            buffer.seek(0)
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
    conn.commit()
    return time.perf_counter() - started


def ceiling(conn, count: int) -> float:
    """statements/s for a plain COPY of the same statement rows into an unindexed table."""
    conn.execute("CREATE TABLE bench_plain (statement_id uuid PRIMARY KEY, data jsonb NOT NULL)")
    rng = random.Random(7)
    buffer = io.StringIO()
    for _ in range(count):
        data = statement(rng)
        buffer.write(f"{data['id']}\t{json.dumps(data).replace(chr(92), chr(92) * 2)}\n")
    buffer.seek(0)
    started = time.perf_counter()
    with conn.cursor() as cur, cur.copy("COPY bench_plain (statement_id, data) FROM STDIN") as copy:
        copy.write(buffer.read())
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.execute("DROP TABLE bench_plain")
    conn.commit()
    return count / elapsed


def query(auth: str, count: int, since: datetime) -> tuple[float, float, int]:
    rng = random.Random(11)
    headers = {"Authorization": auth, "X-Experience-API-Version": "2.0.0"}
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    timings, found = [], 0
    for _ in range(count):
        agent = {"account": {"homePage": HOME, "name": f"u{rng.randrange(LEARNERS)}"}}
        when = since + timedelta(days=rng.randrange(300))
        params = urlencode(
            {"agent": json.dumps(agent), "verb": rng.choice(VERBS), "since": when.isoformat()}
        )
        started = time.perf_counter()
        conn.request("GET", f"/xapi/statements?{params}", headers=headers)
        response = conn.getresponse()
        body = response.read()
        timings.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"query failed with HTTP {response.status}: {body[:200]!r}")
        found += len(json.loads(body)["statements"])
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--total", type=int, default=1_000_000, help="statements stored for the query test"
    )
    parser.add_argument("--seconds", type=float, default=10, help="duration of each load phase")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load not counted")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    args = parser.parse_args()

    recreate_database()
    auth = credential()
    with psycopg.connect(f"{SERVER}/{DB}") as conn:
        top = ceiling(conn, 100_000)
        conn.commit()
        conn.autocommit = True
        conn.execute("CHECKPOINT")  # the ceiling's writes are not flushed during the load phases
    print(f"ceiling: COPY into a plain table           {top:10,.0f} statements/s")

    server = start_server(args.workers)
    try:
        # Every worker imports and connects before the clock starts (not counted).
        load(auth, args.clients, args.warmup, 1)
        single, n1 = load(auth, args.clients, args.seconds, 1)
        print(f"single:  POST 1/request, {args.clients} clients       {single:10,.0f} statements/s"
              f"  ({single / top:.1%} of ceiling, {n1:,} stored)")  # fmt: skip
        batched, n2 = load(auth, args.clients, args.seconds, args.batch)
        print(f"batched: POST {args.batch}/request, {args.clients} clients     {batched:10,.0f}"
              f" statements/s  ({batched / top:.1%} of ceiling, {n2:,} stored)")  # fmt: skip

        since = datetime.now(UTC) - timedelta(days=365)
        with psycopg.connect(f"{SERVER}/{DB}") as conn:
            start = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM xapi_statement").fetchone()[
                0
            ]
            missing = max(args.total - start + 1, 0)
            took = copy_statements(conn, missing, start, 3, since)
            conn.execute(
                "SELECT setval(pg_get_serial_sequence('xapi_statement', 'seq'), "
                "(SELECT MAX(seq) FROM xapi_statement))"
            )
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
            stored = conn.execute("SELECT COUNT(*) FROM xapi_statement").fetchone()[0]
        print(f"filled:  {stored:,} statements ({missing:,} loaded by COPY in {took:.0f} s)")
        p50, p95, found = query(auth, args.queries, since)
        print(f"query:   agent+verb+since, {args.queries} requests     p50 {p50:6.1f} ms"
              f"   p95 {p95:6.1f} ms  ({found / args.queries:.1f} statements/answer)")  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
