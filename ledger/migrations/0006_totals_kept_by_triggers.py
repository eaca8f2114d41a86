"""Keep the running totals and daily totals in the database, by triggers on the entries table.

Until now the posting service moved them in the same transaction as each entry; from here on
every entry row moves them however it is inserted (see ledger/migrations/_posting.py).
"""

from django.db import migrations

from ledger.migrations._posting import create_triggers_by_user, drop_triggers


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_backfill_daily_totals")]

    operations = [migrations.RunPython(create_triggers_by_user, drop_triggers)]
