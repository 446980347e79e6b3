"""What the in-process page benchmarks share (learning_pages.py, assessment_pages.py): a
PostgreSQL database of their own, timing a request N times within a budget, counting its
queries, and the printed table with ratios to the baseline (the first row measured)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import psycopg

SERVER = "postgres://postgres@127.0.0.1:5432"
BUDGET = 20.0  # seconds per measurement at most


def recreate_database(db: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db}")


def drop_database(db: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def timed(send: Callable, n: int) -> tuple[list[float], int, int]:
    """Response times in ms (N requests, or BUDGET seconds; at least 3), the status and the
    body size (a streamed body is read to its end inside the timing)."""
    timings: list[float] = []
    status = size = 0
    stop = time.perf_counter() + BUDGET
    while len(timings) < n and (len(timings) < 3 or time.perf_counter() < stop):
        started = time.perf_counter()
        response = send()
        body = _body(response)
        timings.append((time.perf_counter() - started) * 1000)
        status, size = response.status_code, len(body)
    return timings, status, size


def queries(send: Callable) -> tuple[int, float, float, str]:
    """Number of queries of one request, their total and largest time (ms), the slowest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _body(send())
    captured = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
    slowest = max(captured, default=(0.0, ""))
    return len(captured), sum(t for t, _ in captured), slowest[0], slowest[1]


class Table:
    """Prints one row per measurement: p50/p95, the ratio to the first row, the queries of
    one more request and the body size."""

    def __init__(self, heading: str, width: int, requests: int):
        self.width = width
        self.requests = requests
        self.base: float | None = None
        self.slow: list[tuple[str, float, str]] = []
        print(
            f"\n{heading:<{width}} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6} "
            f"{'queries':>7} {'SQL ms':>7} {'slowest':>7} {'KB':>7}"
        )

    def measure(self, label: str, send: Callable, expect: int = 200) -> tuple[float, int]:
        """Warm up once, time, count the queries; returns p50 (ms) and the query count."""
        warm = send()
        assert warm.status_code == expect, (label, warm.status_code, warm.content[:500])
        timings, status, size = timed(send, self.requests)
        assert status == expect, (label, status)
        count, sql_ms, slowest_ms, slowest_sql = queries(send)
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        self.base = self.base or p50
        print(
            f"{label:<{self.width}} {len(timings):>3} {p50:>8.1f} {p95:>8.1f} "
            f"{p50 / self.base:>6.2f} {count:>7} {sql_ms:>7.1f} {slowest_ms:>7.1f} "
            f"{size / 1024:>7.1f}"
        )
        self.slow.append((label, slowest_ms, slowest_sql))
        return p50, count

    def footer(self, started: float) -> None:
        print(
            f"\n(p50/p95 over n requests in-process via django.test.Client; ratio = p50 / baseline"
            f" p50; queries, SQL ms and slowest from one more request under"
            f" CaptureQueriesContext; total {time.perf_counter() - started:.0f} s)"
        )

    def slowest_query(self) -> None:
        label, ms, sql = max(self.slow, key=lambda s: s[1])
        print(
            f"slowest query ({label}, {ms:.1f} ms): SELECT … {sql[sql.find(' FROM ') + 1 :][:400]}"
        )
