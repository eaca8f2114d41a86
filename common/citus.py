"""Distributing the tables by book on Citus: the one step that differs there, run by a migration.

On SQLite and plain PostgreSQL `distribute` does nothing. On a database with the citus extension
(scripts/with-citus, docs/scaling.md) it makes the book the distribution key:

- Every table that belongs to a book (DISTRIBUTED) is hash-distributed by `book_id`, all in one
  colocation group, so a book's customers, entries, dues, days, keys, links, reminders and
  webhooks sit on one shard, and a posting (its trigger included) never leaves that node.
- Citus wants the distribution column in every primary key, unique constraint and foreign key
  between distributed tables, so first each of them gets `book_id` in front: the primary key
  becomes (book_id, id), a unique (reverses_id) becomes (book_id, reverses_id), and a foreign
  key (customer_id) -> customers(id) becomes (book_id, customer_id) -> customers(book_id, id).
  Names stay as they were (the API maps some to its answers). The ORM keeps its single-column
  `id`: ids come from one sequence on the coordinator, so they stay unique across shards.
- Users, books and memberships are REFERENCE tables: a copy on every node, so any shard joins
  to them; they are written rarely (registering, a new book, an invitation: these need every
  node), and read on every request from the coordinator's own copy.
- Everything global that is written often stays LOCAL to the coordinator: sessions and tokens,
  throttle counters, the job queue and jobs, periodic due times, staged import rows. A stopped
  worker never blocks logging in or the queue. Citus makes those that refer to a reference
  table "Citus local tables" (still on the coordinator only).

A later migration that adds a table belonging to a book gives it the same keys and calls
`create_distributed_table(table, 'book_id', colocate_with => 'customers_customer')` on Citus.
"""

from django.db import connection as default_connection

REFERENCE = ("accounts_user", "books_book", "books_membership")

# Parents before the tables that refer to them: Citus distributes a table only once what its
# foreign keys point at is distributed.
DISTRIBUTED = (
    "customers_customer",
    "ledger_entry",
    "ledger_due",
    "ledger_dailytotal",
    "ledger_idempotencykey",
    "links_statementlink",
    "reminders_reminder",
    "reminders_remindersettings",
    "webhooks_webhook",
    "webhooks_event",
    "webhooks_delivery",
    "books_activity",
)
KEY = "book_id"
COLOCATED_WITH = DISTRIBUTED[0]


def is_citus(connection=default_connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
        return cursor.fetchone() is not None


def distribute(apps, schema_editor):
    """The migration's step: reshape the keys and distribute every table (Citus only).

    Citus distributes a table only when what its foreign keys point at is distributed or a
    reference table, and turns a local table that points at a reference table into a "Citus
    local table": so the foreign keys touching these tables are set aside first and put back,
    with book_id in them, once every table is in place.
    """
    if not is_citus(schema_editor.connection):
        return
    with schema_editor.connection.cursor() as cursor:
        # The ledger's triggers run on each shard, against the colocated shards of the tables
        # they write (ledger/sql/posting.postgresql.sql); Citus asks for this to be said.
        cursor.execute("SET LOCAL citus.enable_unsafe_triggers TO on")
        cursor.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
        foreign_keys = _foreign_keys(cursor)
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
        for table in DISTRIBUTED:
            for statement in _rekeyed(cursor, table):
                cursor.execute(statement)
        for table in REFERENCE:
            cursor.execute("SELECT create_reference_table(%s)", [table])
        for table in DISTRIBUTED:
            colocate = "none" if table == COLOCATED_WITH else COLOCATED_WITH
            cursor.execute(
                "SELECT create_distributed_table(%s, %s, colocate_with => %s)",
                [table, KEY, colocate],
            )
        for table, name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
            )


def _foreign_keys(cursor) -> list[tuple[str, str, str]]:
    """Every foreign key from or to the tables that become distributed or reference tables, as
    (table, name, definition); one between two distributed tables gets book_id in front:
    (customer_id) -> customers(id) becomes (book_id, customer_id) -> customers(book_id, id)."""
    ours = [*REFERENCE, *DISTRIBUTED]
    cursor.execute(
        """
        SELECT source.relname, con.conname, pg_get_constraintdef(con.oid),
               target.relname, a.attname, con.condeferrable AND con.condeferred
        FROM pg_constraint con
        JOIN pg_class source ON source.oid = con.conrelid
        JOIN pg_class target ON target.oid = con.confrelid
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
        WHERE con.contype = 'f' AND (source.relname = ANY(%s) OR target.relname = ANY(%s))
        ORDER BY source.relname, con.conname
        """,
        [ours, ours],
    )
    keys = []
    for table, name, definition, target, column, deferred in cursor.fetchall():
        if table in DISTRIBUTED and target in DISTRIBUTED and column != KEY:
            definition = (
                f"FOREIGN KEY ({KEY}, {_quote(column)}) REFERENCES {_quote(target)} ({KEY}, id)"
                + (" DEFERRABLE INITIALLY DEFERRED" if deferred else "")
            )
        keys.append((table, name, definition))
    return keys


def _rekeyed(cursor, table: str) -> list[str]:
    """The statements that put book_id in front of the table's primary key and every unique
    index without it; the rest (columns, condition, name) stays."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, con.conname, i.indisprimary,
               (SELECT array_agg(pg_get_indexdef(i.indexrelid, k, true) ORDER BY k)
                FROM generate_series(1, i.indnkeyatts) AS k),
               pg_get_expr(i.indpred, i.indrelid)
        FROM pg_index i
        LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
        WHERE i.indrelid = %s::regclass AND i.indisunique
          AND NOT EXISTS (
              SELECT 1 FROM pg_attribute a
              WHERE a.attrelid = i.indrelid AND a.attname = %s AND a.attnum = ANY(i.indkey))
        """,
        [table, KEY],
    )
    quoted, statements = _quote(table), []
    for index, constraint, primary, columns, condition in cursor.fetchall():
        keys = ", ".join([KEY, *columns])
        if constraint:
            what = "PRIMARY KEY" if primary else "UNIQUE"
            statements += [
                f"ALTER TABLE {quoted} DROP CONSTRAINT {_quote(constraint)}",
                f"ALTER TABLE {quoted} ADD CONSTRAINT {_quote(constraint)} {what} ({keys})",
            ]
        else:
            where = f" WHERE {condition}" if condition else ""
            statements += [
                f"DROP INDEX {index}",
                f"CREATE UNIQUE INDEX {index} ON {quoted} ({keys}){where}",
            ]
    return statements


def _quote(name: str) -> str:
    return default_connection.ops.quote_name(name)
