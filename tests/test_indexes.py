"""Indexes the read paths' query plans depend on (docs/benchmarks.md), present on both
backends where they apply: a model added later must get them too."""

import pytest
from django.db import connection

from sahel.models import ClaimModel, tracked_models

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
