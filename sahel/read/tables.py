"""Flat tables: the public data as tables of scalar columns, joined by id.

Derived from the projections, as everything public is: each resource is a table of its
plain fields, its fuzzy dates (`begin`, `begin_lower`, `begin_upper`) and its references
(`area_id`: the id of a row of another table; a vocabulary, which has no table of its
own, also by its summary's fields: `type_slug`, `type_label`). Each child level is a table
of its own with its parent's id (`actor_names.actor_id`, `event_participants.event_id`); a
list-valued field another (`source_authors`: source_id, position, value); every citation
one row of `citations`, with the id of what it cites in the column of that table
(`actor_id`, `name_id`, ...: one of them is set) and its `source_id`.

Rows are built from the items of the JSON Lines export (`sahel.read.export.items`), in one
snapshot: what the tables hold is what the export holds. `schema()` describes each table
(fields, primary key, foreign keys) as a Frictionless Table Schema.
"""

import contextlib
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import models

from sahel.read import export
from sahel.read.projection import Projection


@dataclass
class Table:
    name: str
    fields: list[tuple[str, str]]  # (column, Frictionless type)
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)  # (column, table)
    primary_key: list[str] = field(default_factory=lambda: ["id"])

    @property
    def columns(self) -> list[str]:
        return [name for name, _ in self.fields]


FIELD_TYPES = {
    models.IntegerField: "integer",
    models.DecimalField: "number",
    models.FloatField: "number",
    models.BooleanField: "boolean",
    models.DateField: "date",
}


def _type(model, name: str) -> str:
    model_field = model._meta.get_field(name)
    for kind, frictionless in FIELD_TYPES.items():
        if isinstance(model_field, kind):
            return frictionless
    return "string"


def _is_list(model, name: str) -> bool:
    return isinstance(model._meta.get_field(name), models.JSONField)


@dataclass
class _Level:
    """How one projection level becomes rows of its table (and of its list tables)."""

    table: Table
    projection: type[Projection]
    parent_column: str | None
    cite_column: str
    lists: dict[str, Table]
    children: dict[str, "_Level"]


def _level(projection, name: str, singular: str, tables: dict, by_model: dict, parent=None):
    """The level of `projection` as table `name` (its rows' citations in
    `citations.<singular>_id`); `parent`: (the column of the parent's id, its table)."""
    model = projection.model
    fields, foreign_keys, lists = [("id", "integer")], [], {}
    if parent:
        fields.append((parent[0], "integer"))
        foreign_keys.append(parent)
    for column in projection.fields:
        if _is_list(model, column):
            lists[column] = Table(
                f"{singular}_{column}",
                [(f"{singular}_id", "integer"), ("position", "integer"), ("value", "string")],
                [(f"{singular}_id", name)],
                [f"{singular}_id", "position"],
            )
        else:
            fields.append((column, _type(model, column)))
    for date in projection.dates:
        fields += [(date, "string"), (f"{date}_lower", "date"), (f"{date}_upper", "date")]
    for ref_name, ref in projection.refs.items():
        fields.append((f"{ref_name}_id", "integer"))
        if ref.model in by_model:
            foreign_keys.append((f"{ref_name}_id", by_model[ref.model]))
        else:  # a vocabulary: no table of its own
            fields += [(f"{ref_name}_{f}", _type(ref.model, f)) for f in ref.fields]
    table = Table(name, fields, foreign_keys)
    tables[name] = table
    tables.update((t.name, t) for t in lists.values())
    children = {
        child_name: _level(
            child.projection,
            f"{singular}_{child_name}",
            child_name.removesuffix("s"),
            tables,
            by_model,
            (f"{child.fk}_id", name),
        )
        for child_name, child in projection.children.items()
    }
    return _Level(
        table, projection, parent[0] if parent else None, f"{singular}_id", lists, children
    )


def layout(projections: dict[str, type[Projection]]) -> tuple[dict[str, _Level], dict]:
    """(resource -> its level, table name -> Table), `citations` last."""
    by_model = {projection.model: name for name, projection in projections.items()}
    tables: dict[str, Table] = {}
    levels = {
        name: _level(projection, name, name.removesuffix("s"), tables, by_model)
        for name, projection in projections.items()
    }
    cited = []

    def collect(level: _Level):
        if level.projection.cited:
            cited.append((level.cite_column, level.table.name))
        for child in level.children.values():
            collect(child)

    for level in levels.values():
        collect(level)
    tables["citations"] = Table(
        "citations",
        [
            ("id", "integer"),
            ("source_id", "integer"),
            *((column, "integer") for column, _ in cited),
            ("locator", "string"),
            ("quote", "string"),
            ("stance", "string"),
            ("credibility", "string"),
            ("field", "string"),
            ("note", "string"),
        ],
        [("source_id", "sources"), *cited],
    )
    return levels, tables


def _scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _rows(level: _Level, item: dict, parent_id=None) -> Iterator[tuple[str, dict]]:
    """(table, row) for the item, its list fields, children and citations."""
    projection, row = level.projection, {"id": item["id"]}
    if level.parent_column:
        row[level.parent_column] = parent_id
    for column in projection.fields:
        if column in level.lists:
            for position, value in enumerate(item[column] or (), start=1):
                yield (
                    level.lists[column].name,
                    {
                        level.lists[column].columns[0]: item["id"],
                        "position": position,
                        "value": value,
                    },
                )
        else:
            row[column] = _scalar(item[column])
    for date in projection.dates:
        value = item[date] or {}
        row[date] = value.get("edtf")
        row[f"{date}_lower"], row[f"{date}_upper"] = value.get("lower"), value.get("upper")
    for ref_name, ref in projection.refs.items():
        summary = item[ref_name]
        row[f"{ref_name}_id"] = summary["id"] if summary else None
        if f"{ref_name}_{ref.fields[0]}" in level.table.columns:
            for f in ref.fields:
                row[f"{ref_name}_{f}"] = _scalar(summary[f]) if summary else None
    yield level.table.name, row
    for child_name, child in level.children.items():
        for child_item in item[child_name]:
            yield from _rows(child, child_item, item["id"])
    if projection.cited:
        for citation in item["citations"]:
            yield (
                "citations",
                {
                    "id": citation["id"],
                    "source_id": citation["source"]["id"] if citation["source"] else None,
                    level.cite_column: item["id"],
                    **{
                        key: citation[key]
                        for key in ("locator", "quote", "stance", "credibility", "field", "note")
                    },
                },
            )


def rows(projections: dict, as_of=None, only: str | None = None) -> Iterator[tuple[str, dict]]:
    """(table, row) of every table (or of table `only`), in one snapshot."""
    levels, _ = layout(projections)
    with export.snapshot_at(as_of) as (read_as_of, _):
        for name, projection in projections.items():
            if only is not None and not _feeds(levels[name], only):
                continue
            for item in export.items(name, projection, read_as_of):
                for table, row in _rows(levels[name], item):
                    if only is None or table == only:
                        yield table, row


def _feeds(level: _Level, table: str) -> bool:
    """Whether the rows of `level` (or its children) fill `table`."""
    if table in {level.table.name, "citations", *(t.name for t in level.lists.values())}:
        return True
    return any(_feeds(child, table) for child in level.children.values())


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
    leading single quote: data from sources must not execute on a researcher's machine."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(table: Table, rows: Iterator[dict]) -> Iterator[bytes]:
    """A table as CSV (a header, then a line a row), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=table.columns, extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: neutralise(value) for key, value in row.items()})
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def table_csv(projections: dict, name: str, as_of=None) -> Iterator[bytes]:
    """One table's CSV, streamed."""
    _, tables = layout(projections)
    return csv_lines(tables[name], (row for _, row in rows(projections, as_of, only=name)))


def write_csv_files(projections: dict, folder, as_of=None) -> dict[str, Table]:
    """Every table as `<folder>/<table>.csv`, in one pass over the export; the tables."""
    _, found = layout(projections)
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        writers = {}
        for name, table in found.items():
            file = stack.enter_context(
                (folder / f"{name}.csv").open("w", newline="", encoding="utf-8")
            )
            writers[name] = csv.DictWriter(file, fieldnames=table.columns, extrasaction="raise")
            writers[name].writeheader()
        for name, row in rows(projections, as_of):
            writers[name].writerow({key: neutralise(value) for key, value in row.items()})
    return found


def frictionless_schema(table: Table) -> dict:
    """The table's Frictionless Table Schema."""
    return {
        "fields": [{"name": name, "type": kind} for name, kind in table.fields],
        "primaryKey": table.primary_key,
        "foreignKeys": [
            {"fields": column, "reference": {"resource": target, "fields": "id"}}
            for column, target in table.foreign_keys
        ],
        "missingValues": [""],
    }
