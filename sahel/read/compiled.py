"""Read queries of a fixed shape, compiled once per process (PostgreSQL).

A page's projection runs the same few query shapes on every request: an object by id, the
summaries of the objects it refers to, its children, their citations and sources, each
through `sahel.core.selectors` (visibility, `as_of`). Building and compiling one of them through
the ORM costs 0.3-1.3 ms of Python (the visibility conditions are nested subqueries), more
than PostgreSQL takes to run most of them: for a single object, most of the request.

On PostgreSQL the SQL of such a shape does not depend on its values: a list of ids is one
array parameter (`__in_ids`), an instant or an id one parameter each. `rows(key, build,
*values)` builds and compiles `build(*values)` once per `key` (and kind of values, database
and content type ids), with marker values in place of the real ones, and from then on runs
that SQL with the real values. Only the SQL text is kept, never a row: the data is read
anew on every call, so nothing can be stale or leak between requests. The queryset is still
built by `build` through the selectors, so the rules stay decided there.

The markers are checked, not assumed: the queryset is compiled twice, with two different
sets of markers; the SQL must be the same text and every parameter either the same constant
in both or the same marker in both. Anything else (a value baked into the SQL, a parameter
derived from a value) and the shape is not cached: it is built by the ORM on every call,
as it is on other databases. What the check cannot see is a `build` that chooses its shape
by the values (`if len(ids) > 1`): callers pass builders that do not, and the key names what
does (a None is part of it: live or as of).

It reads Django's SQL compiler beyond its documented API (`query.selected`,
`compiler.select`, `col_count`, `has_extra_select`, `get_converters`), as Django 5.2 has
them. So it can be turned off (`SAHEL_COMPILED_SQL=0`: every query built by the ORM, as on
SQLite; `tests/api/test_compiled.py` compares the answers both ways), and it turns itself
off, with a warning at start-up (`sahel.workers`), on a Django it was not written for:
`problems()` says why, and a test fails while it does.
"""

import datetime
import functools
import logging
from collections.abc import Callable

import django
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable
from django.db.models.sql.compiler import SQLCompiler

from sahel.core.models import citable_models

logger = logging.getLogger(__name__)

_cache: dict = {}
_NOT_CACHED = object()
_IDS = (list, tuple, set, frozenset)
WRITTEN_FOR = (5, 2)  # the Django feature release whose compiler this reads


@functools.cache
def problems() -> tuple[str, ...]:
    """Why the compiled path cannot be trusted on this Django (empty: it can)."""
    found = []
    if django.VERSION[:2] != WRITTEN_FOR:
        found.append(
            f"written for Django {'.'.join(map(str, WRITTEN_FOR))}, running on "
            f"{django.get_version()}"
        )
    compiler = ContentType.objects.filter(id=0).values("id").query.get_compiler(using="default")
    compiler.as_sql()
    for name in ("select", "col_count", "has_extra_select"):
        if not hasattr(compiler, name):
            found.append(f"the SQL compiler has no `{name}`")
    if not callable(getattr(SQLCompiler, "get_converters", None)):
        found.append("the SQL compiler has no `get_converters()`")
    if not hasattr(compiler.query, "selected"):
        found.append("a query has no `selected`")
    return tuple(found)


def enabled() -> bool:
    """Whether shapes are compiled: on unless turned off or the Django is not the one it
    reads (then warned about once)."""
    if not getattr(settings, "SAHEL_COMPILED_SQL", True):
        return False
    if problems():
        _warn_once()
        return False
    return True


@functools.cache
def _warn_once() -> None:
    logger.warning(
        "Compiled read queries are off (every query is built by the ORM, slower): %s.",
        "; ".join(problems()),
    )


def rows(key: tuple, build: Callable[..., QuerySet], *values) -> list[dict]:
    """`list(build(*values))` for a `.values()` queryset. `key` names everything about the
    shape other than `values` (models, fields, ordering); each value is a collection of ids,
    an int, an aware datetime or None (None is part of the shape: live or as of)."""
    kinds = tuple(_kind(value) for value in values)
    if connection.vendor != "postgresql" or not enabled():
        return list(build(*values))
    full_key = (key, kinds, connection.alias, _content_types())
    entry = _cache.get(full_key)
    if entry is None:
        entry = _cache[full_key] = _compile(build, kinds) or _NOT_CACHED
    if entry is _NOT_CACHED:
        return list(build(*values))
    return entry.run(values)


def clear() -> None:
    _cache.clear()


def _kind(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, _IDS):
        return "ids"
    if isinstance(value, bool):
        raise TypeError("A boolean is part of the shape: put it in the key.")
    if isinstance(value, int):
        return "int"
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return "instant"
    raise TypeError(f"Not a value for a compiled query: {value!r}.")


def _content_types() -> tuple:
    # The citations' SQL names content type ids, which a flushed and re-migrated database
    # (tests) may number anew: they are part of the key.
    return tuple(ContentType.objects.get_for_model(model).pk for model in citable_models())


def _markers(kinds: tuple, base: int) -> list:
    found = []
    for position, kind in enumerate(kinds):
        number = -(base * 10**12) - position - 1
        if kind == "ids":  # of different lengths too: a shape must not depend on it
            found.append([number] * base)
        elif kind == "int":
            found.append(number)
        elif kind == "instant":
            found.append(
                datetime.datetime(1900 + base, 1, 1, tzinfo=datetime.UTC)
                + datetime.timedelta(microseconds=position + 1)
            )
        else:
            found.append(None)
    return found


class _Compiled:
    def __init__(self, sql, template, names, converters, col_count, trim):
        self.sql, self.template, self.names = sql, template, names
        self.converters, self.col_count, self.trim = converters, col_count, trim

    def run(self, values) -> list[dict]:
        params = [
            (list(values[slot]) if isinstance(values[slot], _IDS) else values[slot])
            if slot is not None
            else constant
            for slot, constant in self.template
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        names, converters = self.names, self.converters
        found = []
        for row in fetched:
            if self.trim:
                row = row[: self.col_count]
            if converters:
                row = list(row)
                for position, (functions, expression) in converters.items():
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            found.append(dict(zip(names, row, strict=True)))
        return found


def _compile(build: Callable[..., QuerySet], kinds: tuple) -> _Compiled | None:
    first, second = _markers(kinds, 1), _markers(kinds, 2)
    compiled = []
    for markers in (first, second):
        queryset = build(*markers)
        if queryset._iterable_class is not ValuesIterable:
            return None
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        compiled.append((queryset, compiler, sql, list(params)))
    (queryset, compiler, sql, params), (_, _, other_sql, other_params) = compiled
    if sql != other_sql or len(params) != len(other_params):
        return None
    template, used = [], set()
    for param, other in zip(params, other_params, strict=True):
        slots = [
            slot
            for slot, kind in enumerate(kinds)
            if kind is not None and param == first[slot] and other == second[slot]
        ]
        if len(slots) == 1:
            template.append((slots[0], None))
            used.add(slots[0])
        elif not slots and param == other and not _is_marker(param, first + second):
            template.append((None, param))
        else:
            return None
    if used != {slot for slot, kind in enumerate(kinds) if kind is not None}:
        return None  # a value that is not a parameter of the SQL
    query = queryset.query
    if query.selected:
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
    return _Compiled(
        sql,
        template,
        names,
        compiler.get_converters(fields),
        compiler.col_count,
        compiler.has_extra_select,
    )


def _is_marker(param, markers: list) -> bool:
    return any(marker is not None and param == marker for marker in markers)
