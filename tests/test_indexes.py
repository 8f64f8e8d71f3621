"""Indexes the read paths' query plans depend on (docs/benchmarks.md), present on both
backends where they apply: a model added later must get them too."""

import datetime

import pytest
from django.db import connection

from sahel.core.models import ClaimModel, tracked_models

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


@pytest.mark.parametrize(
    "model", [m for m in tracked_models() if issubclass(m, ClaimModel)], ids=lambda m: m.__name__
)
def test_every_claim_has_the_indexes_of_what_as_of_hides(model):
    history = model.history.model._meta.db_table
    index = _indexes(history).get(f"{history}_deleted_idx")
    assert index is not None, f"{history}: add it to sahel/migrations/0002_as_of_indexes"
    assert index["columns"] == ["id", "history_date", "history_id"]
    table = model._meta.db_table
    index = _indexes(table).get(f"{table}_unpublished_idx")
    assert index is not None, f"{table}: add it to sahel/migrations/0002_as_of_indexes"
    assert index["columns"] == ["id"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL only")
@pytest.mark.parametrize("table", ["actors_name", "actors_historicalname"])
def test_names_have_trigram_indexes_for_search(table):
    indexes = _indexes(table)
    for column in ("search_key", "search_skeleton"):
        index = indexes.get(f"{table}_{column}_trgm")
        assert index is not None, f"{table}.{column}"
        assert index["type"] == "gin"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the order index: PostgreSQL only")
def test_the_actors_default_order_reads_its_index():
    """The page of actors by name is read from the expression index, not by sorting every
    public actor: the index's expression must stay the one `order_by_param` writes."""
    from actors.models import Actor
    from actors.resources import ACTORS
    from sahel.core import selectors
    from sahel.rest.views import order_by_param

    assert "actors_actor_name_order_idx" in _indexes("actors_actor")
    queryset = order_by_param(
        selectors.public(Actor), Actor, ACTORS.orderings, None, default="name"
    )[:100]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "actors_actor_name_order_idx" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="range indexes: PostgreSQL only")
@pytest.mark.parametrize("model", tracked_models(), ids=lambda m: m.__name__)
def test_every_history_table_has_the_range_index_of_as_of(model):
    history = model.history.model._meta.db_table
    index = _indexes(history).get(f"{history}_range_idx")
    assert index is not None, f"{history}: add it to sahel/migrations/0003_history_range_indexes"
    assert index["type"] == "gist"


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="range indexes: PostgreSQL only")
def test_as_of_reads_the_range_index_and_the_historical_order_index():
    """The rows current at T come from the range index (the expression `CurrentAt` writes
    must stay the indexed one), and a page of actors as of T from the order index."""
    from django.utils import timezone

    from actors.models import Actor
    from actors.resources import ACTORS
    from sahel.core import selectors
    from sahel.rest.views import order_by_param

    instant = timezone.now()
    rows = selectors.rows_as_of(Actor, instant).order_by()
    assert "actors_historicalactor_range_idx" in _plan(rows)
    queryset = order_by_param(
        selectors.public(Actor, as_of=instant), Actor, ACTORS.orderings, None, default="name"
    )[:100]
    assert "actors_historicalactor_name_order_idx" in _plan(queryset)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE index: PostgreSQL only")
def test_the_count_of_ties_valid_at_a_date_reads_indexes_only():
    """The count of `/affiliations/?valid_at=`: the published ties' dates and actors from
    the covering index, the actors' visibility as "not among the unpublished" (live)."""
    from affiliations.models import Affiliation
    from sahel.core import selectors

    ties = selectors.valid_during(
        selectors.public(Affiliation),
        Affiliation,
        datetime.date(2018, 1, 1),
        datetime.date(2018, 12, 31),
    )
    # What the count reads, with only index-only scans allowed: the covering index serves
    # it (tiny test tables are planned differently otherwise).
    sql, params = ties.order_by().values("subject_id", "object_id").query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "Index Only Scan using affiliations_affiliation_valid_time_idx" in plan, plan
    # Both actors: "not among the unpublished", one small hash each (at `medium` read from
    # actors_actor_unpublished_idx, 1,600 of 20,000 actors).
    assert plan.count("NOT (hashed SubPlan") == 2, plan


def _feed_probes() -> list[tuple[str, str]]:
    """(history table, key column) of every reference the feed's owners are probed by
    (`sahel.read.owners`): the refs of each resource's projection and of its children, and
    the citations' source."""
    from sahel.read.resources import projections
    from sources.models import Citation

    found = {(Citation.history.model._meta.db_table, "source_id")}
    pending = list(projections().values())
    while pending:
        projection = pending.pop()
        table = projection.model.history.model._meta.db_table
        found |= {(table, f"{name}_id") for name in projection.refs}
        pending += [child.projection for child in projection.children.values()]
    return sorted(found)


@pytest.mark.parametrize("probe", _feed_probes(), ids=".".join)
def test_every_feed_owner_probe_has_its_key_and_instant_index(probe):
    table, column = probe
    found = [index for index in _indexes(table).values() if index["index"]]
    assert any(index["columns"] == [column, "history_date"] for index in found), (
        f"{table}.{column}: add it to sahel/core/migrations/0004_feed_owner_indexes"
    )
