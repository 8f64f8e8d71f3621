"""The export's streams (sahel.read.export) give the lines the page-by-page projection gives,
live and `as_of`, in any batch size, and read each stream once whatever the number of
records. (Read directly here, inside the test's transaction; GET /api/v1/export/ reads the
live ones in its own snapshot, outside one: test_export_snapshot.py.)"""

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sahel.core import selectors
from sahel.read import export
from sahel.read.resources import projections

RESOURCES = list(projections().items())


def _pages(name, projection, as_of=None, size=7):
    """The lines of `Projection.build_rows`, page by page (the export's way before its
    streams, and the REST lists')."""
    public = selectors.public(projection.model, as_of=as_of).order_by("id")
    last = 0
    while rows := list(public.filter(id__gt=last).values(*projection.columns())[:size]):
        for item in projection.build_rows(rows, as_of=as_of):
            yield _line({"resource": name, **item})
        last = rows[-1]["id"]


def _line(item) -> bytes:
    return orjson.dumps(item, default=export.json_default, option=orjson.OPT_APPEND_NEWLINE)


@pytest.mark.parametrize("batch", [1, 3, 2000])
@pytest.mark.parametrize(("name", "projection"), RESOURCES, ids=[name for name, _ in RESOURCES])
def test_streams_give_the_lines_of_the_pages(api, monkeypatch, name, projection, batch):
    monkeypatch.setattr(export, "STREAM_BATCH", batch)
    monkeypatch.setattr(export, "FETCH", 2)  # cursors fetch across batch boundaries
    streamed = list(export.lines(name, projection))
    assert streamed == list(_pages(name, projection))  # same bytes: same keys, same order
    assert streamed


@pytest.fixture
def instants(api):
    """Instants in the curated dataset's history: after its first change set, half way,
    and now."""
    from actors.models import Actor

    dates = sorted(set(Actor.history.values_list("history_date", flat=True)))
    return [dates[0], dates[len(dates) // 2], timezone.now()]


@pytest.mark.parametrize(("name", "projection"), RESOURCES, ids=[name for name, _ in RESOURCES])
def test_streams_as_of_give_the_lines_of_the_pages(api, monkeypatch, instants, name, projection):
    """`as_of`: history rows, each child's citations keyed by the child's version then."""
    monkeypatch.setattr(export, "STREAM_BATCH", 3)
    for instant in instants:
        streamed = list(export.lines(name, projection, instant))
        assert streamed == list(_pages(name, projection, instant)), instant
    assert streamed


def test_summaries_bounded(api, monkeypatch):
    """Past SUMMARY_LIMIT, the kept summaries are forgotten between batches and read again
    as needed (an affiliation's subject and object share the actors' summaries)."""
    monkeypatch.setattr(export, "SUMMARY_LIMIT", 3)
    monkeypatch.setattr(export, "STREAM_BATCH", 2)
    name, projection = "affiliations", projections()["affiliations"]
    streamed = list(export.lines(name, projection))
    assert streamed == list(_pages(name, projection))


def test_each_stream_is_read_once_and_each_summary_once(api, monkeypatch):
    """Whatever the number of batches: one query per stream (rows, children, citations of
    each level) and, besides, only summaries of objects not read before (none twice)."""
    read: dict = {}
    load = export.Summaries.load

    def counted(self, ids):
        missing = set(ids) - self.found.keys() - {None}
        if missing:
            assert not missing & read.setdefault(self.queryset.model, set()), "read twice"
            read[self.queryset.model] |= missing
            counted.queries += 1
        load(self, ids)

    monkeypatch.setattr(export.Summaries, "load", counted)
    # actors: themselves, names, names' citations, identifiers, citations; events:
    # themselves, participants, their citations, citations; sources are not cited.
    streams = {"actors": 5, "affiliations": 2, "events": 4, "places": 2, "sources": 1}
    for batch in (1, 2000):
        monkeypatch.setattr(export, "STREAM_BATCH", batch)
        for name, projection in RESOURCES:
            read.clear()
            counted.queries = 0
            with CaptureQueriesContext(connection) as queries:
                lines = list(export.lines(name, projection))
            assert len(queries) - counted.queries == streams[name], (name, batch)
            assert lines
