"""An index for counting the public ties valid at a date (docs/benchmarks.md).

A page of `/affiliations/?valid_at=2018` is read in order of `start_lower` by its index;
its count has to visit every published tie, and read each one's dates and both actors (the
visibility check) from the heap: 5,400 pages at `medium`. A partial covering index of the
published ties holds exactly those four columns, so the count is an index-only scan of a
few hundred pages. PostgreSQL only (INCLUDE): SQLite keeps scanning the table.
"""

from django.db import migrations

INDEX = "affiliations_affiliation_valid_time_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON affiliations_affiliation "
        "(start_lower, end_upper) INCLUDE (subject_id, object_id) WHERE status = 'published'"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: writes to the ties go on while the index builds
    dependencies = [("affiliations", "0002_history_end")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
