"""Requests per second through gunicorn, as docker-compose serves (gunicorn.conf.py,
production settings, bound to the loopback): the nested GraphQL query of the benchmark
against the REST page of 100 actors, at the same concurrency in the same run.

`benchmark --throughput` runs it. Bounded: a fixed number of requests a case (after a
warm-up), sent by `concurrency` client threads to 127.0.0.1 only."""

import json
import statistics
import threading
import time
import urllib.request
from dataclasses import dataclass

import orjson

from perf.baseline import PAGE
from perf.cases import NESTED_QUERY
from perf.serving import Gunicorn


@dataclass(frozen=True)
class Throughput:
    name: str
    requests: int
    seconds: float
    bytes: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _requests(base: str) -> dict[str, urllib.request.Request]:
    body = json.dumps({"query": NESTED_QUERY, "variables": {"first": PAGE}}).encode()
    return {
        f"GraphQL actors→ties→object→citations→source ({PAGE})": urllib.request.Request(
            f"{base}/graphql/", body, {"Content-Type": "application/json"}
        ),
        f"REST actor list ({PAGE}/page)": urllib.request.Request(
            f"{base}/api/v1/actors/?page_size={PAGE}"
        ),
    }


def _send(request: urllib.request.Request) -> int:
    with urllib.request.urlopen(request, timeout=60) as response:
        payload = response.read()
        # an answer with errors (a GraphQL error is a 200) is not a request served
        if response.status != 200 or "errors" in orjson.loads(payload):
            raise RuntimeError(f"{request.full_url}: {response.status} {payload[:200]!r}")
        return len(payload)


def _measure(name, request, *, concurrency: int, count: int) -> Throughput:
    for _ in range(concurrency * 2):  # warm-up: every worker has compiled and cached
        _send(request)
    remaining = iter(range(count))
    lock = threading.Lock()
    sizes: list[int] = []
    failures: list[BaseException] = []

    def client():
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            try:
                sizes.append(_send(request))
            except BaseException as exc:  # reported below; the other clients finish
                failures.append(exc)
                return

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if failures:
        raise failures[0]
    return Throughput(name, len(sizes), seconds, int(statistics.median(sizes)))


def run(database_url: str, *, concurrency: int = 4, count: int = 200, log=None) -> list:
    with Gunicorn(database_url, log=log) as server:
        return [
            _measure(name, request, concurrency=concurrency, count=count)
            for name, request in _requests(server.base).items()
        ]


def table(results: list[Throughput], concurrency: int) -> str:
    rest = next((r for r in results if r.name.startswith("REST")), None)
    lines = [
        f"| through gunicorn, {concurrency} clients | requests | requests/s | bytes a response "
        "| of REST's rate |",
        "|---|---:|---:|---:|---:|",
    ]
    for result in results:
        share = f"{result.per_second / rest.per_second:.2f}" if rest else "—"
        lines.append(
            f"| {result.name} | {result.requests} | {result.per_second:.1f} | "
            f"{result.bytes:,} | {share} |"
        )
    return "\n".join(lines) + "\n"
