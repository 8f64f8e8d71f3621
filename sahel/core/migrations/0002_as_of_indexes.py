"""Indexes of the rows that decide what `as_of` hides (docs/benchmarks.md).

`selectors.public(..., as_of=T)` hides from the past the claims whose latest state is not
published; for an object deleted since, that state is its last deletion row
(`history_type = '-'`). Deletion rows are few, but finding them scanned the whole history
table (180k rows for names at `medium`) in every `as_of` query. A partial index holds just
them, in the order the latest-row rule reads them. Plain SQL, the same on PostgreSQL and
SQLite; the historical models do not declare it (django-simple-history copies no
`Meta.indexes`), so their state does not change. `tests/test_indexes.py` checks that every
claim model's history table has it.
"""

from django.db import migrations

CLAIM_TABLES = (
    "actors_actor",
    "actors_name",
    "affiliations_affiliation",
    "events_event",
    "events_participation",
)


class Migration(migrations.Migration):
    dependencies = [
        ("sahel", "0001_change_set_log"),
        ("actors", "0003_search_and_order_indexes"),
        ("affiliations", "0001_initial"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {history}_deleted_idx "
            f"ON {history} (id, history_date, history_id) WHERE history_type = '-'",
            reverse_sql=f"DROP INDEX IF EXISTS {history}_deleted_idx",
        )
        for history in (table.replace("_", "_historical", 1) for table in CLAIM_TABLES)
    ] + [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {table}_unpublished_idx "
            f"ON {table} (id) WHERE status <> 'published'",
            reverse_sql=f"DROP INDEX IF EXISTS {table}_unpublished_idx",
        )
        for table in CLAIM_TABLES
    ]
