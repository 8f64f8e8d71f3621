"""Measuring one case: timed runs (median, p95) under a time limit, SQL queries counted
without transaction control, payloads compared."""

import contextlib
import os
import signal
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    name: str
    runs: list[float] = field(default_factory=list)
    queries: int | None = None
    queries_small: int | None = None  # at a page of 10, when the case has pages
    base_runs: list[float] = field(default_factory=list)
    base_queries: int | None = None
    verified: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        return _p95(self.runs)

    @property
    def ratio(self) -> float | None:
        return self.median / statistics.median(self.base_runs) if self.base_runs else None


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(
    run: Callable[[], object], repeat: int, warmup: int = 1, budget: float = 20.0
) -> tuple[list[float], object]:
    """Up to `repeat` timed runs; at least 3 (or `repeat`), then stop once `budget`
    seconds are spent: a case that takes seconds a run gets fewer runs."""
    out = None
    for _ in range(warmup):
        out = run()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - began)
        if len(times) >= min(3, repeat) and sum(times) > budget:
            break
    return times, out


class CaseTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int | None):
    """Abandon a case after `seconds` (wall clock; the connection is then closed, and
    PostgreSQL's statement_timeout ends the query it was running)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CaseTimeout(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = '{seconds}s'")
        yield
    except CaseTimeout:
        connection.close()
        raise
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")


# A public read runs in a read-only transaction of its own (`views.read_snapshot`): its
# BEGIN, SET TRANSACTION and COMMIT are not queries of the read path (and a baseline would
# need them too to read one snapshot); counted apart from the SQL queries.
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SET TRANSACTION", "SAVEPOINT", "RELEASE")


def count_queries(run: Callable[[], object]) -> int:
    """SQL queries `run` sends, transaction control statements not counted."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return sum(
        not query["sql"].lstrip().upper().startswith(_TRANSACTION_CONTROL)
        for query in captured.captured_queries
    )


def first_difference(a, b, path: str = "") -> str:
    """Where two payloads first differ (for the report of a failed verification)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=lambda k: (k != "id", str(k))):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
        if len(a) != len(b):
            return f"{path}: {len(a)} items, baseline {len(b)}"
    return f"{path}: {str(a)[:200]} != baseline {str(b)[:200]}"


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
