"""Which objects a stretch of change sets touches, a bounded page at a time (the feed's
positions inside change sets: `sahel.read.feed.feed_page`).

An object of a resource is touched by a change set when its representation reads a row the
change set wrote: its own row, a row it refers to (an affiliation's actors), a child's (an
actor's names, an event's participants, and theirs in turn) or a citation of any of these
(written, or of a source written). Each way is one SQL join from the rows written to the
owners, over the history rows that may have been public (`selectors.history_rows_maybe_public`:
hidden work is left out in SQL); only owner rows that existed by the change set's instant
count (nothing written later can have read what it wrote).

A resource's owners are read in feed order, (change set, id), after a position and at most
`limit` of them: one query per resource, a `UNION ALL` of its ways, each distinct, ordered
and limited on its own. The first `limit` owners after the position are among the first
`limit` of each way, so the page is exact, and what Python holds is bounded by `limit`, not
by the size of a change set. Rows of a change set share its instant (`history_date`, stamped
in commit order by `sahel.core.history`), so the order and the position are read on the
history rows' `history_date` index, without the change-set log.

The joins are written in SQL around the ORM's own SQL for the rows of each model
(`QuerySet.query.sql_with_params()`): the ORM has no join between two history tables. That
SQL does not depend on the page (the instants are bound outside it), so it is built once
(`ways`). On PostgreSQL each owner row is probed by key and instant for each row written
(`_probe`, on the (key, history_date) indexes of `sahel/core/0004`), so a page reads the
owners of the rows written, not every row that may own something.
`SAHEL_FEED_OWNERS_SQL=0` turns this off: the owners are then found the way the history
finds them (`changes.objects_touched`, all of a change set's at once) and cut in Python;
`tests/api/test_feed_positions.py` compares the two.
"""

import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from sahel.core import selectors


@dataclass(frozen=True)
class Way:
    """SQL selecting (t, cs, owner): the instant and change set of a row written, and the id
    of an object whose representation reads it."""

    sql: str
    params: tuple


def _rows(model, *columns, **filters) -> Way:
    """The history rows of `model` that may have been public, as SQL."""
    queryset = selectors.history_rows_maybe_public(model).filter(**filters)
    sql, params = queryset.order_by().values(*columns).query.sql_with_params()
    return Way(sql, tuple(params))


def _written(model, *columns) -> Way:
    """The rows of `model` written in change sets (that may have been public), as `w`; the
    caller bounds them by instant (`BOUNDS`)."""
    return _rows(
        model,
        *dict.fromkeys(("id", *columns)),
        "history_date",
        "change_set",
        change_set__isnull=False,
    )


# The instants a way's rows written are read in, [lower, upper]: the last two parameters of
# every way, applied outside the ORM's SQL of the rows (the planner pushes them into the
# scan of the rows written, on their `history_date` index), so that SQL does not depend on
# them and is built once (`ways`).
BOUNDS = " WHERE w.history_date >= %s AND w.history_date <= %s"


# "The owner row existed by the change set's instant". On PostgreSQL each owner row is probed
# by its key and instant on a (key, history_date) index (`sahel/core/0004`); elsewhere, as a
# plain join, in a form no index serves for ties and participants: probing them by key and
# checking the instant on the few rows found is fast, where a planner that ANDs in the
# history_date index reads every earlier row per key (2 s → 0.34 s at `tenth`).
_AT_OR_BEFORE = "COALESCE({0}.history_date, {0}.history_date) <= w.history_date"


_ways: dict = {}


def ways(projection, owner: str = "id") -> list[Way]:
    """Every way a row written reaches an object of `projection`, as the `owner` column of
    its row (a child's: the key of its parent); each ends with `BOUNDS`, whose two
    parameters the caller adds. Built by the ORM once per database and content types (the
    SQL names them by id): building it took most of a page's time (0.9 s of 1.8 s at
    `tenth`)."""
    key = (projection, owner, connection.alias, _content_types())
    if key not in _ways:
        _ways[key] = _build_ways(projection, owner)
    return _ways[key]


def _content_types() -> tuple:
    from sahel.core.models import citable_models

    return tuple(ContentType.objects.get_for_model(model).pk for model in citable_models())


def _build_ways(projection, owner: str) -> list[Way]:
    model = projection.model
    select = "SELECT w.history_date AS t, w.change_set AS cs"
    own = _written(model, owner)
    found = [Way(f"{select}, w.{owner} AS owner FROM ({own.sql}) w{BOUNDS}", own.params)]
    for name, ref in projection.refs.items():
        written = _written(ref.model)
        rows = _rows(model, owner, f"{name}_id", "history_date")
        probe = _probe(rows.sql, "h", f"h.{name}_id = w.id", _AT_OR_BEFORE.format("h"))
        found.append(
            Way(
                f"{select}, h.{owner} AS owner FROM ({written.sql}) w{probe}{BOUNDS}",
                written.params + rows.params,
            )
        )
    for child in projection.children.values():
        if child.projection.children:
            raise NotImplementedError("children of children")
        found += _build_ways(child.projection, f"{child.fk}_id")
    if projection.cited:
        from sources.models import Citation, Source

        content_type = ContentType.objects.get_for_model(model).pk
        citations = _rows(
            Citation,
            "id",
            "source_id",
            "object_id",
            "history_date",
            content_type_id=content_type,
        )
        target, parents = "c.object_id", ""
        if owner != "id":
            # A child's citation: its parent from the child's rows (any of them: a child
            # keeps its parent).
            keys = model.history.model._default_manager.values("id", owner).distinct()
            key_sql, key_params = keys.order_by().query.sql_with_params()
            target, parents = f"p.{owner}", _probe(key_sql, "p", "p.id = c.object_id", "")
        for written_model, key in ((Citation, "id"), (Source, "source_id")):
            written = _written(written_model)
            probe = _probe(
                citations.sql, "c", f"c.{key} = w.id", "c.history_date <= w.history_date"
            )
            found.append(
                Way(
                    f"{select}, {target} AS owner FROM ({written.sql}) w{probe}{parents}{BOUNDS}",
                    written.params + citations.params + (tuple(key_params) if parents else ()),
                )
            )
    return found


def _probe(sql: str, alias: str, key: str, at: str) -> str:
    """Join the rows of `sql` as `alias` on `key` (and `at`: the row existed by the instant of
    the row written), conditions that name them and the rows before them.

    PostgreSQL: a LATERAL subquery kept apart (OFFSET 0), probed for each row before it on
    the (key, history_date) index, so that the visibility checks of the rows probed (`IN`
    the ever-public events ...) run on the few rows found. As a plain join it was planned
    apart (`joins_as_written`): every public event's participants, or every participant's
    citations, were read and hashed, for each page (7 s of a page at `medium`, for a change
    set that wrote no citation at all). Elsewhere a plain join, `at` as `_AT_OR_BEFORE`."""
    if connection.vendor == "postgresql":
        at = at and f" AND {alias}.history_date <= w.history_date"
        return (
            f" CROSS JOIN LATERAL (SELECT * FROM ({sql}) {alias} WHERE {key}{at} OFFSET 0) {alias}"
        )
    return f" JOIN ({sql}) {alias} ON {key}{at and f' AND {at}'}"


def owners_after(projection, lower, upper, after, limit: int) -> list[tuple]:
    """Up to `limit` distinct (change set id, owner id) of `projection` touched by change
    sets stamped in [lower, upper], in feed order (instant, then id), after `after`: None
    (from `lower` on), or (instant, id) of this resource's order (`LAST_ID`: after every
    object of that change set). One query."""
    adapt = connection.ops.adapt_datetimefield_value
    parts, params = [], []
    bounds = (adapt(lower), adapt(upper))
    for way in ways(projection):
        if after is None:
            condition, extra = "1 = 1", ()
        else:
            instant, pk = after
            condition = "(b.t > %s OR (b.t = %s AND b.owner > %s))"
            extra = (adapt(instant), adapt(instant), pk)
        parts.append(
            f"SELECT * FROM (SELECT DISTINCT b.t, b.cs, b.owner FROM ({way.sql}) b "
            f"WHERE {condition} ORDER BY b.t, b.owner LIMIT {int(limit)}) AS way{len(parts)}"
        )
        params += [*way.params, *bounds, *extra]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return sorted({(_uuid(cs), owner) for _, cs, owner in rows}, key=lambda row: row[1])


def first_written(after, strictly: bool, limit: int) -> tuple[list, bool]:
    """The change sets of the first `limit` rows written after the instant `after` (None:
    from the beginning; `strictly`: not at it) that may have been public, in commit order,
    each once; fewer rows than `limit`: the end of the feed is among them. One query, a
    `UNION ALL` of one index range a history table (hidden work is left out in SQL)."""
    from sahel.core.models import tracked_models

    parts, params = [], []
    condition, extra = "", ()
    if after is not None:
        condition = f" WHERE b.history_date {'>' if strictly else '>='} %s"
        extra = (connection.ops.adapt_datetimefield_value(after),)
    for model in tracked_models():
        way = _written_of(model)
        parts.append(
            f"SELECT * FROM (SELECT b.history_date, b.change_set FROM ({way.sql}) b{condition} "
            f"ORDER BY b.history_date LIMIT {int(limit)}) AS written{len(parts)}"
        )
        params += [*way.params, *extra]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = sorted(cursor.fetchall(), key=lambda row: row[0])[:limit]
    return list(dict.fromkeys(_uuid(cs) for _, cs in rows)), len(rows) < limit


_written_rows: dict = {}


def _written_of(model) -> Way:
    """The (history_date, change_set) of `model`'s rows written that may have been public,
    built once per database and content types, as `ways`."""
    key = (model, connection.alias, _content_types())
    if key not in _written_rows:
        _written_rows[key] = _rows(model, "history_date", "change_set", change_set__isnull=False)
    return _written_rows[key]


@contextmanager
def joins_as_written():
    """PostgreSQL: plan the owners' joins in the order they are written (from the rows
    written to their owners, probing each by key). Left to itself, the planner unnests the
    visibility checks of the owner rows (`IN` the ever-public actors ...) into joins it
    puts first, and reads every public event's participants for a page of owners (0.4 s
    became 200 s at the `tenth` scale). For one transaction's statements, then reset."""
    if connection.vendor != "postgresql":
        yield
        return
    with _transaction(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL join_collapse_limit = 1; SET LOCAL from_collapse_limit = 1")
        try:
            yield
        finally:
            cursor.execute(
                "SET LOCAL join_collapse_limit TO DEFAULT; SET LOCAL from_collapse_limit TO DEFAULT"
            )


def _transaction():
    """The response's read-only snapshot when there is one (no savepoint), else one."""
    return nullcontext() if connection.in_atomic_block else transaction.atomic()


LAST_ID = 2**63 - 1  # greater than any id: "after every object of the change set"


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
