"""The export's hand-written baseline: the whole public dataset as JSON Lines, the same
streams-and-merge design as the service (`sahel.read.export`) in raw SQL."""

from collections.abc import Callable
from itertools import groupby
from operator import itemgetter

import orjson
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from perf.baseline import Raw, _q
from sahel.read.projection import SOURCE_SUMMARY


class RawExport:
    """The export by hand: per resource, one psycopg server-side cursor per level (the
    public rows by id, children by parent, citations by object, in SQL joined to their
    parents), merged in Python a batch of parents at a time, with summaries of referenced
    objects and sources read for what a batch lacks and kept; orjson lines. Inside a
    read-only REPEATABLE READ transaction, as the service."""

    BATCH = 2000
    CHUNK_BYTES = 64 * 1024

    def __init__(self):
        self.raw = Raw()
        self.queries = 0
        self.summaries: dict = {}

    def lines(self, limit: int | None = None):
        """The export's lines (the first `limit`), in chunks of whole lines."""
        from sahel.read.resources import projections

        conn, count, chunk, size = self.raw.conn, 0, [], 0
        own = not connection.in_atomic_block  # else inside a test's transaction (a savepoint)
        with conn.transaction():
            if own:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for name, projection in projections().items():
                for line in self._resource(name, projection):
                    chunk.append(line)
                    size += len(line)
                    count += 1
                    if limit and count >= limit:
                        yield b"".join(chunk)
                        return
                    if size >= self.CHUNK_BYTES:  # whole lines, written a chunk at a time
                        yield b"".join(chunk)
                        chunk, size = [], 0
            if chunk:
                yield b"".join(chunk)

    def _stream(self, sql: str):
        """Rows of `sql` through a server-side cursor, with one row of lookahead: `take(last)`
        returns the rows whose last column is at most `last`."""
        self.queries += 1
        cursor = self.raw.conn.cursor(name=f"export_{self.queries}")
        cursor.itersize = 2000
        cursor.execute(sql)
        rows = iter(cursor)
        state = [next(rows, None)]

        def take(last):
            taken, row = [], state[0]
            while row is not None and row[-1] <= last:
                taken.append(row)
                row = next(rows, None)
            state[0] = row
            return taken

        return take

    def _summaries(self, model, fields) -> Callable[[set], dict]:
        key = (model, fields)
        if key not in self.summaries:
            found, columns = {}, ("id", *fields)
            decimals = [
                c for c in fields if isinstance(model._meta.get_field(c), models.DecimalField)
            ]
            select = ", ".join(f"a.{_q(c)}" for c in columns)
            conditions = " AND ".join(["a.id = ANY(%(ids)s)", *self.raw.visible(model, "a")])
            sql = f"SELECT {select} FROM {model._meta.db_table} a WHERE {conditions}"

            def load(ids: set) -> dict:
                missing = ids - found.keys() - {None}
                if missing:
                    self.queries += 1
                    with self.raw.conn.cursor() as cursor:
                        for row in cursor.execute(sql, {"ids": list(missing)}):
                            summary = found[row[0]] = dict(zip(columns, row, strict=True))
                            for c in decimals:  # floats once, not per line (orjson's default)
                                if summary[c] is not None:
                                    summary[c] = float(summary[c])
                    for pk in missing:
                        found.setdefault(pk, None)
                return found

            load.found = found
            self.summaries[key] = load
        return self.summaries[key]

    def _citations_sql(self, model, parent=None) -> str:
        """Public citations of `model`'s public rows, the last column what they are ordered
        by: the object, or the object's parent (`parent`: the child's foreign key)."""
        from sources.models import Citation

        ct = ContentType.objects.get_for_model(model).pk
        columns = ", ".join(
            f"c.{_q(c)}"
            for c in ("id", "object_id", "source_id", "locator", "quote", "stance",
                      "credibility", "field_name", "note")
        )  # fmt: skip
        table = Citation._meta.db_table
        if parent is None:
            conditions = " AND ".join(
                [f"c.content_type_id = {ct}", self.raw._exists(model, "c.object_id", "t")]
            )
            return (
                f"SELECT {columns}, c.object_id FROM {table} c WHERE {conditions} "
                "ORDER BY c.object_id, c.id"
            )
        conditions = " AND ".join([f"c.content_type_id = {ct}", *self.raw.visible(model, "p")])
        fk = f"p.{model._meta.get_field(parent).attname}"
        return (
            f"SELECT {columns}, {fk} FROM {table} c JOIN {model._meta.db_table} p "
            f"ON p.id = c.object_id WHERE {conditions} ORDER BY {fk}, c.object_id, c.id"
        )

    def _select_sql(self, model, columns: list[str], order: str, extra: str = "") -> str:
        select = ", ".join([*(f"a.{_q(c)}" for c in columns), *([extra] if extra else [])])
        conditions = " AND ".join(self.raw.visible(model, "a")) or "TRUE"
        return f"SELECT {select} FROM {model._meta.db_table} a WHERE {conditions} ORDER BY {order}"

    def _shape(self, projection):
        """(plain keys, [(date, position) or (json field, None)], [(ref, position, load)])
        of a row of `projection.columns()`."""
        columns = projection.columns()
        keys = ("id", *projection.fields)
        dates = [(name, columns.index(name)) for name in projection.dates]
        # Django's connection reads json columns as text (it decodes them itself)
        dates += [
            (name, None)
            for name in projection.fields
            if isinstance(projection.model._meta.get_field(name), models.JSONField)
        ]
        refs = [
            (name, columns.index(f"{name}_id"), self._summaries(ref.model, ref.fields))
            for name, ref in projection.refs.items()
        ]
        return keys, dates, refs

    def _resource(self, name: str, projection):
        from sources.models import Source

        sources = self._summaries(Source, SOURCE_SUMMARY)
        found_sources = sources.found
        model = projection.model

        def citation(row):
            return {
                "id": row[0],
                "source": found_sources.get(row[2]),
                "locator": row[3],
                "quote": row[4],
                "stance": row[5],
                "credibility": row[6],
                "field": row[7] or None,
                "note": row[8],
            }

        def builder(projection, children: dict, citations: dict | None):
            keys, dates, refs = self._shape(projection)
            refs = [(ref, i, load.found) for ref, i, load in refs]

            def build(row, item):
                item.update(zip(keys, row, strict=False))
                for date, i in dates:
                    item[date] = (
                        _fuzzy(row[i], row[i + 1], row[i + 2])
                        if i is not None
                        else orjson.loads(item[date])
                    )
                for ref, i, found in refs:
                    item[ref] = found.get(row[i])
                for child_name, (child_build, rows_of) in children.items():
                    item[child_name] = [child_build(r, {}) for r in rows_of.get(row[0], ())]
                if citations is not None:
                    item["citations"] = [citation(r) for r in citations.get(row[0], ())]
                return item

            return build

        def load_refs(projection, rows):
            for _, i, load in self._shape(projection)[2]:
                load({row[i] for row in rows})

        # Per child: (name, projection, rows stream, citations stream, rows of the batch by
        # parent, citations of the batch by object).
        children = []
        for child_name, child in projection.children.items():
            fk = child.projection.model._meta.get_field(child.fk).attname
            rows_sql = self._select_sql(
                child.projection.model, child.projection.columns(), f"a.{fk}, a.id", f"a.{fk}"
            )
            cited = child.projection.cited
            children.append(
                (
                    child_name,
                    child.projection,
                    self._stream(rows_sql),
                    self._stream(self._citations_sql(child.projection.model, child.fk))
                    if cited
                    else None,
                    {},
                    {} if cited else None,
                )
            )
        citations_stream = self._stream(self._citations_sql(model)) if projection.cited else None
        citations_of = {} if projection.cited else None
        build = builder(
            projection,
            {
                child_name: (builder(child_projection, {}, child_citations), rows_of)
                for child_name, child_projection, _, _, rows_of, child_citations in children
            },
            citations_of,
        )
        last_column, object_column = itemgetter(-1), itemgetter(1)
        self.queries += 1
        with self.raw.conn.cursor(name=f"export_{self.queries}") as cursor:
            cursor.execute(self._select_sql(model, projection.columns(), "a.id"))
            while batch := cursor.fetchmany(self.BATCH):
                last = batch[-1][0]
                load_refs(projection, batch)
                for _, child_projection, rows, c_citations, rows_of, cited_of in children:
                    rows = rows(last)
                    load_refs(child_projection, rows)
                    rows_of.clear()
                    rows_of.update((k, list(g)) for k, g in groupby(rows, last_column))
                    if c_citations is not None:
                        cited = c_citations(last)
                        sources({row[2] for row in cited})
                        cited_of.clear()
                        cited_of.update((k, list(g)) for k, g in groupby(cited, object_column))
                if citations_stream is not None:
                    cited = citations_stream(last)
                    sources({row[2] for row in cited})
                    citations_of.clear()
                    citations_of.update((k, list(g)) for k, g in groupby(cited, object_column))
                for row in batch:
                    yield orjson.dumps(
                        build(row, {"resource": name}), default=float, option=EXPORT_LINE
                    )


EXPORT_LINE = orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z


def _fuzzy(edtf, lower, upper):
    if not edtf:
        return None
    return {
        "edtf": edtf,
        "lower": lower.isoformat() if lower else None,
        "upper": upper.isoformat() if upper else None,
    }
