"""A soak and fault run: readers hammer a served app with a realistic read mix while an
editor writes canary drafts (perf/editor.py); optionally the database restarts and a
worker is killed mid-run. Bounded by duration and concurrency; loopback only.

Each reader is a thread in a closed loop (a new connection per request, as many clients
do). Every response is checked: a success, or during a fault what a client may be told
then (a JSON 503 with `Retry-After` while the database is down, a dropped connection
while a worker dies), and never a canary's secret token (a leak of a draft). The report:
requests, rps, p50/p95/p99 of the successes outside faults, statuses, 5xx and connection
errors outside and inside fault windows, failures after the database came back, leaks,
and the editor's own report (ticks, errors, whether every tick was whole or absent).
"""

import http.client
import json
import random
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from perf.editor import CANARY_PREFIX
from perf.serving import ROOT

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SUCCESS = {200, 304}
KILL_GRACE = (
    1.5  # seconds after a worker kill in which its dropped connections count as the fault's
)


@dataclass
class Sample:
    name: str
    path: str
    started: float
    ended: float
    status: int | None = None
    error: str | None = None
    json_error: bool = False
    retry_after: bool = False
    leak: bool = False
    page: bool = False  # a page for people (HTML errors are right there)


@dataclass
class Window:
    kind: str  # "outage" or "worker-kill"
    start: float
    end: float | None = None

    def overlaps(self, sample: Sample) -> bool:
        end = self.end if self.end is not None else float("inf")
        return sample.started <= end and sample.ended >= self.start


@dataclass
class Operation:
    name: str
    weight: int
    method: str
    path: str | object  # a path, or a callable(rng) -> path
    body: object = None  # bytes, or a callable(rng) -> bytes
    accept: str = "application/json"
    follows_feed: bool = False  # resumes from the feed's latest cursor, as a syncing client

    @property
    def page(self) -> bool:
        return self.accept == "text/html"


def check_loopback(base: str) -> None:
    host = urllib.parse.urlsplit(base).hostname
    if host not in LOOPBACK and f"[{host}]" not in LOOPBACK:
        raise ValueError(f"{base}: the soak only talks to the loopback (127.0.0.1, localhost).")


def fetch(base: str, method: str, path: str, body=None, accept="application/json", timeout=30):
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _graphql(query: str) -> bytes:
    return json.dumps({"query": query}).encode()


def feed_end(base: str) -> str:
    """The change feed's cursor at its end, as a client that keeps in sync holds it (the
    first page of the feed is the whole dataset's load)."""
    cursor = None
    for _page in range(50):
        query = "limit=1000" + (f"&since={urllib.parse.quote(cursor)}" if cursor else "")
        status, _, data = fetch(base, "GET", f"/api/v1/changes/?{query}", timeout=600)
        if status != 200:
            raise RuntimeError(f"the change feed answered {status}: {data[:300]!r}")
        page = json.loads(data)
        cursor = page["cursor"]
        if page["next"] is None:
            break
    return urllib.parse.quote(cursor)


def read_mix(base: str, *, public: str | None, pages: bool, as_of: str) -> list[Operation]:
    """What the public reads, weighted: lists, details, search, ties at a date, the feed,
    `as_of`, GeoJSON, a small export, GraphQL, and (with `pages`) explorer pages."""
    status, _, data = fetch(base, "GET", "/api/v1/actors/?page_size=200")
    actors = json.loads(data)["results"] if status == 200 else []
    slugs = [actor["slug"] for actor in actors if not actor["slug"].startswith("soak-")]
    words = sorted({actor["name"].split()[0] for actor in actors if actor["name"]}) or ["a"]
    slugs = slugs or [f"soak-pulse-{public}"] if public else slugs

    def slug(rng):
        return rng.choice(slugs)

    operations = [
        Operation("actors", 10, "GET", "/api/v1/actors/?page_size=50"),
        Operation(
            "search",
            8,
            "GET",
            lambda r: f"/api/v1/actors/?search={urllib.parse.quote(r.choice(words))}",
        ),
        Operation(
            "search-canary", 4, "GET", f"/api/v1/actors/?search={CANARY_PREFIX.replace(' ', '+')}"
        ),
        Operation("events", 5, "GET", "/api/v1/events/?page_size=50"),
        Operation("feed", 4, "GET", "/api/v1/changes/?limit=100", follows_feed=True),
        Operation("as-of", 4, "GET", f"/api/v1/affiliations/?as_of={as_of}&page_size=50"),
        Operation(
            "places-geojson",
            2,
            "GET",
            "/api/v1/places/?format=geojson",
            accept="application/geo+json",
        ),
        Operation("export-places", 1, "GET", "/api/v1/export/?resource=places"),
        Operation(
            "graphql-nested",
            6,
            "POST",
            "/graphql/",
            _graphql(
                "{ actors(first: 20) { totalCount nodes { slug name names { name } "
                "affiliationsAsSubject { type { label } object { slug } "
                "citations { quote source { title } } } } } }"
            ),
        ),
        Operation(
            "graphql-search-canary",
            3,
            "POST",
            "/graphql/",
            _graphql(
                f'{{ search(text: "{CANARY_PREFIX}") {{ nodes {{ slug names {{ name }} }} }} }}'
            ),
        ),
    ]
    if slugs:
        operations += [
            Operation("actor", 8, "GET", lambda r: f"/api/v1/actors/{slug(r)}/"),
            Operation("history", 3, "GET", lambda r: f"/api/v1/actors/{slug(r)}/history/"),
            Operation(
                "ties-valid-at",
                5,
                "GET",
                lambda r: f"/api/v1/affiliations/?actor={slug(r)}&valid_at=2018",
            ),
        ]
    if public:
        pulse = f"soak-pulse-{public}"
        operations += [
            Operation("pulse", 5, "GET", f"/api/v1/actors/{pulse}/"),
            Operation("pulse-history", 2, "GET", f"/api/v1/actors/{pulse}/history/"),
            Operation(
                "graphql-pulse",
                3,
                "POST",
                "/graphql/",
                _graphql(f'{{ actor(slug: "{pulse}") {{ name description names {{ name }} }} }}'),
            ),
        ]
        if pages:
            operations.append(
                Operation("page-pulse", 2, "GET", f"/actors/{pulse}/", accept="text/html")
            )
    if pages:
        operations.append(Operation("page-home", 2, "GET", "/", accept="text/html"))
        if slugs:
            operations.append(
                Operation(
                    "page-actor", 2, "GET", lambda r: f"/actors/{slug(r)}/", accept="text/html"
                )
            )
    return operations


@dataclass
class Soak:
    base: str
    duration: float
    concurrency: int
    operations: list[Operation]
    canary: str | None = None
    seed: int = 0
    feed_cursor: str | None = None
    samples: list[Sample] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)

    def reader(self, number: int, t0: float, deadline: float) -> None:
        rng = random.Random(self.seed * 1000 + number)
        weights = [operation.weight for operation in self.operations]
        mine = []
        while time.monotonic() < deadline:
            operation = rng.choices(self.operations, weights)[0]
            path = operation.path(rng) if callable(operation.path) else operation.path
            if operation.follows_feed and self.feed_cursor:
                path = f"{path}&since={self.feed_cursor}"
            sample = Sample(operation.name, path, time.monotonic() - t0, 0.0, page=operation.page)
            try:
                status, headers, data = fetch(
                    self.base, operation.method, path, operation.body, operation.accept
                )
            except (OSError, http.client.HTTPException) as exc:
                sample.error = type(exc).__name__
            else:
                sample.status = status
                sample.json_error = headers.get("Content-Type", "").startswith("application/json")
                sample.retry_after = "Retry-After" in headers
                sample.leak = self.canary is not None and self.canary.encode() in data
                if operation.follows_feed and status == 200:
                    self.feed_cursor = urllib.parse.quote(json.loads(data)["cursor"])
            sample.ended = time.monotonic() - t0
            mine.append(sample)
        self.samples.extend(mine)  # list.extend is atomic under the GIL

    def run(self, faults=()) -> float:
        """Run the readers (and `faults`: callables(t0, windows) run in a thread each);
        returns the wall time."""
        t0 = time.monotonic()
        deadline = t0 + self.duration
        threads = [
            threading.Thread(target=self.reader, args=(number, t0, deadline), daemon=True)
            for number in range(self.concurrency)
        ]
        threads += [
            threading.Thread(target=fault, args=(t0, self.windows), daemon=True) for fault in faults
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - t0


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarize(soak: Soak, wall: float) -> dict:
    samples = soak.samples
    in_fault = [s for s in samples if any(w.overlaps(s) for w in soak.windows)]
    outside = [s for s in samples if not any(w.overlaps(s) for w in soak.windows)]
    ok_latencies = [(s.ended - s.started) * 1000 for s in outside if s.status in SUCCESS]
    statuses: dict[str, int] = {}
    for sample in samples:
        key = str(sample.status) if sample.status is not None else f"error:{sample.error}"
        statuses[key] = statuses.get(key, 0) + 1
    outages = [w for w in soak.windows if w.kind == "outage"]
    back_up = max((w.end for w in outages if w.end is not None), default=None)
    outage_samples = [s for s in in_fault if any(w.overlaps(s) for w in outages)]
    bad_outage = [
        s
        for s in outage_samples
        if s.status not in SUCCESS
        and not (s.status == 503 and s.retry_after and (s.json_error or s.page))
        # a worker kill in the same moment may drop a connection
        and not (s.error and any(w.kind == "worker-kill" and w.overlaps(s) for w in soak.windows))
    ]
    failures_after = [
        s
        for s in samples
        if back_up is not None
        and s.started >= back_up
        and s.status not in SUCCESS
        and not any(w.overlaps(s) for w in soak.windows if w.kind == "worker-kill")
    ]
    leaks = [s for s in samples if s.leak]
    by_operation: dict[str, int] = {}
    for sample in samples:
        by_operation[sample.name] = by_operation.get(sample.name, 0) + 1

    def examples(found):
        return [f"{s.status or s.error} {s.path} at {s.started:.1f} s" for s in found[:5]]

    slowest = sorted(
        (s for s in outside if s.status in SUCCESS), key=lambda s: s.started - s.ended
    )[:5]

    return {
        "requests": len(samples),
        "seconds": round(wall, 1),
        "concurrency": soak.concurrency,
        "rps": round(len(samples) / wall, 1) if wall else None,
        "latency_ms": {
            name: round(value, 1) if value is not None else None
            for name, value in (
                ("p50", percentile(ok_latencies, 0.50)),
                ("p95", percentile(ok_latencies, 0.95)),
                ("p99", percentile(ok_latencies, 0.99)),
            )
        },
        "statuses": dict(sorted(statuses.items())),
        "operations": dict(sorted(by_operation.items())),
        "server_errors_outside_faults": sum(1 for s in outside if (s.status or 0) >= 500),
        "client_errors_outside_faults": sum(1 for s in outside if 400 <= (s.status or 0) < 500),
        "connection_errors_outside_faults": sum(1 for s in outside if s.error),
        "connection_errors_in_faults": sum(1 for s in in_fault if s.error),
        # No answer within the client's 30 s: a saturated server (counted in the errors too)
        "client_timeouts": sum(1 for s in samples if s.error == "TimeoutError"),
        "failures_after_database_back_that_were_timeouts": sum(
            1 for s in failures_after if s.error == "TimeoutError"
        ),
        "non_json_api_errors": sum(
            1 for s in samples if (s.status or 0) >= 400 and not s.json_error and not s.page
        ),
        "faults": [
            {"kind": w.kind, "at": round(w.start, 2), "until": w.end and round(w.end, 2)}
            for w in soak.windows
        ],
        "outage_responses": len(outage_samples),
        "outage_json_503_with_retry_after": sum(
            1 for s in outage_samples if s.status == 503 and s.json_error and s.retry_after
        ),
        "outage_html_503_with_retry_after": sum(
            1 for s in outage_samples if s.status == 503 and s.page and s.retry_after
        ),
        "outage_other_responses": len(bad_outage),
        "failures_after_database_back": len(failures_after),
        "canary_leaks": len(leaks),
        "examples": {
            "failures_outside_faults": examples([s for s in outside if s.status not in SUCCESS]),
            "bad_outage_responses": examples(bad_outage),
            "failures_after_database_back": examples(failures_after),
            "leaks": examples(leaks),
            "slowest": [f"{(s.ended - s.started):.2f} s {s.path}" for s in slowest],
        },
    }


class Editor:
    """`manage.py soak_editor` in a process of its own, on the served database."""

    def __init__(self, database_url: str, duration: float, interval: float, env: dict):
        self.token = secrets.token_hex(8)
        self.public = secrets.token_hex(4)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "soak_editor",
                "--duration",
                str(duration + 600),
                "--interval",
                str(interval),
                "--token",
                self.token,
                "--public",
                self.public,
            ],
            cwd=ROOT,
            env={**env, "SAHEL_ENV": "development", "DATABASE_URL": database_url, "DEBUG": "0"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self) -> None:
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.process.kill()
            raise RuntimeError(f"the editor did not start: {line}{self.process.stderr.read()}")

    def report(self, timeout: float = 60) -> dict:
        """Stop it (its standard input closes) and read its report."""
        out, err = self.process.communicate(timeout=timeout)
        if self.process.returncode != 0:
            return {"failed": True, "stderr": err[-3000:]}
        return json.loads(out.strip().splitlines()[-1])


def restart_database(cluster, at: float, down: float):
    def fault(t0, windows):
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        window = Window("outage", time.monotonic() - t0)
        windows.append(window)
        cluster.stop()
        time.sleep(down)
        cluster.start()
        window.end = time.monotonic() - t0  # accepting connections again (pg_ctl -w)

    return fault


def kill_worker(server, at: float):
    def fault(t0, windows):
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        start = time.monotonic() - t0
        server.kill_worker()
        windows.append(Window("worker-kill", start, start + KILL_GRACE))

    return fault


def fill(
    cluster, database: str, *, source_url: str | None, env: dict, log, load: bool = True
) -> str:
    """A database in the throwaway cluster: a copy of `source_url` (pg_dump | pg_restore),
    or migrated and (`load`) loaded with the curated dataset."""
    cluster.psql(f'CREATE DATABASE "{database}"')
    url = cluster.url(database)
    began = time.monotonic()
    if source_url:
        dump = subprocess.run(
            [str(cluster.bin / "pg_dump"), "--format=custom", "--no-owner", source_url],
            capture_output=True,
            check=True,
            timeout=600,
        )
        subprocess.run(
            [str(cluster.bin / "pg_restore"), "--no-owner", "--dbname", url],
            input=dump.stdout,
            capture_output=True,
            check=True,
            timeout=600,
        )
    else:
        from perf.serving import manage

        dev = {**env, "SAHEL_ENV": "development", "DATABASE_URL": url, "DEBUG": "0"}
        manage("migrate", "--noinput", env=dev)
        if load:
            manage("load_dataset", env=dev)
    log(f"database filled in {time.monotonic() - began:.1f} s")
    return url


def soak(
    *,
    duration: float,
    concurrency: int,
    database_url: str | None = None,
    url: str | None = None,
    throwaway: bool = False,
    source_url: str | None = None,
    load: bool = True,
    restart_db_at: float | None = None,
    down: float = 3.0,
    kill_worker_at: float | None = None,
    editor_interval: float = 0.5,
    pages: bool = True,
    workers: int = 2,
    threads: int = 4,
    seed: int = 0,
    log=print,
) -> dict:
    """Serve (or use `url`, a server already running on the loopback), run, report.

    `throwaway`: a PostgreSQL cluster of its own (perf/cluster.py), filled from
    `source_url` or with the curated dataset; the only kind whose database is restarted
    (`restart_db_at` seconds in, `down` seconds long). Without it the app is served on
    `database_url`. `kill_worker_at`: SIGKILL one gunicorn worker then."""
    import datetime
    import os
    from contextlib import ExitStack

    from perf.cluster import Cluster
    from perf.serving import Gunicorn

    if restart_db_at is not None and not throwaway:
        raise ValueError("The database is restarted only in a throwaway cluster (throwaway=True).")
    if kill_worker_at is not None and url:
        raise ValueError("A worker is killed only in a server the soak started itself.")
    server = None
    with ExitStack() as stack:
        cluster = None
        editor = None
        if url:
            check_loopback(url)
            base = url
        else:
            if throwaway:
                cluster = stack.enter_context(Cluster(log=log))
                database_url = fill(
                    cluster,
                    "sahel",
                    source_url=source_url,
                    env=dict(os.environ),
                    log=log,
                    load=load,
                )
            elif database_url is None:
                raise ValueError("Give a database_url, a url, or throwaway=True.")
            if editor_interval:  # starts while the server does
                editor = Editor(database_url, duration, editor_interval, dict(os.environ))
                stack.callback(editor.process.kill)
            server = stack.enter_context(
                Gunicorn(database_url, workers=workers, threads=threads, static=pages, log=log)
            )
            base = server.base
        if editor is None and editor_interval and database_url:
            editor = Editor(database_url, duration, editor_interval, dict(os.environ))
            stack.callback(editor.process.kill)
        if editor is not None:
            editor.wait_ready()
        as_of = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        operations = read_mix(base, public=editor and editor.public, pages=pages, as_of=as_of)
        run = Soak(
            base, duration, concurrency, operations, canary=editor and editor.token, seed=seed
        )
        run.feed_cursor = feed_end(base)
        faults = []
        if restart_db_at is not None:
            faults.append(restart_database(cluster, restart_db_at, down))
        if kill_worker_at is not None:
            faults.append(kill_worker(server, kill_worker_at))
        log(f"soak: {concurrency} readers for {duration:g} s on {base}")
        wall = run.run(faults)
        report = summarize(run, wall)
        report["editor"] = editor.report() if editor else None
        report["setup"] = {
            "server": "gunicorn (gunicorn.conf.py, production settings)" if server else base,
            "workers": workers if server else None,
            "threads": threads if server else None,
            "database": "throwaway cluster" if throwaway else "given",
            "pages": pages,
        }
    if server is not None:
        # Workers the arbiter started: `workers` at start, one more for each killed one.
        report["workers_booted"] = server.last_log.count("Booting worker")
        report["server_log_tail"] = server.last_log[-4000:]
    return report
