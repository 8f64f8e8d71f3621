"""Indexes the `as_of` query plans ask for on the citation history (docs/benchmarks.md).

django-simple-history does not copy `Meta.indexes` to the historical model, so the live
table's (content_type, object_id) index has no counterpart: reading the citations of a page
of objects as of an instant scanned every historical citation of the content type (83k rows
at `medium`) before filtering by object. The historical models' state does not change (the
index is not declared on them), hence RunSQL; the SQL is the same on PostgreSQL and SQLite.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS sources_histcitation_target_idx "
            "ON sources_historicalcitation (content_type_id, object_id)",
            reverse_sql="DROP INDEX IF EXISTS sources_histcitation_target_idx",
        ),
    ]
