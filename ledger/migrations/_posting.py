"""The triggers that keep a customer's running totals and daily totals with its entries.

Every entry row moves them, however it got into the table: the posting service's INSERT, an
import's COPY, or a raw INSERT in a shell. The same triggers refuse an entry whose owner is not
its customer's owner, one for an archived customer, and one that would take the customer's
totals past what 64-bit cents hold; each refusal is an integrity error whose message starts with
the rule's name, which ledger.exceptions maps to the domain error the API answers with.

SQLite has row triggers only. PostgreSQL runs one statement-level trigger over a transition table
instead, so a COPY of a million rows moves the totals with one UPDATE and one upsert, not a
million of each. SQLite drops a table's triggers when Django remakes the table, so a migration
that alters ledger_entry must call `create_triggers` again (the raw-insert tests prove they are
there). `posting.*.sql` is the current form (with dues, their open parts read, not kept); the
forms before it stay as they were for the migrations that installed them: `posting-by-user.*.sql`
from before books (0006), `posting-by-book.*.sql` from before dues (0010, 0011),
`posting-kept-dues.*.sql` from when what was paid and settled was kept (0013).
"""

from pathlib import Path

from common.db import run_sql_file

SQL = Path(__file__).resolve().parent.parent / "sql"


def create_triggers(apps, schema_editor, *, form: str = "posting"):
    run_sql_file(schema_editor, SQL, form + ".{vendor}.sql")


def create_triggers_by_user(apps, schema_editor):
    """The triggers as they were before books (for migration 0006)."""
    create_triggers(apps, schema_editor, form="posting-by-user")


def create_triggers_by_book(apps, schema_editor):
    """The triggers as they were before dues (for migrations 0010 and 0011)."""
    create_triggers(apps, schema_editor, form="posting-by-book")


def drop_triggers(apps, schema_editor):
    run_sql_file(schema_editor, SQL, "posting.{vendor}.drop.sql")


def create_triggers_kept_dues(apps, schema_editor):
    """The triggers as they were while dues kept their open parts (for migration 0013)."""
    create_triggers(apps, schema_editor, form="posting-kept-dues")
