"""Projections: the JSON shape of each resource, built a page at a time.

A projection declares the columns of its model, its fuzzy dates, the objects it refers to
(`refs`: summaries of other public objects, or null when they are hidden), its children
(names of an actor, participants of an event) and whether it carries citations.
`build_rows()` turns a page of rows into dicts with a fixed number of queries, whatever the
page size: one per projection level for the rows, one per reference, one for citations and
one for their sources. `build_groups()` does the same for several pages at once, each at
its own instant (the change feed compares objects before and after each of many change
sets), with the same queries: each reads every group through a UNION ALL of the groups'
querysets (`read_groups`). Every query goes
through `sahel.core.selectors`, live or `as_of` alike: rows are read with `.values()`, never by
following model relations, so historical rows and live rows are projected the same way and
a hidden object cannot slip in through a relation.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter

from django.db import connection
from django.db.models import JSONField, Value

from sahel.core import selectors
from sahel.read import compiled


def fuzzy_date(edtf: str, lower: datetime.date | None, upper: datetime.date | None):
    if not edtf:
        return None
    return {
        "edtf": edtf,
        "lower": lower.isoformat() if lower else None,
        "upper": upper.isoformat() if upper else None,
    }


@dataclass(frozen=True)
class Ref:
    """A foreign key shown as a summary of the target, or null when it is not public."""

    model: type
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Child:
    """Rows of another model pointing here through `fk`, shown as a list."""

    projection: type["Projection"]
    fk: str


class Projection:
    model: type
    fields: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    refs: dict[str, Ref] = {}
    children: dict[str, Child] = {}
    cited: bool = True

    @classmethod
    def columns(cls) -> list[str]:
        columns = ["id", *cls.fields]
        for name in cls.dates:
            columns += [name, f"{name}_lower", f"{name}_upper"]
        columns += [f"{name}_id" for name in cls.refs]
        return list(dict.fromkeys(columns))

    @classmethod
    def flat_columns(cls) -> list[str]:
        """The columns of the flat (CSV) rendering, fixed by the declaration: scalars only.
        Lists (names, identifiers, participants, citations, a source's authors) are tables
        of their own, joined by id (`sahel.read.tables`: `/export/?format=csv&table=`)."""
        columns = ["id"]
        for name in cls.fields:
            if not isinstance(cls.model._meta.get_field(name), JSONField):
                columns.append(name)
        for name in cls.dates:
            columns += [f"{name}.edtf", f"{name}.lower", f"{name}.upper"]
        for name, ref in cls.refs.items():
            columns += [f"{name}.id", *(f"{name}.{field}" for field in ref.fields)]
        return columns

    @classmethod
    def object_rows(cls, pk: int, *, as_of=None) -> list[dict]:
        """The row of public object `pk` for `build_rows` ([] when hidden or absent)."""
        return compiled.rows(
            ("object", cls.model, tuple(cls.columns())),
            lambda as_of, pk: (
                selectors.public(cls.model, as_of=as_of).filter(id=pk).values(*cls.columns())
            ),
            as_of,
            pk,
        )

    @classmethod
    def build_rows(cls, rows: list[dict], *, as_of=None) -> list[dict]:
        return cls.build_groups({None: (as_of, rows)})[None]

    @classmethod
    def build_groups(cls, groups: dict) -> dict:
        """key -> (as_of, rows) to key -> items: several pages, each at its own instant,
        in the queries of one (each reads all groups at once; one group: the same queries
        as `build_rows`). The rows must be of objects public at their group's instant (read
        through `selectors.public`): their children and citations are read as theirs
        without checking them again."""
        found = {key: [] for key in groups}
        groups = {key: (as_of, rows) for key, (as_of, rows) in groups.items() if rows}
        if not groups:
            return found
        objects = {
            key: (as_of, [row["id"] for row in rows]) for key, (as_of, rows) in groups.items()
        }
        referenced = {
            name: _summaries(
                ref,
                {
                    key: (as_of, {row[f"{name}_id"] for row in rows})
                    for key, (as_of, rows) in groups.items()
                },
            )
            for name, ref in cls.refs.items()
        }
        children = {name: _children(child, objects) for name, child in cls.children.items()}
        citations = citations_by_group(cls.model, objects) if cls.cited else {}
        for key, (_, rows) in groups.items():
            for row in rows:
                item = {"id": row["id"]}
                for name in cls.fields:
                    item[name] = row[name]
                for name in cls.dates:
                    item[name] = fuzzy_date(row[name], row[f"{name}_lower"], row[f"{name}_upper"])
                for name in cls.refs:
                    item[name] = referenced[name][key].get(row[f"{name}_id"])
                for name in cls.children:
                    item[name] = children[name][key].get(row["id"], [])
                if cls.cited:
                    item["citations"] = citations.get(key, {}).get(row["id"], [])
                found[key].append(item)
        return found


def _summaries(ref: Ref, groups: dict) -> dict:
    """key -> (as_of, ids) to key -> {id: summary of the public ones}."""
    wanted = {}
    for key, (as_of, ids) in groups.items():
        ids.discard(None)
        if ids:
            wanted[key] = (as_of, ids)
    rows = _read(
        ("summaries", ref.model),
        lambda as_of, ids: selectors.public(ref.model, as_of=as_of).filter(id__in_ids=ids),
        wanted,
        ["id", *ref.fields],
    )
    return {key: {row["id"]: row for row in rows.get(key, [])} for key in groups}


def _children(child: Child, groups: dict) -> dict:
    """key -> (as_of, parent ids) to key -> {parent id: [items]}."""
    fk = f"{child.fk}_id"
    rows = _read(
        ("children", child.projection.model, child.fk),
        # The parents are public (build_groups projects public rows): not checked again.
        lambda as_of, ids: selectors.public(
            child.projection.model, as_of=as_of, known=(child.fk,)
        ).filter(**{f"{fk}__in_ids": ids}),
        groups,
        [*child.projection.columns(), fk],
        order=(fk, "id"),
    )
    items = child.projection.build_groups(
        {key: (as_of, rows[key]) for key, (as_of, _) in groups.items()}
    )
    grouped = {}
    for key in groups:
        grouped[key] = defaultdict(list)
        for row, item in zip(rows[key], items[key], strict=True):
            grouped[key][row[fk]].append(item)
    return grouped


def _read(shape: tuple, build, groups: dict, fields: list[str], order: tuple = ()) -> dict:
    """key -> (as_of, ids) to key -> rows of `build(as_of, ids)` (a queryset of one model;
    `shape` names it), as `read_groups` reads them. One group (a page, an object) is read
    through SQL compiled once per shape and process (`sahel.read.compiled`)."""
    if len(groups) != 1:
        return read_groups({key: build(*args) for key, args in groups.items()}, fields, order)
    [(key, (as_of, ids))] = groups.items()

    def values(as_of, ids):
        queryset = build(as_of, ids)
        return (queryset.order_by(*order) if order else queryset).values(*fields)

    return {key: compiled.rows((*shape, tuple(fields), order), values, as_of, ids)}


# SQLite refuses a compound select of more than 500 terms (SQLITE_MAX_COMPOUND_SELECT).
SQLITE_MAX_UNION_TERMS = 400
GROUP = "projection_group"


def read_groups(querysets: dict, fields: list[str], order: tuple = ()) -> dict:
    """key -> queryset (of one model) to key -> rows (`.values(*fields)`, sorted by
    `order`), in one query: a UNION ALL of the querysets, each row tagged with its group
    (on SQLite, one query per SQLITE_MAX_UNION_TERMS groups). One queryset is read as it
    is, ordered in SQL."""
    found = {key: [] for key in querysets}
    if not querysets:
        return found
    if len(querysets) == 1:
        [(key, queryset)] = querysets.items()
        found[key] = list((queryset.order_by(*order) if order else queryset).values(*fields))
        return found
    keys = list(querysets)
    terms = [
        querysets[key].order_by().annotate(**{GROUP: Value(number)}).values(*fields, GROUP)
        for number, key in enumerate(keys)
    ]
    size = SQLITE_MAX_UNION_TERMS if connection.vendor == "sqlite" else len(terms)
    for start in range(0, len(terms), size):
        first, *rest = terms[start : start + size]
        for row in first.union(*rest, all=True) if rest else first:
            found[keys[row.pop(GROUP)]].append(row)
    if order:
        for rows in found.values():
            rows.sort(key=itemgetter(*order))
    return found


CITATION_COLUMNS = (
    "id",
    "object_id",
    "source_id",
    "locator",
    "quote",
    "stance",
    "credibility",
    "field_name",
    "note",
)  # a citation's columns, in the order `citation_item` reads them
SOURCE_SUMMARY = ("slug", "title", "kind", "publisher", "publication_date", "url", "reliability")


def citation_item(row, source: dict | None) -> dict:
    """A citation as the API shows it: `row` holds CITATION_COLUMNS in order (the export's
    rows; the pages' are read the same way), `source` its source's summary."""
    return {
        "id": row[0],
        "source": source,
        "locator": row[3],
        "quote": row[4],
        "stance": row[5],
        "credibility": row[6],
        "field": row[7] or None,
        "note": row[8],
    }


_CITATION_ROW = itemgetter(*CITATION_COLUMNS)


def citations_by_group(model, groups: dict) -> dict:
    """key -> (as_of, ids) of public objects to key -> {object id: its citations, each with
    a summary of its source}, for the groups that have any (two queries for all groups)."""
    from sources.models import Source

    rows = _read(
        ("citations", model),
        lambda as_of, ids: selectors.public_citations(model, ids, as_of=as_of),
        groups,
        list(CITATION_COLUMNS),
        order=("object_id", "id"),
    )
    rows = {key: found for key, found in rows.items() if found}
    if not rows:
        return {}
    sources = _read(
        ("summaries", Source),
        lambda as_of, ids: selectors.public(Source, as_of=as_of).filter(id__in_ids=ids),
        {key: (groups[key][0], {row["source_id"] for row in found}) for key, found in rows.items()},
        ["id", *SOURCE_SUMMARY],
    )
    result = {}
    for key, found in rows.items():
        summaries = {row["id"]: row for row in sources[key]}
        grouped = result[key] = defaultdict(list)
        for row in found:
            grouped[row["object_id"]].append(
                citation_item(_CITATION_ROW(row), summaries.get(row["source_id"]))
            )
    return result
