"""Dues keep no open part: what is open is the newest dues adding up to what the party owes,
read when asked (ledger.dues), so no posting or import writes a settlement. The posting triggers
go back in that form (ledger/sql/posting.*.sql). The settlement-order index carries each due's
amount (what is open, and what falls due from a day, are read from the index alone), and the
book's dues by day get one for the dashboard's ageing."""

from django.db import migrations, models

from ledger.migrations._append_only import create_trigger, drop_trigger
from ledger.migrations._posting import create_triggers, drop_triggers


def put_back(apps, schema_editor):
    create_triggers(apps, schema_editor)
    create_trigger(apps, schema_editor)


def lift(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    drop_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_dues_read_not_kept"),
        ("ledger", "0014_lift_triggers_for_open_dues"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="due", name="ledger_due_open_idx"),
        migrations.RemoveConstraint(model_name="due", name="ledger_due_open_within_amount"),
        migrations.RemoveField(model_name="due", name="open_amount"),
        migrations.AddConstraint(
            model_name="due",
            constraint=models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="ledger_due_amount_positive"
            ),
        ),
        migrations.RemoveIndex(model_name="due", name="ledger_due_order_idx"),
        migrations.AddIndex(
            model_name="due",
            index=models.Index(
                fields=["book", "customer", "due_date", "entry_date", "entry", "amount"],
                name="ledger_due_order_amount_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="due",
            index=models.Index(
                fields=["book", "due_date", "customer", "amount"], name="ledger_due_book_day_idx"
            ),
        ),
        migrations.RunPython(put_back, lift),
    ]
