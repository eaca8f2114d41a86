"""On PostgreSQL, staged import rows skip the write-ahead log (an UNLOGGED table): they live
for one import's run, a crash may lose them (the job's next attempt stages its file again, and
the periodic task discards what is left), and an import then writes its rows to the log once,
as entries, instead of twice. SQLite has no such table, nor needs one."""

from django.db import migrations

TABLE = "ledger_stagedentry"


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_staged_entries")]

    operations = [migrations.RunPython(unlogged, logged, elidable=False)]
