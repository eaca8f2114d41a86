"""Lift the entries table's triggers while customers gain their dues fields (customers 0003)
and entries their due dates (ledger 0013, which puts the triggers with dues back).

First, because SQLite checks every trigger that names a table it remakes, and remakes
customers_customer to add its constraints.
"""

from django.db import migrations

from ledger.migrations._append_only import create_trigger, drop_trigger
from ledger.migrations._posting import create_triggers_by_book, drop_triggers


def lift(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    drop_trigger(apps, schema_editor)


def put_back(apps, schema_editor):
    create_triggers_by_book(apps, schema_editor)
    create_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_entries_recorded_by")]
    run_before = [("customers", "0003_dues")]

    operations = [migrations.RunPython(lift, put_back)]
