"""The curated dataset for tests: loaded through `load_dataset` once per test run and
database, then put back from the rows that load wrote.

Loading goes through the services (validation, quotes checked against the seed, history),
about four seconds a load; some twenty test modules each want the dataset. The first load
records, table by table, the rows it added or changed; `load_curated()` afterwards writes
those rows back with one INSERT a table, in one transaction (foreign keys are deferred on
both backends, so the order of the tables does not matter), and moves
PostgreSQL's sequences past them. `tests/test_dataset.py` checks that what comes back is
exactly what the load writes, table by table.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass(frozen=True)
class Table:
    model: type
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


_written: dict[str, tuple[Table, ...]] = {}  # database vendor -> what the load wrote


def load_curated() -> None:
    """Put the curated dataset into the database (the caller holds the transaction)."""
    written = _written.get(connection.vendor)
    if written is None:
        before = contents()
        call_command("load_dataset", verbosity=0)
        after = contents()
        _written[connection.vendor] = tuple(
            table for name, table in after.items() if before.get(name) != table
        )
        return
    _write(written)


def contents() -> dict[str, Table]:
    """Every table's rows, in primary key order, as the models read them."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = model._meta.concrete_fields
        rows = model._base_manager.order_by("pk").values_list(*(f.attname for f in fields))
        found[model._meta.db_table] = Table(model, tuple(f.column for f in fields), tuple(rows))
    return found


def _write(tables: tuple[Table, ...]) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            name = quote(table.model._meta.db_table)
            cursor.execute(f"DELETE FROM {name}")
            if not table.rows:
                continue
            fields = table.model._meta.concrete_fields
            columns = ", ".join(quote(column) for column in table.columns)
            marks = ", ".join(["%s"] * len(table.columns))
            cursor.executemany(
                f"INSERT INTO {name} ({columns}) VALUES ({marks})",
                [_prepared(fields, row) for row in table.rows],
            )
        models = [table.model for table in tables]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _prepared(fields, row: tuple) -> list:
    return [
        field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)
    ]
