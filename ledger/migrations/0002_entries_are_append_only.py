"""Make the database itself refuse to change a posted entry: the ledger is append-only.

Deleting stays possible at this level (PROTECT already keeps entries' customers), so that
maintenance such as test-database flushing works; no code path deletes entries.
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE ON ledger_entry
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only; post a reversal instead'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS ledger_entry_append_only;"

POSTGRES_FORWARD = """
CREATE FUNCTION ledger_entry_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only; post a reversal instead'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_refuse_update();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entry_refuse_update();
"""


def forward(apps, schema_editor):
    sql = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(
        schema_editor.connection.vendor
    )
    if sql:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    sql = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(
        schema_editor.connection.vendor
    )
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
