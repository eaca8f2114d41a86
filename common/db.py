"""Database helpers shared by the apps."""

from contextlib import contextmanager

from django.db import connection, transaction


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
