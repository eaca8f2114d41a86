"""Lift the entries table's triggers while customers lose what they kept of their dues
(customers 0004) and dues their open parts (ledger 0015, which puts the triggers back in the
form that reads what is open instead of keeping it).

First, because SQLite checks every trigger that names a table it remakes.
"""

from django.db import migrations

from ledger.migrations._append_only import create_trigger, drop_trigger
from ledger.migrations._posting import create_triggers_kept_dues, drop_triggers


def lift(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    drop_trigger(apps, schema_editor)


def put_back(apps, schema_editor):
    create_triggers_kept_dues(apps, schema_editor)
    create_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0013_dues")]
    run_before = [("customers", "0004_dues_read_not_kept")]

    operations = [migrations.RunPython(lift, put_back)]
