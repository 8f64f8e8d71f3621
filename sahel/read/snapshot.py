"""One snapshot per public response."""

import contextlib

from django.db import connection, transaction


@contextlib.contextmanager
def read_snapshot():
    """A read-only transaction in which every read sees the same snapshot; yields whether
    it could open one. Every public read runs in one (`OneSnapshot`, the GraphQL view): a
    response is built by several queries (a page, then its children, citations, sources),
    and without it an edit committed between two of them would mix two states in one
    answer (a name published a moment ago under an actor withdrawn a moment ago).
    Inside a transaction already open (a test's) it cannot: that transaction's isolation
    was chosen by whoever opened it (the export then reads as of an instant instead)."""
    if connection.in_atomic_block:
        yield False
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield True
    elif connection.vendor == "sqlite":
        # The settings begin transactions IMMEDIATE (the write lock) for writers; a reader
        # begins DEFERRED and takes no lock until it reads. In WAL mode (settings) its reads
        # see the snapshot of its first read and writers do not wait for it.
        connection.ensure_connection()  # reads transaction_mode from the settings
        atomic, mode = transaction.atomic(), connection.transaction_mode
        with contextlib.ExitStack() as stack:
            connection.transaction_mode = "DEFERRED"
            try:
                atomic.__enter__()
            finally:
                connection.transaction_mode = mode
            stack.push(atomic)  # commits, or rolls back on an error or a close()
            yield True
    else:
        yield False


class OneSnapshot:
    """A view whose every response is read in one snapshot (`read_snapshot`)."""

    def dispatch(self, request, *args, **kwargs):
        with read_snapshot():
            return super().dispatch(request, *args, **kwargs)
