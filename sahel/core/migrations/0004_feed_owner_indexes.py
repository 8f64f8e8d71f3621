"""Indexes of the change feed's owner probes (`sahel.read.owners`, docs/benchmarks.md).

The feed finds the objects a change set touches from the rows it wrote: for each row
written, the owner rows that refer to it (the ties of an actor, the participants of an
event type, the citations of a source ...) and existed by its instant. One (key,
history_date) index a reference serves both conditions of that probe; with the key alone,
every row of the key was read and filtered by instant (the events of an event type, the
citations of a source: 5-15 ms a probe at `medium`, 300 sources a page). Plain SQL, the
same on PostgreSQL and SQLite; the historical models do not declare it
(django-simple-history copies no `Meta.indexes`), so their state does not change.
`tests/test_indexes.py` checks that every reference a feed owner probes has its index.
"""

from django.db import migrations

# (history table, key column): the references of the public projections (`refs`, of the
# resources and their children) and the citations' source.
PROBES = (
    ("actors_historicalactor", "area_id"),
    ("affiliations_historicalaffiliation", "object_id"),
    ("affiliations_historicalaffiliation", "subject_id"),
    ("affiliations_historicalaffiliation", "type_id"),
    ("events_historicalevent", "parent_id"),
    ("events_historicalevent", "place_id"),
    ("events_historicalevent", "type_id"),
    ("events_historicalparticipation", "actor_id"),
    ("events_historicalparticipation", "role_id"),
    ("places_historicalplace", "parent_id"),
    ("sources_historicalcitation", "source_id"),
)


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_at_idx"


class Migration(migrations.Migration):
    dependencies = [("sahel", "0003_history_range_indexes")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {index_name(table, column)} "
            f"ON {table} ({column}, history_date)",
            reverse_sql=f"DROP INDEX IF EXISTS {index_name(table, column)}",
        )
        for table, column in PROBES
    ]
