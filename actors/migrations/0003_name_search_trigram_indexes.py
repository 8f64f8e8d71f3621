"""Trigram indexes for name search (PostgreSQL only; docs/benchmarks.md).

`selectors.matching_names` looks for the query inside each name's search key
(`search_key LIKE '%key%'`) and for its words inside the consonant skeleton
(`search_skeleton LIKE '% word %'`): a B-tree cannot serve either, so every search scanned
every name (60k live, 180k historical at `medium`). GIN trigram indexes serve both, live
and `as_of` (the historical names). SQLite has no such index and keeps scanning.
`pg_trgm` is a trusted extension (PostgreSQL 13+): a database owner may create it.
"""

from django.db import migrations

INDEXES = [
    (table, column)
    for table in ("actors_name", "actors_historicalname")
    for column in ("search_key", "search_skeleton")
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm "
            f"ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("actors", "0002_editor_and_reviewer_groups")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
