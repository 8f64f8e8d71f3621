"""Schemathesis, a third-party property-based fuzzer, drives every operation of the live
OpenAPI schema: no input may cause a server error, every response must match the schema
(status codes, content types, bodies), and every request the schema allows is accepted
(`positive_data_acceptance`: no 400 for schema-valid data).

What JSON Schema cannot say, the schema says in words, and the hooks below keep to it (each
with its own, independent reading of the rule): a slug names a public object of the
curated dataset, a cursor is one the feed gave out, `as_of` is not in the future, an EDTF
interval does not end before it starts, `date_from` is not after `date_to`, and the
export's `resource` goes without format=csv and popolo, its `table` with format=csv
only, and always then."""

import datetime
import os
import re
import zlib

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from actors.models import Actor
from sahel.core.models import ChangeSetLog
from sahel.read import feed
from sahel.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)

# Public objects of the curated dataset (fixtures/), by the parameters that name them.
ACTORS = ["jnim", "aqim", "mujwa", "yahya-abu-al-hammam", "id:jnim"]  # by slug, and by id
PLACES = ["mali", "timbuktu-region", "northern-mali"]
NAMED = {
    ("/api/v1/actors/", "place"): PLACES,
    ("/api/v1/affiliations/", "actor"): ACTORS,
    ("/api/v1/affiliations/", "subject"): ACTORS,
    ("/api/v1/affiliations/", "object"): ACTORS,
    ("/api/v1/affiliations/", "type"): ["allied-with", "leader-of", "member-of"],
    ("/api/v1/events/", "actor"): ACTORS,
    ("/api/v1/events/", "type"): ["appointment", "armed-attack", "assassination"],
    ("/api/v1/events/", "place"): PLACES,
    ("/api/v1/events/", "parent"): ["jihadist-rule-in-timbuktu-2012"],
    ("/api/v1/places/", "parent"): PLACES,
}


def _public(path: str, name: str, value: str) -> str:
    """The generated value, as one of the public objects (picked by the value)."""
    choices = NAMED[path, name]
    choice = choices[zlib.crc32(value.encode()) % len(choices)]
    if choice.startswith("id:"):  # ids depend on what the run wrote before the dataset
        return str(Actor.objects.get(slug=choice.removeprefix("id:")).pk)
    return choice


def name_public_objects(path: str, query: dict) -> None:
    for name, value in list(query.items()):
        if (path, name) in NAMED:
            if isinstance(value, list):
                query[name] = [_public(path, name, str(item)) for item in value]
            else:
                query[name] = _public(path, name, str(value))
    if "since" in query:
        # The cursor the feed gives out once caught up (from the start, each page would
        # project the whole dataset: seconds a case).
        last = feed.last_public_change_set()
        time = ChangeSetLog.objects.filter(change_set=last).values_list("time", flat=True)
        query["since"] = feed.encode_cursor((time.get(), last))
    if "as_of" in query and any((path, name) in NAMED for name in query):
        # The history starts when the dataset was loaded: before, no object can be named.
        query["as_of"] = datetime.datetime.now(datetime.UTC).isoformat()


# An EDTF value's calendar span, read without the server's parser: X digits and missing
# parts at their earliest (latest); qualifiers (~ ? %) only widen the span the server uses.
_SINGLE = re.compile(r"^(?P<date>[0-9X]{4}(-[0-9]{2}(-[0-9]{2})?)?)[~?%]?$")


def _earliest(single: str) -> str:
    date = _SINGLE.match(single)["date"].replace("X", "0")
    return (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10]


def _latest(single: str) -> str:
    date = _SINGLE.match(single)["date"].replace("X", "9")
    return (date + "-12-31")[:10] if len(date) == 4 else (date + "-31")[:10]


def _span(text: str) -> tuple[str | None, str | None]:
    text = re.sub(r"^\.\.(?=[0-9])", "../", re.sub(r"(?<=[0-9~?%X])\.\.$", "/..", text))
    start, slash, end = text.partition("/")
    if not slash:
        return _earliest(text), _latest(text)
    return (
        None if start in {"", ".."} else _earliest(start),
        None if end in {"", ".."} else _latest(end),
    )


def _in_order(low: str | None, high: str | None) -> bool:
    return low is None or high is None or low <= high


def keeps_to_the_descriptions(path: str, query: dict) -> bool:
    if path == "/api/v1/export/":
        kind = query.get("format", "jsonl")
        if ("resource" in query and kind in {"csv", "popolo"}) or (
            ("table" in query) != (kind == "csv")
        ):
            return False
    as_of = query.get("as_of")
    if isinstance(as_of, str):
        instant = datetime.datetime.fromisoformat(as_of.replace("z", "Z").replace("t", "T"))
        if instant.tzinfo is not None and instant > datetime.datetime.now(datetime.UTC):
            return False
    spans = {
        name: _span(query[name])
        for name in ("date_from", "date_to", "valid_at")
        if isinstance(query.get(name), str) and query[name]
    }
    if not all(_in_order(*span) for span in spans.values()):
        return False
    if "date_from" in spans and "date_to" in spans:
        return _in_order(spans["date_from"][0], spans["date_to"][1])
    return True


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI app, whose per-request connection cleanup would
    close the test's open transaction (Django's test client switches it off the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
# Derandomized: CI runs the same examples every time (a red run can be replayed). 25 a
# phase in CI: schema-valid requests are answered in full, not refused cheaply (CI budget);
# SAHEL_FUZZ_EXAMPLES=N for a deeper run (docs/operations.md).
@settings(
    max_examples=int(os.environ.get("SAHEL_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, api):
    # The examples, coverage and fuzzing phases alike: what the schema allows and its words
    # rule out is not sent; what it allows is sent with slugs of public objects.
    if case.meta is not None and case.meta.generation.mode.is_positive and case.query:
        if not keeps_to_the_descriptions(case.operation.path, case.query):
            return
        name_public_objects(case.operation.path, case.query)
    case.call_and_validate()


def test_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")
    assert "/api/v1/changes/" in (tmp_path / "s.yaml").read_text()
