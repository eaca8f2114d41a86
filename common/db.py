"""Where the databases differ, in one place: each helper says why it must.

Everything else (services, selectors, views) runs one path on every database; the other
differences live in migrations (ledger/sql/).
"""

import hashlib
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


@contextmanager
def copy_rows(model, columns: tuple[str, ...], *, batch_size: int = 5000):
    """Give a function that writes one row of `model` (values in `columns` order), in bulk.

    A bulk load is the one write the ORM cannot make fast: PostgreSQL takes it as COPY (sent
    from a worker thread, so reading and checking rows overlaps the server's work), which
    SQLite does not have; there, batched executemany INSERTs. The SQL is built from the model's
    table and the given column names only; every value is a COPY field or a parameter. Row
    values go in as the database takes them (money in cents).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter

            raw = cursor.cursor
            with raw.copy(
                f"COPY {table} ({names}) FROM STDIN", writer=QueuedLibpqWriter(raw)
            ) as copy:
                yield copy.write_row
            return
        marks = ", ".join(["%s"] * len(columns))
        insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        adapt = _adapter(model, columns)
        rows = []

        def write(row):
            rows.append(adapt(row))
            if len(rows) >= batch_size:
                cursor.executemany(insert, rows)
                rows.clear()

        yield write
        if rows:
            cursor.executemany(insert, rows)


def _adapter(model, columns):
    """Turn a row's datetimes into the text SQLite stores them as (naive UTC, as the ORM writes
    them; psycopg's COPY and sqlite3's own adapters take the other values as they are)."""
    moments = [
        position
        for position, column in enumerate(columns)
        if model._meta.get_field(column.removesuffix("_id")).get_internal_type() == "DateTimeField"
    ]
    if not moments:
        return tuple
    adapt, last = connection.ops.adapt_datetimefield_value, [None, None]

    def adapted(value):
        if value is not last[0]:  # an import stamps every row with one moment: adapt it once
            last[:] = value, adapt(value)
        return last[1]

    def row_of(row):
        row = list(row)
        for position in moments:
            row[position] = adapted(row[position])
        return row

    return row_of


def try_transaction_lock(name: str) -> bool:
    """Take the lock `name` until this transaction ends, if no other transaction holds it now;
    answer whether it was taken.

    PostgreSQL runs writers side by side, so it takes a transaction-scoped advisory lock, let go
    at commit or rollback (nothing outlives the transaction: safe behind a transaction pooler).
    SQLite lets one writer in at a time and every write transaction begins IMMEDIATE: a
    transaction that runs already holds every lock there is.
    """
    assert connection.in_atomic_block, "a transaction lock needs a transaction"
    if connection.vendor != "postgresql":
        return True
    digest = hashlib.sha256(name.encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s)",
            [int.from_bytes(digest[:8], "big", signed=True)],
        )
        return cursor.fetchone()[0]


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


def run_sql_file(schema_editor, folder, name: str) -> None:
    """Run `<folder>/<name with {vendor}>`, the database's own form of a migration's SQL (its
    triggers: each database writes them its own way), if there is one for this database.
    Statements are separated by a line holding only "--;" (a trigger body has semicolons)."""
    path = folder / name.format(vendor=schema_editor.connection.vendor)
    if not path.exists():
        return
    for statement in path.read_text().split("\n--;\n"):
        if statement.strip():
            schema_editor.execute(statement, params=None)  # no placeholders
