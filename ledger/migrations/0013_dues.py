"""Dues: an entry's due date, the open part of what each entry opened (ledger.Due), and the
posting triggers that keep them (ledger/sql/posting.*.sql).

Every existing credit falls due on its date (no customer had terms), and every customer's
payments settle them oldest first, as ledger.dues would have: set-based, the same SQL on both
databases.
"""

import django.db.models.deletion
from django.db import migrations, models

import common.fields
from ledger.migrations._append_only import create_trigger
from ledger.migrations._posting import create_triggers_kept_dues, drop_triggers

BACKFILL = [
    # Each credit that stands (neither a reversal nor reversed) opens a due on its date.
    """
    INSERT INTO ledger_due (book_id, customer_id, entry_id, due_date, entry_date, amount,
                            open_amount)
    SELECT e.book_id, e.customer_id, e.id, e.entry_date, e.entry_date, e.amount, e.amount
    FROM ledger_entry AS e
    WHERE e.type = 'credit' AND e.reverses_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM ledger_entry AS r WHERE r.reverses_id = e.id)
    """,
    # Statistics for the new rows, before the statements below join them.
    "ANALYZE ledger_due",
    # Each debit that stands pays.
    """
    UPDATE customers_customer SET dues_paid = COALESCE((
        SELECT sum(e.amount) FROM ledger_entry AS e
        WHERE e.customer_id = customers_customer.id AND e.type = 'debit'
          AND e.reverses_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM ledger_entry AS r WHERE r.reverses_id = e.id)
    ), 0)
    """,
    # The payments settle the dues, oldest first.
    """
    UPDATE ledger_due SET open_amount = CASE
        WHEN s.upto <= s.paid THEN 0
        WHEN s.upto - s.amount >= s.paid THEN s.amount
        ELSE s.upto - s.paid END
    FROM (
        SELECT d.id, d.amount, c.dues_paid AS paid,
               sum(d.amount) OVER (
                   PARTITION BY d.customer_id ORDER BY d.due_date, d.entry_date, d.entry_id
                   ROWS UNBOUNDED PRECEDING) AS upto
        FROM ledger_due AS d JOIN customers_customer AS c ON c.id = d.customer_id
    ) AS s
    WHERE ledger_due.id = s.id
    """,
    """
    UPDATE customers_customer SET dues_settled = COALESCE((
        SELECT sum(d.amount - d.open_amount) FROM ledger_due AS d
        WHERE d.customer_id = customers_customer.id
    ), 0)
    """,
]


def dues_and_triggers(apps, schema_editor):
    for statement in BACKFILL:
        schema_editor.execute(statement)
    create_triggers_kept_dues(apps, schema_editor)
    create_trigger(apps, schema_editor)


def lift_again(apps, schema_editor):
    drop_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0005_email_invitations"),
        ("customers", "0003_dues"),
        ("ledger", "0012_lift_triggers_for_dues"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="due_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="entry",
            constraint=models.CheckConstraint(
                condition=models.Q(due_date__isnull=True)
                | models.Q(due_date__gte=models.F("entry_date")),
                name="ledger_entry_due_not_before_entry",
            ),
        ),
        migrations.AddField(
            model_name="stagedentry",
            name="due_date",
            field=models.DateField(null=True),
        ),
        migrations.CreateModel(
            name="Due",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_date", models.DateField()),
                ("entry_date", models.DateField()),
                ("amount", common.fields.MoneyField()),
                ("open_amount", common.fields.MoneyField()),
                (
                    "book",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="books.book",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="dues",
                        to="customers.customer",
                    ),
                ),
                (
                    "entry",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="due",
                        to="ledger.entry",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["book", "customer", "due_date", "entry_date", "entry"],
                        name="ledger_due_order_idx",
                    ),
                    models.Index(
                        condition=models.Q(open_amount__gt=0),
                        fields=["book", "customer", "due_date", "entry_date", "entry"],
                        name="ledger_due_open_idx",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(amount__gt=0)
                        & models.Q(open_amount__gte=0)
                        & models.Q(open_amount__lte=models.F("amount")),
                        name="ledger_due_open_within_amount",
                    )
                ],
            },
        ),
        migrations.RunPython(dues_and_triggers, lift_again, elidable=False),
    ]
