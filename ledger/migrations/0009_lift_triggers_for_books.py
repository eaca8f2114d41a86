"""Lift the entries table's triggers while customers, entries and daily totals move from their
user to their book (customers 0002, ledger 0010, which puts the book-keyed triggers back).

First, because SQLite checks every trigger that names a table it remakes: the posting trigger
names customers_customer.user_id, which customers 0002 removes.
"""

from django.db import migrations

from ledger.migrations._append_only import create_trigger, drop_trigger
from ledger.migrations._posting import create_triggers_by_user, drop_triggers


def lift(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    drop_trigger(apps, schema_editor)


def put_back(apps, schema_editor):
    create_triggers_by_user(apps, schema_editor)
    create_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_staged_entries_unlogged")]
    run_before = [("customers", "0002_customers_belong_to_books")]

    operations = [migrations.RunPython(lift, put_back)]
