"""The append-only trigger on ledger_entry, shared by the migrations that create or restore it.

SQLite drops a table's triggers when Django remakes the table (most AlterField operations do),
so every migration that alters ledger_entry on SQLite must call `create_trigger` again; the
test that updates an entry around the service proves it is there.
"""

SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS ledger_entry_append_only BEFORE UPDATE ON ledger_entry
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only; post a reversal instead'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS ledger_entry_append_only;"

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION ledger_entry_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only; post a reversal instead'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_refuse_update();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entry_refuse_update();
"""


def create_trigger(apps, schema_editor):
    sql = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}
    if schema_editor.connection.vendor in sql:
        schema_editor.execute(sql[schema_editor.connection.vendor])


def drop_trigger(apps, schema_editor):
    sql = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}
    if schema_editor.connection.vendor in sql:
        schema_editor.execute(sql[schema_editor.connection.vendor])
