"""How fast the service is, beside the fastest thing that could give the same answer.

`manage.py benchmark` (see docs/benchmarks.md) measures each case of issue 7 in-process,
through the real URL routing and middleware (`django.test.Client`): median and p95
latency and the number of SQL queries. Beside each, a hand-written *baseline*: raw SQL
through psycopg (on the connection under Django's, so it sees the same transaction) plus
orjson, producing the same payload (same fields, same rows: checked, `verified`), with the
visibility, `as_of` and `valid_at` rules written out in SQL by hand. The ratio
service/baseline of each case is measured in the same run.

For calibration it also measures, for 100 actors with their names and citations with
sources, stock DRF nested `ModelSerializer`s and stock strawberry-django with its
`DjangoOptimizerExtension`, beside a 3-query psycopg + orjson baseline of the same payload.

Baselines need PostgreSQL; on SQLite only the service side runs (the query counts and the
"no case errors" checks of `tests/test_benchmark.py`).
"""

import datetime
import hashlib
import json
import statistics
import subprocess
import sys
import time

import orjson
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import override_settings

from perf.baseline import Raw, dumps
from perf.baseline_export import RawExport
from perf.calibration import calibration
from perf.cases import Case, Subjects, cases
from perf.measure import (
    CaseTimeout,
    Result,
    _rss,
    _timed,
    count_queries,
    first_difference,
    time_limit,
)
from sahel.workers import settle


def baselines_available() -> bool:
    return connection.vendor == "postgresql"


def measure_case(case: Case, client: Client, *, repeat: int, keep_going: bool = False) -> Result:
    """`keep_going`: report an error in the table instead of raising it."""
    try:
        with time_limit(case.limit):
            return _measure_case(case, client, repeat=repeat)
    except CaseTimeout as exc:
        return Result(case.name, note=f"{case.note}; abandoned: {exc}", runs=[float("nan")])
    except Exception as exc:
        if not keep_going:
            raise
        note = f"ERROR {type(exc).__name__}: {str(exc)[:120]}"
        return Result(case.name, note=note, runs=[float("nan")])


def _measure_case(case: Case, client: Client, *, repeat: int) -> Result:
    result = Result(case.name, note=case.note)
    repeat = min(repeat, case.repeat or repeat)
    case.request(client)  # warm caches (content types ...) before counting
    result.queries = count_queries(lambda: case.request(client))
    if case.page_param:
        small = {**case.params, case.page_param: 10 if case.params[case.page_param] > 10 else 1}
        result.queries_small = count_queries(lambda: case.request(client, small))
    result.runs, body = _timed(lambda: case.request(client), repeat, warmup=0)
    if case.baseline is not None and baselines_available():
        raw_as_of = case.params.get("as_of")
        raw_as_of = datetime.datetime.fromisoformat(raw_as_of) if raw_as_of else None

        def baseline():
            raw = Raw(raw_as_of)
            payload = dumps(case.baseline(raw, case.params))
            return raw, payload

        result.base_runs, (raw, payload) = _timed(baseline, repeat)
        result.base_queries = raw.queries
        if case.verify:
            service, base = orjson.loads(body), orjson.loads(payload)
            result.verified = service == base
            if not result.verified:
                result.note = first_difference(service, base)
    return result


def measure_export(
    client: Client, *, limit: int | None = None, rounds: int = 1, isolated: bool = False
) -> Result:
    """The whole export (or its first `limit` lines), streamed through the URL, beside a
    hand-written export of the same lines (`RawExport`): records/s and peak resident memory
    above the start, sampled at every chunk. The two must be the same bytes, every line
    (a hash of all of them). `rounds`: service then baseline, that many times; the best
    rate of each is reported (the machine is shared), the highest peak.

    `isolated`: each export in a fresh Python process (`python -c`, same settings and
    database), so that neither reuses memory the other freed (an allocator keeps freed
    memory: in one process the second export's peak reads lower). It cannot see data
    left uncommitted by a test."""
    result = Result("JSON Lines export (all resources)")
    sides = ["service", "baseline"] if baselines_available() else ["service"]
    runs: dict = {side: [] for side in sides}
    for _ in range(rounds):
        for side in sides:
            if isolated:
                runs[side].append(_export_in_child(side, limit))
            else:
                runs[side].append(export_once(side, limit, client))
    service = max(runs["service"], key=lambda run: run["per_second"])
    result.runs = [service["seconds"]]
    result.extra = {
        "records": service["lines"],
        "per_second": service["per_second"],
        "peak_mb": max(run["peak_mb"] for run in runs["service"]),
    }
    if "baseline" not in runs:
        return result
    base = max(runs["baseline"], key=lambda run: run["per_second"])
    lines = service["lines"]
    result.base_runs = [lines / base["per_second"]]  # the same number of records
    result.base_queries = base["queries"]
    result.extra.update(
        base_per_second=base["per_second"],
        base_peak_mb=max(run["peak_mb"] for run in runs["baseline"]),
    )
    digests = {(run["lines"], run["digest"]) for side in sides for run in runs[side]}
    result.verified = len(digests) == 1
    if not result.verified:
        result.note = f"the lines differ: {sorted(digests)}"
    return result


def export_once(side: str, limit: int | None = None, client: Client | None = None) -> dict:
    """One export, `service` (GET /api/v1/export/) or `baseline` (`RawExport`), timed:
    lines, seconds, records/s, sha256 of every line, peak RSS above the start (MB, sampled
    at every chunk of lines) and, for the baseline, its queries."""
    start_rss = peak = _rss()
    began = time.perf_counter()
    raw = None
    if side == "service":
        response = (client or Client()).get("/api/v1/export/")
        stream = response.streaming_content
    else:
        raw = RawExport()
        stream = raw.lines(limit=limit)
    lines, digest = 0, hashlib.sha256()
    for chunk in stream:  # whole lines
        if side == "service" and (closing := chunk.rfind(b'{"resource":"end"')) >= 0:
            chunk = chunk[:closing]  # the closing line: the baseline has none to compare
        count = chunk.count(b"\n")
        if limit and lines + count >= limit:  # the first `limit` lines only
            chunk = b"".join(chunk.splitlines(keepends=True)[: limit - lines])
            count = limit - lines
        lines += count
        digest.update(chunk)
        peak = max(peak, _rss())
        if limit and lines >= limit:
            break
    if side == "service":
        # Closed as a server closes it (ending the export's transaction if it stopped
        # early), without the end-of-request signal that would close the connection, as
        # Client does.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    seconds = time.perf_counter() - began
    return {
        "lines": lines,
        "seconds": seconds,
        "per_second": lines / seconds,
        "digest": digest.hexdigest(),
        "peak_mb": (peak - start_rss) / 2**20,
        "queries": raw.queries if raw else None,
    }


_CHILD = """
import json, sys
import django
django.setup()
from django.test.utils import override_settings
from perf import runner
with override_settings(DEBUG=False):
    runner.export_once("service", 1)  # imports, URL resolver, content types
    print(json.dumps(runner.export_once(sys.argv[1], int(sys.argv[2]) or None)))
"""


def _export_in_child(side: str, limit: int | None) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, side, str(limit or 0)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(
    *,
    repeat: int = 20,
    export: bool = True,
    export_limit: int | None = None,
    export_rounds: int = 2,
    only: str | None = None,
    log=None,
):
    log = log or (lambda message: None)
    client = Client()
    subjects = Subjects.pick()
    log(f"subjects: {subjects}")
    settle()  # as a server worker does once loaded (sahel/wsgi.py)
    results = []
    with override_settings(DEBUG=False):
        for case in cases(subjects):
            if only and only.lower() not in case.name.lower():
                continue
            log(f"measuring {case.name}")
            results.append(measure_case(case, client, repeat=repeat, keep_going=True))
            log(table(results[-1:]).splitlines()[-1])  # as it comes: a long run may be cut
        if baselines_available() and not only:
            log("measuring calibration")
            results += calibration(repeat)
            log("\n".join(table(results[-2:]).splitlines()[-2:]))
        if export:
            log("measuring export")
            results.append(
                measure_export(client, limit=export_limit, rounds=export_rounds, isolated=True)
            )
    return results


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(results: list[Result]) -> str:
    lines = [
        "| case | median ms | p95 ms | queries (page 10 / 100) | baseline median ms "
        "| baseline queries | ratio | same payload |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in results:
        queries = str(r.queries)
        if r.queries_small is not None:
            queries = f"{r.queries_small} / {r.queries}"
        base = _ms(statistics.median(r.base_runs)) if r.base_runs else "—"
        ratio = f"{r.ratio:.1f}×" if r.ratio else "—"
        same = {True: "yes", False: "**NO**", None: "—"}[r.verified]
        name = r.name + (f" ({r.note})" if r.note else "")
        if r.extra:
            e = r.extra
            name += (
                f": {e['records']} records, {e['per_second']:,.0f}/s, peak +{e['peak_mb']:.0f} MB"
            )
            if "base_per_second" in e:
                name += (
                    f"; baseline {e['base_per_second']:,.0f}/s, peak +{e['base_peak_mb']:.0f} MB"
                )
            lines.append(
                f"| {name} | {_ms(r.median)} (whole) | — | — | {base} | {r.base_queries or '—'} "
                f"| {ratio} | {same} (every line) |"
            )
            continue
        lines.append(
            f"| {name} | {_ms(r.median)} | {_ms(r.p95)} | {queries} | {base} "
            f"| {r.base_queries if r.base_queries is not None else '—'} | {ratio} | {same} |"
        )
    return "\n".join(lines)


def database_summary() -> str:
    from sahel.core.models import tracked_models

    live = sum(m.objects.count() for m in tracked_models())
    history = sum(m.history.count() for m in tracked_models())
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"{live:,} live rows, {history:,} history rows ({engine})"
