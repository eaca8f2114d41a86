"""Make the database itself refuse to change a posted entry: the ledger is append-only.

Deleting stays possible at this level (PROTECT already keeps entries' customers), so that
maintenance such as test-database flushing works; no code path deletes entries.
"""

from django.db import migrations

from ledger.migrations._append_only import create_trigger, drop_trigger


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
