"""How GraphQL reads: the REST projections, a batch at a time, through the shared selectors.

Objects returned together form a `Batch`. When a field of one object needs more data (an
actor's affiliations, an affiliation's other actor, a citation's source), it is loaded once
for every object of the batch, so the number of SQL queries depends on the shape of the
query, never on the number of objects. Every row is read through `sahel.core.selectors`
(`public(Model, as_of=...)`) and shaped by the same projections as the REST API, so
visibility, `as_of` and `valid_at` are decided in one place; a reference to a hidden
object (a published event's draft participant) resolves to null, because the projection
only summarises public objects and the batch only loads public ones.

Why not strawberry-django's model types and its optimizer: `asOf` reads historical rows,
whose foreign keys point at *live* rows, and strawberry-django does not apply a type's
`get_queryset` to forward foreign keys; both would read past the selectors. The batches
here give the optimizer's guarantee (queries per level, not per object), pinned in tests.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from sahel.core import selectors
from sahel.graphql.budget import Budget
from sahel.graphql.selection import narrowed, ref_columns, wanted
from sahel.read import compiled
from sahel.read.projection import Projection


class Record:
    """One object as GraphQL sees it: a projected item (attribute access), the row it was
    built from (its foreign key ids) and the batch it was read with."""

    __slots__ = ("batch", "item", "row")

    def __init__(self, item: dict, batch: "Batch | None" = None, row: dict | None = None):
        self.item, self.batch, self.row = item, batch, row or {}

    def __getattr__(self, name):
        return item_attribute(self, name)

    @property
    def id(self):
        return self.item["id"]


def item_attribute(record: Record, name: str):
    """An item of `record` as an attribute: a dict as a record of its own; AttributeError
    when the item has no such key (what `Record.__getattr__` answers, and the compiled
    plans read without the failed attribute lookup that leads Python to it)."""
    try:
        value = record.item[name]
    except KeyError:
        raise AttributeError(name) from None
    return Record(value) if isinstance(value, dict) else value


def referenced_id(record: Record, name: str):
    """The id of the object `record` refers to under `name`: from the projection's summary
    (null when hidden), or from a kept foreign key column (read through `public()` later,
    so a hidden target stays hidden)."""
    if name in record.item:
        return (record.item[name] or {}).get("id")
    return record.row.get(f"{name}_id")


@dataclass
class Batch:
    """Objects of one projection read together at one instant."""

    projection: type[Projection]
    as_of: datetime.datetime | None
    budget: Budget
    records: list[Record] = field(default_factory=list)
    _loaded: dict = field(default_factory=dict)
    histories_spent: bool = False  # the budget has counted its objects' histories

    def __post_init__(self):
        self.budget.batches.append(self)  # released with the request (`release`)

    @classmethod
    def read(
        cls,
        projection: type[Projection],
        queryset: QuerySet,
        *,
        as_of,
        budget: Budget,
        keep: Iterable[str] = (),
        fields: frozenset[str] | None = None,
    ) -> "Batch":
        """Read `queryset` (already public at `as_of`) through `projection`, building only
        the parts among `fields` (the query's selection; None: all); `keep`: more columns
        to remember of each row (a foreign key to group by)."""
        columns = [*projection.columns(), *ref_columns(projection), *keep]
        rows = list(queryset.values(*dict.fromkeys(columns)))
        return cls.of_rows(projection, rows, as_of=as_of, budget=budget, fields=fields)

    @classmethod
    def of_rows(
        cls, projection, rows: list[dict], *, as_of, budget: Budget, fields=None
    ) -> "Batch":
        budget.spend_objects(len(rows))
        batch = cls(projection, as_of, budget)  # the whole projection: `history` compares it
        items = narrowed(projection, fields).build_rows(rows, as_of=as_of)
        batch.records = [Record(item, batch, row) for item, row in zip(items, rows, strict=True)]
        return batch

    @classmethod
    def of_items(cls, projection, items: list[dict], *, as_of, budget: Budget) -> "Batch":
        """Items already projected (an actor's names, a citation list)."""
        budget.spend_objects(len(items))
        batch = cls(projection, as_of, budget)
        batch.records = [Record(item, batch) for item in items]
        return batch

    @property
    def ids(self) -> list:
        return [record.id for record in self.records]

    def once(self, key, load: Callable[["Batch"], object]):
        """`load(self)`, computed once for the whole batch and `key`."""
        if key not in self._loaded:
            self._loaded[key] = load(self)
        return self._loaded[key]

    # -- the relations every type uses ----------------------------------------------------

    def children(
        self, name: str, projection: type[Projection] | None, *, parent: str | None = None
    ) -> dict[int, list[Record]]:
        """A list the projection already built (names, participants, citations), as one
        batch of its own so that its items' relations load together too; `parent`: the
        name under which a child refers back to its owner (a participation's event)."""

        def load(batch):
            owners, items = [], []
            for record in batch.records:
                for child in record.item.get(name) or ():
                    owners.append(record.id)
                    items.append(child)
            children = Batch.of_items(projection, items, as_of=batch.as_of, budget=batch.budget)
            grouped = defaultdict(list)
            for owner, child in zip(owners, children.records, strict=True):
                if parent is not None:
                    child.row = {f"{parent}_id": owner}
                grouped[owner].append(child)
            return grouped

        return self.once(("children", name), load)

    def reference(
        self, name: str, projection: type[Projection], fields: frozenset[str] | None = None
    ) -> dict[int, Record]:
        """The full public objects that the items summarise under `name` (null when hidden:
        the projection summarises public objects only, and only those are read)."""

        def load(batch):
            ids = {referenced_id(record, name) for record in batch.records} - {None}
            if not ids:
                return {}
            model = projection.model
            columns = list(dict.fromkeys([*projection.columns(), *ref_columns(projection)]))
            rows = compiled.rows(  # one SQL text per model and process (sahel.read.compiled)
                ("graphql reference", model, tuple(columns)),
                lambda as_of, ids: (
                    selectors.public(model, as_of=as_of).filter(id__in_ids=ids).values(*columns)
                ),
                batch.as_of,
                ids,
            )
            loaded = Batch.of_rows(
                projection, rows, as_of=batch.as_of, budget=batch.budget, fields=fields
            )
            return {record.id: record for record in loaded.records}

        return self.once(("reference", name, fields), load)

    def related(
        self,
        key,
        projection: type[Projection],
        fk: str,
        narrow: Callable[[QuerySet], QuerySet] = lambda queryset: queryset,
        *,
        ordering: tuple = ("id",),
        keep: Iterable[str] = (),
        fields: frozenset[str] | None = None,
    ) -> dict[int, list[Record]]:
        """Public objects of `projection.model` whose `fk` points at one of the batch's
        objects, grouped by it; `narrow` filters them (valid time, types)."""

        def load(batch):
            column = f"{fk}_id"
            # The batch's objects are public: their children are not checked again.
            queryset = selectors.public(projection.model, as_of=batch.as_of, known=(fk,)).filter(
                **{f"{column}__in_ids": batch.ids}
            )
            loaded = Batch.read(
                projection,
                narrow(queryset).order_by(*ordering),
                as_of=batch.as_of,
                budget=batch.budget,
                keep=(column, *keep),
                fields=fields,
            )
            grouped = defaultdict(list)
            for record in loaded.records:
                grouped[record.row[column]].append(record)
            return grouped

        return self.once(("related", key, fields), load)


def reference(record: Record, name: str, projection, info) -> Record | None:
    """The public object `record` refers to under `name`, loaded for its whole batch."""
    pk = referenced_id(record, name)
    if pk is None:
        return None
    return record.batch.reference(name, projection, wanted(info)).get(pk)
