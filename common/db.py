"""Database helpers shared by the apps."""

from contextlib import contextmanager

from django.db import InterfaceError, OperationalError, connection, transaction


@contextmanager
def streaming_read():
    """Hold a long, streamed read (a statement, an export) in a transaction on PostgreSQL.

    Django reads in chunks through a server-side cursor; outside a transaction that cursor is
    declared WITH HOLD, which copies the whole result when declared and keeps it in the
    session, where a transaction-pooling PgBouncer would lose it. Inside one it is an ordinary
    cursor that lives as long as the transaction. SQLite streams without one (a transaction
    there would take the write lock).
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            yield
    else:
        yield


# What says "the database cannot answer now" rather than "this query is wrong", by database:
# SQLite's result codes (busy, locked, out of memory, read-only, I/O error, corrupt, full,
# cannot open, protocol) and PostgreSQL's SQLSTATE classes (no connection, too many
# connections or out of resources, shut down or starting, serialization failure, deadlock,
# lock not available, statement timeout). psycopg reports a failure to connect (and the pool's
# timeout) with no SQLSTATE at all.
SQLITE_UNAVAILABLE = {5, 6, 7, 8, 10, 11, 13, 14, 15}
POSTGRES_UNAVAILABLE = ("08", "53", "57P", "40001", "40P01", "55P03", "57014")


def database_unavailable(exc: Exception) -> bool:
    """Whether a database error means the database is unreachable or busy (worth a retry),
    not that a query failed (which is a bug, and must not pass for an outage)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in SQLITE_UNAVAILABLE
    state = getattr(cause, "sqlstate", "") or ""
    return state == "" or state.startswith(POSTGRES_UNAVAILABLE)
