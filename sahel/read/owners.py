"""Which objects a stretch of change sets touches, a bounded page at a time (the feed's
positions inside change sets: `sahel.read.changes.feed_page`).

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
(`QuerySet.query.sql_with_params()`): the ORM has no join between two history tables.
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


def _written(model, lower, upper, *columns) -> Way:
    return _rows(
        model,
        *dict.fromkeys(("id", *columns)),
        "history_date",
        "change_set",
        change_set__isnull=False,
        history_date__gte=lower,
        history_date__lte=upper,
    )


# "The owner row existed by the change set's instant", for ties and participants, in a form
# no index serves: probing them by key (a tie by its actor) and checking the instant on the
# few rows found is fast; a planner that ANDs in the history_date index reads every earlier
# row per key (2 s → 0.34 s at `tenth`). Citations keep the plain form: a source's citations
# are many, and its creation, before any of them, finds none through the index.
_AT_OR_BEFORE = "COALESCE({0}.history_date, {0}.history_date) <= w.history_date"


def ways(projection, lower, upper, owner: str = "id") -> list[Way]:
    """Every way a row written in [lower, upper] reaches an object of `projection`, as the
    `owner` column of its row (a child's: the key of its parent)."""
    model = projection.model
    select = "SELECT w.history_date AS t, w.change_set AS cs"
    own = _written(model, lower, upper, owner)
    found = [Way(f"{select}, w.{owner} AS owner FROM ({own.sql}) w", own.params)]
    for name, ref in projection.refs.items():
        written = _written(ref.model, lower, upper)
        rows = _rows(model, owner, f"{name}_id", "history_date")
        found.append(
            Way(
                f"{select}, h.{owner} AS owner FROM ({written.sql}) w JOIN ({rows.sql}) h "
                f"ON h.{name}_id = w.id AND {_AT_OR_BEFORE.format('h')}",
                written.params + rows.params,
            )
        )
    for child in projection.children.values():
        if child.projection.children:
            raise NotImplementedError("children of children")
        found += ways(child.projection, lower, upper, f"{child.fk}_id")
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
            target, parents = f"p.{owner}", f" JOIN ({key_sql}) p ON p.id = c.object_id"
        for written_model, key in ((Citation, "id"), (Source, "source_id")):
            written = _written(written_model, lower, upper)
            found.append(
                Way(
                    f"{select}, {target} AS owner FROM ({written.sql}) w JOIN ({citations.sql}) c "
                    f"ON c.{key} = w.id AND c.history_date <= w.history_date{parents}",
                    written.params + citations.params + (tuple(key_params) if parents else ()),
                )
            )
    return found


def owners_after(projection, lower, upper, after, limit: int) -> list[tuple]:
    """Up to `limit` distinct (change set id, owner id) of `projection` touched by change
    sets stamped in [lower, upper], in feed order (instant, then id), after `after`: None
    (from `lower` on), or (instant, id) of this resource's order (`LAST_ID`: after every
    object of that change set). One query."""
    adapt = connection.ops.adapt_datetimefield_value
    parts, params = [], []
    for way in ways(projection, lower, upper):
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
        params += [*way.params, *extra]
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
    for model in tracked_models():
        filters = {"change_set__isnull": False}
        if after is not None:
            filters["history_date__gt" if strictly else "history_date__gte"] = after
        way = _rows(model, "history_date", "change_set", **filters)
        parts.append(
            f"SELECT * FROM (SELECT b.history_date, b.change_set FROM ({way.sql}) b "
            f"ORDER BY b.history_date LIMIT {int(limit)}) AS written{len(parts)}"
        )
        params += way.params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = sorted(cursor.fetchall(), key=lambda row: row[0])[:limit]
    return list(dict.fromkeys(_uuid(cs) for _, cs in rows)), len(rows) < limit


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
