"""Projections: the JSON shape of each resource, built a page at a time.

A projection declares the columns of its model, its fuzzy dates, the objects it refers to
(`refs`: summaries of other public objects, or null when they are hidden), its children
(names of an actor, participants of an event) and whether it carries citations. `build()`
turns a page of rows into dicts with a fixed number of queries, whatever the page size:
one per projection level for the rows, one per reference, one for citations and one for
their sources. Every query goes through `sahel.selectors`, live or `as_of` alike: rows are
read with `.values()`, never by following model relations, so historical rows and live
rows are projected the same way and a hidden object cannot slip in through a relation.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from sahel import selectors


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
        """The columns of the flat (CSV) rendering, fixed by the declaration."""
        columns = ["id", *cls.fields]
        for name in cls.dates:
            columns += [f"{name}.edtf", f"{name}.lower", f"{name}.upper"]
        for name, ref in cls.refs.items():
            columns += [f"{name}.id", *(f"{name}.{field}" for field in ref.fields)]
        columns += list(cls.children)
        if cls.cited:
            columns.append("citations")
        return columns

    @classmethod
    def build_rows(cls, rows: list[dict], *, as_of=None) -> list[dict]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        referenced = {
            name: cls._summaries(ref, {row[f"{name}_id"] for row in rows}, as_of)
            for name, ref in cls.refs.items()
        }
        children = {name: cls._children(child, ids, as_of) for name, child in cls.children.items()}
        citations = citations_by_object(cls.model, ids, as_of=as_of) if cls.cited else {}
        result = []
        for row in rows:
            item = {"id": row["id"]}
            for name in cls.fields:
                item[name] = row[name]
            for name in cls.dates:
                item[name] = fuzzy_date(row[name], row[f"{name}_lower"], row[f"{name}_upper"])
            for name in cls.refs:
                item[name] = referenced[name].get(row[f"{name}_id"])
            for name in cls.children:
                item[name] = children[name].get(row["id"], [])
            if cls.cited:
                item["citations"] = citations.get(row["id"], [])
            result.append(item)
        return result

    @staticmethod
    def _summaries(ref: Ref, ids: set, as_of) -> dict:
        ids.discard(None)
        if not ids:
            return {}
        rows = selectors.public(ref.model, as_of=as_of).filter(id__in=ids)
        return {row["id"]: row for row in rows.values("id", *ref.fields)}

    @staticmethod
    def _children(child: Child, parent_ids: list, as_of) -> dict:
        fk = f"{child.fk}_id"
        queryset = (
            selectors.public(child.projection.model, as_of=as_of)
            .filter(**{f"{fk}__in": parent_ids})
            .order_by(fk, "id")
        )
        rows = list(queryset.values(*child.projection.columns(), fk))
        grouped = defaultdict(list)
        for row, item in zip(rows, child.projection.build_rows(rows, as_of=as_of), strict=True):
            grouped[row[fk]].append(item)
        return grouped


SOURCE_SUMMARY = ("slug", "title", "kind", "publisher", "publication_date", "url", "reliability")


def citations_by_object(model, ids, *, as_of=None) -> dict[int, list[dict]]:
    """Public citations of the given objects, each with a summary of its source."""
    from sources.models import Source

    rows = list(
        selectors.public_citations(model, ids, as_of=as_of)
        .order_by("object_id", "id")
        .values(
            "id",
            "object_id",
            "source_id",
            "locator",
            "quote",
            "stance",
            "credibility",
            "field_name",
            "note",
        )
    )
    if not rows:
        return {}
    sources = {
        row["id"]: row
        for row in selectors.public(Source, as_of=as_of)
        .filter(id__in={row["source_id"] for row in rows})
        .values("id", *SOURCE_SUMMARY)
    }
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["object_id"]].append(
            {
                "id": row["id"],
                "source": sources.get(row["source_id"]),
                "locator": row["locator"],
                "quote": row["quote"],
                "stance": row["stance"],
                "credibility": row["credibility"],
                "field": row["field_name"] or None,
                "note": row["note"],
            }
        )
    return grouped
