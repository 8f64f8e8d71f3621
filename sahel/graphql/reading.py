"""How GraphQL reads: the REST projections, a batch at a time, through the shared selectors.

Objects returned together form a `Batch`. When a field of one object needs more data (an
actor's affiliations, an affiliation's other actor, a citation's source), it is loaded once
for every object of the batch, so the number of SQL queries depends on the shape of the
query, never on the number of objects. Every row is read through `sahel.selectors`
(`public(Model, as_of=...)`) and shaped by the same projections as the REST API, so
visibility, `as_of` and `valid_at` are decided in one place; a reference to a hidden
object (a published event's draft participant) resolves to null, because the projection
only summarises public objects and the batch only loads public ones.

Why not strawberry-django's model types and its optimizer: `asOf` reads historical rows,
whose foreign keys point at *live* rows, and strawberry-django does not apply a type's
`get_queryset` to forward foreign keys; both would read past the selectors. The batches
here give the optimizer's guarantee (queries per level, not per object), pinned in tests.
"""

import base64
import datetime
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django_filters import MultipleChoiceFilter
from graphql import GraphQLError
from rest_framework import exceptions as drf_exceptions
from strawberry import UNSET
from strawberry.types.nodes import FragmentSpread, InlineFragment

from sahel import selectors
from sahel.api import compiled
from sahel.api.projection import Projection
from sahel.fuzzy_dates import parse_bounds

MAX_PAGE_SIZE = 1000  # `first` on every connection, as `page_size` in REST
DEFAULT_PAGE_SIZE = 100
MAX_OBJECTS = 20_000  # objects one query may build, nested lists included
MAX_HISTORIES = 25  # objects one query may ask the history of (each costs a walk)


class PublicError(GraphQLError):
    """An error meant for the client (bad input, a limit): shown as is, never masked."""

    def __init__(self, message: str, *, argument: str | None = None, code="BAD_USER_INPUT"):
        extensions = {"code": code}
        if argument:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)


def bad_argument(argument: str, problem: str) -> PublicError:
    return PublicError(f"Bad argument `{argument}`: {problem}", argument=argument)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def input_errors(exc: Exception, *, prefix: str = "", names: dict | None = None) -> PublicError:
    """A DRF or Django validation error (keyed by REST parameter names) as one GraphQL
    error naming the GraphQL argument."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    else:
        detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
    names = names or {}
    problems, first = [], None
    for param, messages in detail.items():
        argument = names.get(param, prefix + camel(param)) if param else prefix.rstrip(".")
        first = first or argument
        text = " ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
        problems.append(f"`{argument}`: {text}")
    return PublicError("Bad argument " + "; ".join(problems), argument=first)


VALIDATION_ERRORS = (DjangoValidationError, drf_exceptions.ValidationError)


def parse_as_of(raw: str | None) -> datetime.datetime | None:
    """`asOf`: the same syntax and rules as REST's `as_of` (one parser for both)."""
    from sahel.api.views import parse_instant

    if raw is None:
        return None
    try:
        return parse_instant(raw)
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc, names={"as_of": "asOf"}) from None


def parse_valid_at(raw: str | None, argument: str = "validAt"):
    """An EDTF date or period, as (lower, upper) bounds."""
    if raw is None:
        return None
    try:
        bounds = parse_bounds(raw)
    except DjangoValidationError as exc:
        raise bad_argument(argument, " ".join(exc.messages)) from None
    if bounds.lower is None and bounds.upper is None:
        raise bad_argument(argument, f"{raw!r} has no known bounds.")
    return bounds


# -- the request's budget --------------------------------------------------------------------


@dataclass
class Budget:
    """What one GraphQL request may still build (kept on the request context)."""

    objects: int = MAX_OBJECTS
    histories: int = MAX_HISTORIES
    batches: list = field(default_factory=list)  # every batch read, released at the end

    def spend_objects(self, count: int) -> None:
        self.objects -= count
        if self.objects < 0:
            raise PublicError(
                f"The query asks for more than {MAX_OBJECTS} objects: ask for fewer "
                "(a smaller `first`, fewer nested lists).",
                code="QUERY_TOO_LARGE",
            )

    def spend_history(self) -> None:
        self.histories -= 1
        if self.histories < 0:
            raise PublicError(
                f"`history` may be asked of at most {MAX_HISTORIES} objects a query; use "
                "`changes` to follow all changes.",
                code="QUERY_TOO_LARGE",
            )


def release(context) -> None:
    """Let go of the request's batches once its answer is built. A batch and its records
    point at each other, so without this they wait for Python's cycle collector: thousands
    of records a nested query, promoted to the old generation and traversed again by every
    full collection (a 100-200 ms pause every few requests at `medium`). Cleared, they are
    freed at once."""
    found = getattr(context, "sahel_budget", None)
    if found is None:
        return
    for batch in found.batches:
        batch.records = []
        batch._loaded = {}
    found.batches.clear()


def budget(info) -> Budget:
    context = info.context
    found = getattr(context, "sahel_budget", None)
    if found is None:
        found = Budget()
        context.sahel_budget = found
    return found


# -- records and batches ---------------------------------------------------------------------


# -- what the query asks for ----------------------------------------------------------------


@functools.cache
def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def selection_names(selections) -> set[str]:
    names = set()
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            names |= selection_names(selection.selections)
        else:
            names.add(_snake(selection.name))
    return names


def selections_of(selections, name: str) -> list:
    found = []
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            found += selections_of(selection.selections, name)
        elif selection.name == name:
            found += selection.selections
    return found


def _per_field(info, key: str, compute: Callable):
    """`compute(info.selected_fields[0].selections)` once per field of the query, not once
    per object it is resolved on: strawberry rebuilds `selected_fields` from the syntax
    tree on every call (a nested list of 1,000 ties asked it 1,000 times). Kept for the
    request, keyed by the field's syntax node, which lives as long as the request."""
    cache = getattr(info.context, "sahel_selections", None)
    if cache is None:
        cache = info.context.sahel_selections = {}
    nodes = tuple(id(node) for node in info._raw_info.field_nodes)
    found = cache.get((key, nodes))
    if found is None:
        found = cache[(key, nodes)] = compute(info.selected_fields[0].selections)
    return found


def wanted(info) -> frozenset[str]:
    """The fields asked of the object(s) the current field returns (snake_case)."""
    return _per_field(info, "object", lambda field: frozenset(selection_names(field)))


def wanted_in_connection(info) -> frozenset[str]:
    """The fields asked of the nodes of the connection the current field returns."""

    def nodes(field) -> frozenset[str]:
        found = selections_of(field, "nodes") + selections_of(selections_of(field, "edges"), "node")
        return frozenset(selection_names(found))

    return _per_field(info, "connection", nodes)


_narrowed: dict = {}


def narrowed(projection: type[Projection], fields: frozenset[str] | None) -> type[Projection]:
    """`projection` without the references, children and citations the query does not ask
    for (None: everything). Columns and the shape of what is kept are unchanged."""
    if fields is None:
        return projection
    refs = {name: ref for name, ref in projection.refs.items() if name in fields}
    children = {name: c for name, c in projection.children.items() if name in fields}
    cited = projection.cited and "citations" in fields
    key = (projection, frozenset(refs), frozenset(children), cited)
    if key not in _narrowed:
        _narrowed[key] = type(
            projection.__name__ + "Narrowed",
            (projection,),
            {"refs": refs, "children": children, "cited": cited},
        )
    return _narrowed[key]


def _ref_columns(projection: type[Projection]) -> list[str]:
    # Kept whatever the narrowing: a reference the query asks for later is read by id.
    return [f"{name}_id" for name in projection.refs]


class Record:
    """One object as GraphQL sees it: a projected item (attribute access), the row it was
    built from (its foreign key ids) and the batch it was read with."""

    __slots__ = ("batch", "item", "row")

    def __init__(self, item: dict, batch: "Batch | None" = None, row: dict | None = None):
        self.item, self.batch, self.row = item, batch, row or {}

    def __getattr__(self, name):
        try:
            value = self.item[name]
        except KeyError:
            raise AttributeError(name) from None
        return Record(value) if isinstance(value, dict) else value

    @property
    def id(self):
        return self.item["id"]


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
        columns = [*projection.columns(), *_ref_columns(projection), *keep]
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
            columns = list(dict.fromkeys([*projection.columns(), *_ref_columns(projection)]))
            rows = compiled.rows(  # one SQL text per model and process (sahel.api.compiled)
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


# -- connections -----------------------------------------------------------------------------


def encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_offset(cursor: str | None, argument: str = "after") -> int:
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, number = raw.split(":")
        if prefix != "offset" or not number.isdigit() or len(number) > 18:
            raise ValueError
        return int(number) + 1
    except (ValueError, UnicodeDecodeError):
        raise bad_argument(argument, f"{cursor!r} is not a cursor given out here.") from None


def page_size(first: int | None, argument: str = "first") -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise bad_argument(argument, f"{first}: give a whole number from 1 to {MAX_PAGE_SIZE}.")
    return first


class Page:
    """One page of a connection: its records, lazily its total count."""

    def __init__(self, queryset: QuerySet, records: list[Record], offset: int, has_next: bool):
        self._queryset, self.records, self.offset, self.has_next = (
            queryset,
            records,
            offset,
            has_next,
        )

    @property
    def total_count(self) -> int:
        return self._queryset.order_by().count()


def read_page(info, projection, queryset: QuerySet, *, first, after, as_of) -> Page:
    size = page_size(first)
    offset = decode_offset(after)
    columns = dict.fromkeys([*projection.columns(), *_ref_columns(projection)])
    window = list(queryset.values(*columns)[offset : offset + size + 1])
    has_next = len(window) > size
    batch = Batch.of_rows(
        projection,
        window[:size],
        as_of=as_of,
        budget=budget(info),
        fields=wanted_in_connection(info),
    )
    return Page(queryset, batch.records, offset, has_next)


def filter_data(values: dict, filterset_class) -> QueryDict:
    """GraphQL filter arguments (Python names = REST parameter names) as REST query data,
    so the REST FilterSet decides, once for both APIs."""
    data = QueryDict(mutable=True)
    for name, value in values.items():
        if value is None or value is UNSET:
            continue
        if isinstance(value, list | tuple):
            values_ = [str(getattr(v, "value", v)) for v in value]
            if isinstance(filterset_class.base_filters.get(name), MultipleChoiceFilter):
                data.setlist(name, values_)
            else:  # REST's comma-separated form
                data[name] = ",".join(values_)
        else:
            data[name] = str(getattr(value, "value", value))
    unknown = set(data) - set(filterset_class.base_filters)
    if unknown:  # a programming error: the input type and the FilterSet drifted apart
        raise TypeError(f"{filterset_class.__name__} has no filter {sorted(unknown)}.")
    return data


def input_values(filter_input) -> dict:
    """A GraphQL filter input object as {REST parameter name: value}."""
    if filter_input is None or filter_input is UNSET:
        return {}
    return {name: getattr(filter_input, name) for name in filter_input.__dataclass_fields__}


def filtered(
    filterset_class, queryset: QuerySet, values: dict, *, as_of, names: dict | None = None
) -> QuerySet:
    filterset = filterset_class(
        filter_data(values, filterset_class), queryset=queryset, as_of=as_of
    )
    try:
        if not filterset.is_valid():
            raise drf_exceptions.ValidationError(filterset.errors)
        return filterset.qs
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc, prefix="filter.", names=names) from None


# -- root fields -----------------------------------------------------------------------------


def resource_page(
    info, resource, *, filters: dict, ordering, first, after, as_of, names: dict | None = None
) -> Page:
    """A root list: the REST resource's rows (public at `as_of`), filtered by its FilterSet,
    ordered by its orderings, one page of them projected."""
    from sahel.api.views import order_by_param

    instant = parse_as_of(as_of)
    queryset = selectors.public(resource.projection.model, as_of=instant)
    queryset = filtered(resource.filterset_class, queryset, filters, as_of=instant, names=names)
    try:
        queryset = order_by_param(
            queryset,
            resource.projection.model,
            resource.orderings,
            ordering,
            default=resource.default_ordering,
        )
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc) from None
    return read_page(info, resource.projection, queryset, first=first, after=after, as_of=instant)


def resource_object(info, resource, *, id=None, slug=None, as_of=None) -> Record | None:
    """One public object by id or slug (exactly one of them), or null: hidden and absent
    objects answer alike."""
    if (id is None) == (slug is None):
        raise PublicError("Give exactly one of `id` and `slug`.", argument="id")
    instant = parse_as_of(as_of)
    projection = resource.detail_projection or resource.projection
    queryset = selectors.public(projection.model, as_of=instant)
    if id is not None:
        if not str(id).isdigit() or len(str(id)) > 18:
            raise bad_argument("id", f"{id!r} is not an id (a whole number).")
        queryset = queryset.filter(id=int(id))
    else:
        queryset = queryset.filter(slug=slug)
    records = Batch.read(
        projection, queryset, as_of=instant, budget=budget(info), fields=wanted(info)
    ).records
    return records[0] if records else None


def reference(record: Record, name: str, projection, info) -> Record | None:
    """The public object `record` refers to under `name`, loaded for its whole batch."""
    pk = referenced_id(record, name)
    if pk is None:
        return None
    return record.batch.reference(name, projection, wanted(info)).get(pk)
