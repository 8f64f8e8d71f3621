"""Which database errors mean "the database is unreachable, try again soon" (an answer of
503 with Retry-After, sahel/errors.py) rather than a fault of the code (500).

Django raises OperationalError for both kinds: for a refused or dropped connection, a
server shutting down or starting up, too many connections, and also for SQLite's "no such
table". The driver's own error (the cause) tells them apart: PostgreSQL's SQLSTATE classes
08 (connection exception), 53 (insufficient resources) and 57 (operator intervention: admin
shutdown, crash shutdown, cannot connect now) — not 57014, a cancelled statement — or no
SQLSTATE at all (no answer from a server); SQLite's locked or unopenable file.
"""

import sqlite3

from django.db import InterfaceError, OperationalError

_SQLSTATE_CLASSES = {"08", "53", "57"}
_NOT_UNAVAILABLE = {"57014"}  # query_canceled: a statement timeout, not an outage
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "disk i/o error",
)


def is_unavailable(error: BaseException) -> bool:
    if isinstance(error, InterfaceError):  # a connection already closed or unusable
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        return str(cause).lower().startswith(_SQLITE_UNAVAILABLE)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        return True
    return sqlstate[:2] in _SQLSTATE_CLASSES and sqlstate not in _NOT_UNAVAILABLE
