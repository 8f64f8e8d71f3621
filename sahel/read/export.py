"""The JSON Lines export, read as a few ordered streams merged in Python.

`Projection.build_rows` reads a page's children and citations by the page's ids (an IN
list per query, the targets' visibility checked for those ids). Over a whole resource that
is ~10 queries per 2,000 rows, each planning and probing its list. Here each level of a
resource is one query for the whole export instead, read through a server-side cursor
(PostgreSQL, Django's `.iterator()`: behind a transaction-pooling PgBouncer, with
DISABLE_SERVER_SIDE_CURSORS, each stream would be fetched whole; SQLite steps its cursor
as rows are fetched) in the order of its parents:

- the resource's public rows, by id;
- each child level (names of actors, participants of events), by (parent id, id);
- the citations of each level, by (parent id, object id, id) for a child level.

Every stream is `selectors.public(...)`: the whole table's rule, which for a child or a
citation means "its parent (target) is public" — the rows `Projection.build_rows` reads
for pages of the public rows (tested line for line, live and `as_of`, in
tests/api/test_export_stream.py). The streams are cut at the last parent of each batch of
`STREAM_BATCH` parents, so memory holds one batch whatever the size of the export.
References and sources are summaries of public objects, read by id for what a batch lacks
and kept for the rest of the export (`Summaries`, bounded).

Live rows, or as of an instant (`selectors.public(..., as_of=T)`: history rows, a child's
citations keyed by the child's version at T). Read inside the export's read-only snapshot
(`views.read_snapshot`) or a transaction already open: the streams are separate queries,
and under one snapshot they agree with each other and a summary read once stays true.
"""

import contextlib
import decimal
from collections.abc import Iterator
from itertools import groupby, islice
from operator import itemgetter

import orjson
from django.contrib.contenttypes.models import ContentType
from django.db.models import DecimalField, OuterRef, Subquery
from django.utils import timezone

from sahel.core import selectors
from sahel.core.models import ChangeSetLog
from sahel.read.projection import (
    CITATION_COLUMNS,
    SOURCE_SUMMARY,
    Projection,
    citation_item,
    fuzzy_date,
)
from sahel.read.snapshot import read_snapshot

STREAM_BATCH = 2000  # parents per batch: their children and citations are held together
FETCH = 2000  # rows per round trip of a server-side cursor
CHUNK_BYTES = 64 * 1024  # what the response yields at a time (`joined`)
SUMMARY_LIMIT = 50_000  # summaries kept per referenced model; forgotten beyond it


class Summaries:
    """Summaries (`id` and `fields`) of the public objects of `model`, by id; None for an id
    that is not public. `load(ids)` reads the missing ones in one query."""

    def __init__(self, model, fields: tuple[str, ...], as_of=None):
        self.queryset = selectors.public(model, as_of=as_of)
        self.columns = ("id", *fields)
        # Decimals as the line encoder writes them (floats), once per object, not per line:
        # every event's place summary carries two.
        self.decimals = [
            position
            for position, name in enumerate(self.columns)
            if isinstance(model._meta.get_field(name), DecimalField)
        ]
        self.found: dict = {}

    def trim(self) -> None:
        """Between batches: forget them all past SUMMARY_LIMIT (a batch reads what it
        lacks again), so memory stays bounded however many objects the export refers to."""
        if len(self.found) > SUMMARY_LIMIT:
            self.found.clear()

    def load(self, ids: set) -> None:
        ids.discard(None)
        missing = ids - self.found.keys()
        if not missing:
            return
        columns, decimals = self.columns, self.decimals
        for row in self.queryset.filter(id__in_ids=missing).values_list(*columns):
            summary = dict(zip(columns, row, strict=True))
            for position in decimals:
                if row[position] is not None:
                    summary[columns[position]] = float(row[position])
            self.found[row[0]] = summary
        for pk in missing:
            self.found.setdefault(pk, None)


class _Stream:
    """Rows of an ordered query, with one row of lookahead: `until` takes the rows of a
    batch of parents (the last column is the parent id they are ordered by)."""

    def __init__(self, queryset, columns: list[str]):
        self.rows = queryset.values_list(*columns).iterator(chunk_size=FETCH)
        self.next = next(self.rows, None)

    def until(self, last_parent) -> list[tuple]:
        """The rows of the parents up to `last_parent` (included)."""
        taken, row, rows = [], self.next, self.rows
        while row is not None and row[-1] <= last_parent:
            taken.append(row)
            row = next(rows, None)
        self.next = row
        return taken

    def take(self, count: int) -> list[tuple]:
        """The next `count` rows (fewer at the end)."""
        if self.next is None:
            return []
        taken = [self.next, *islice(self.rows, count - 1)]
        self.next = next(self.rows, None)
        return taken

    def close(self) -> None:
        self.rows.close()


class _Level:
    """One projection level of a resource: how its rows (`projection.columns()`, then the
    stream's ordering key) become items, and for a batch of parents, the rows of its
    children and citations grouped by what they belong to. Items are built as they are
    written, one parent at a time: the batch holds rows (tuples), not nested dicts."""

    def __init__(
        self, projection: type[Projection], summaries: dict, as_of=None, fk: str | None = None
    ):
        from sources.models import Source

        model, columns = projection.model, projection.columns()
        self.columns = columns
        self.keys = ("id", *projection.fields)
        self.dates = [(name, columns.index(name)) for name in projection.dates]
        self.refs = []
        for name, ref in projection.refs.items():
            key = (ref.model, ref.fields)
            if key not in summaries:
                summaries[key] = Summaries(ref.model, ref.fields, as_of)
            self.refs.append((name, columns.index(f"{name}_id"), summaries[key]))
        if (Source, SOURCE_SUMMARY) not in summaries:
            summaries[Source, SOURCE_SUMMARY] = Summaries(Source, SOURCE_SUMMARY, as_of)
        self.sources = summaries[Source, SOURCE_SUMMARY]
        self.summaries = summaries  # shared by the levels of a resource
        self.children = []
        for name, child in projection.children.items():
            if fk is not None:
                raise NotImplementedError("The export streams two levels of projections.")
            level = _Level(child.projection, summaries, as_of, child.fk)
            parent = f"{child.fk}_id"
            rows = selectors.public(child.projection.model, as_of=as_of).order_by(parent, "id")
            self.children.append((name, level, _Stream(rows, [*level.columns, parent])))
        self.citation_stream = _Stream(*_citations(model, fk, as_of)) if projection.cited else None
        # For the batch (filled in place: `item` holds them): child name -> parent id ->
        # rows; object id -> citation rows.
        self.rows_of: dict = {name: {} for name, _, _ in self.children}
        self.citations_of: dict = {}
        self.item = self._builder()

    def streams(self) -> list[_Stream]:
        streams = [self.citation_stream] if self.citation_stream is not None else []
        for _, level, stream in self.children:
            streams += [stream, *level.streams()]
        return streams

    def read(self, rows: list[tuple], last) -> None:
        """Read what the items of `rows` need, up to the batch's `last` top-level id: the
        summaries they refer to, their children's rows and their citations."""
        for _, position, summaries in self.refs:
            summaries.load({row[position] for row in rows})
        for name, level, stream in self.children:
            child_rows = stream.until(last)
            rows_of = self.rows_of[name]
            rows_of.clear()
            rows_of.update((key, list(group)) for key, group in groupby(child_rows, _LAST))
            level.read(child_rows, last)
        if self.citation_stream is not None:
            citations = self.citation_stream.until(last)
            self.sources.load({row[2] for row in citations})
            self.citations_of.clear()
            self.citations_of.update((key, list(g)) for key, g in groupby(citations, _OBJECT))

    def _builder(self):
        """`item(row, item)`: `item` (empty, or the line's leading keys) filled from `row`,
        with what `read` read for the batch. A closure over this level's layout: it runs
        once per object and child."""
        keys, dates = self.keys, tuple(self.dates)
        refs = tuple((name, position, summaries.found) for name, position, summaries in self.refs)
        children = tuple((name, level.item, self.rows_of[name]) for name, level, _ in self.children)
        citations_of = self.citations_of if self.citation_stream is not None else None
        sources = self.sources.found

        def item(row: tuple, item: dict) -> dict:
            item.update(zip(keys, row, strict=False))  # id and the plain fields first
            for name, position in dates:
                item[name] = fuzzy_date(row[position], row[position + 1], row[position + 2])
            for name, position, found in refs:
                item[name] = found.get(row[position])
            for name, child_item, rows_of in children:
                item[name] = [child_item(child, {}) for child in rows_of.get(row[0], ())]
            if citations_of is not None:
                item["citations"] = [
                    citation_item(citation, sources.get(citation[2]))
                    for citation in citations_of.get(row[0], ())
                ]
            return item

        return item


_LAST, _OBJECT = itemgetter(-1), itemgetter(1)  # a child row's parent; a citation's object


def _citations(model, parent_fk: str | None, as_of=None):
    """The public citations of `model`'s public rows, ordered by what they belong to (the
    object, or for a child level the object's parent, then the object): that key last."""
    from sources.models import Citation

    queryset = selectors.public(Citation, as_of=as_of, generic_targets=(model,)).filter(
        content_type=ContentType.objects.get_for_model(model)
    )
    if parent_fk is None:
        return queryset.order_by("object_id", "id"), [*CITATION_COLUMNS, "object_id"]
    # The parent of the object's row read (live, or its version at `as_of`).
    rows = model._base_manager.all() if as_of is None else selectors.rows_as_of(model, as_of)
    parent = rows.filter(id=OuterRef("object_id")).order_by().values(f"{parent_fk}_id")
    queryset = queryset.annotate(export_parent=Subquery(parent)).order_by(
        "export_parent", "object_id", "id"
    )
    return queryset, [*CITATION_COLUMNS, "export_parent"]


def items(name: str, projection: type[Projection], as_of=None) -> Iterator[dict]:
    """Every public object of one resource (live, or as of `as_of`) as `{"resource": name,
    **item}`, by id: the items `projection.build_rows` makes of the same rows."""
    top = _Level(projection, {}, as_of)
    parents = _Stream(selectors.public(projection.model, as_of=as_of).order_by("id"), top.columns)
    try:
        while batch := parents.take(STREAM_BATCH):
            for summaries in top.summaries.values():
                summaries.trim()
            top.read(batch, batch[-1][0])
            for row in batch:
                yield top.item(row, {"resource": name})
    finally:  # the cursors close now, inside the export's transaction (a client gone early)
        for stream in [parents, *top.streams()]:
            stream.close()


def json_default(value):
    """What orjson does not encode itself, as DRF's encoder writes it: Decimals as numbers
    (orjson writes dates, datetimes with "Z" and UUIDs as DRF does, compact and a few times
    faster)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError


LINE = orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z


def lines(name: str, projection: type[Projection], as_of=None) -> Iterator[bytes]:
    """`items` as JSON Lines."""
    for item in items(name, projection, as_of):
        yield orjson.dumps(item, default=json_default, option=LINE)


def end_line(records: int, as_of) -> bytes:
    """The closing line: how many lines came before it and the instant they are true of.
    A body without it, or whose count differs, was cut short (a worker killed mid-stream
    still leaves the client a 200 and whole lines)."""
    return orjson.dumps({"resource": "end", "records": records, "as_of": as_of}, option=LINE)


@contextlib.contextmanager
def snapshot_at(as_of=None) -> Iterator:
    """One snapshot for a whole export, and the instant it is true of: `as_of` itself, or
    for live rows the instant the read-only transaction took its snapshot (`read_snapshot`;
    reading the history as of that instant gives the same lines, but for a change set
    committing at that very moment). Inside a transaction already open (a test's), the
    export reads the history as of now instead."""
    with read_snapshot() as snapshot:
        if as_of is None and snapshot:
            # A read fixes the snapshot (PostgreSQL: at the first statement; SQLite: at the
            # first read of the database); the instant is taken after it.
            ChangeSetLog.objects.exists()
            yield None, timezone.now()
        else:
            as_of = as_of or timezone.now()
            yield as_of, as_of


def document(projections: dict[str, type[Projection]], as_of=None) -> Iterator[bytes]:
    """The JSON Lines export of `projections` (name -> projection) in one snapshot, closed
    by `end_line`. The snapshot is held until the lines are read or the generator is
    closed (a client that goes away closes it)."""
    with snapshot_at(as_of) as (read_as_of, instant):
        records = 0
        for name, projection in projections.items():
            for line in lines(name, projection, read_as_of):
                records += 1
                yield line
        yield end_line(records, instant)


def joined(lines: Iterator[bytes], size: int | None = None) -> Iterator[bytes]:
    """Lines joined into chunks of at least `size` bytes (CHUNK_BYTES), whole lines each:
    the server writes a chunk at a time (a socket write per line was 189,000 writes for
    the `medium` export). Closing it closes `lines` (ending the export's transaction)."""
    size = size or CHUNK_BYTES
    try:
        chunk, length = [], 0
        for line in lines:
            chunk.append(line)
            length += len(line)
            if length >= size:
                yield b"".join(chunk)
                chunk, length = [], 0
        if chunk:
            yield b"".join(chunk)
    finally:
        lines.close()
