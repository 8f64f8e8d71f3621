"""Indexes for name search and for the actors' default order (docs/benchmarks.md).

Search, PostgreSQL only:
`selectors.matching_names` looks for the query inside each name's search key
(`search_key LIKE '%key%'`) and for its words inside the consonant skeleton
(`search_skeleton LIKE '% word %'`): a B-tree cannot serve either, so every search scanned
every name (60k live, 180k historical at `medium`). GIN trigram indexes serve both, live
and `as_of` (the historical names). SQLite has no such index and keeps scanning.
`pg_trgm` is a trusted extension (PostgreSQL 13+): a database owner may create it.

Order: actors are listed by name, compared as their lowercase in code-point order
(`sahel.rest.views.order_by_param`); without an index on that expression every page sorted
all public actors (30 ms at `medium`; 0.6 ms with it). The expression must be the one the
queries use. PostgreSQL only: on SQLite the order asks NULLS LAST, which an ascending
SQLite index cannot give, so it would never be read.
"""

from django.db import migrations

INDEXES = [
    (table, column)
    for table in ("actors_name", "actors_historicalname")
    for column in ("search_key", "search_skeleton")
]


ORDER_INDEX = "actors_actor_name_order_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {ORDER_INDEX} ON actors_actor ((lower(name) COLLATE "C"), id)'
    )
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm "
            f"ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {ORDER_INDEX}")
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("actors", "0002_editor_and_reviewer_groups")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
