"""Entries, daily totals and idempotency keys belong to a book: each takes its customer's book
(a key its user's default book), indexes start with the book, and the book-keyed triggers go
back on (ledger/sql/posting.*.sql). The user an entry was kept under is who posted it:
`created_by`."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from ledger.migrations._append_only import create_trigger
from ledger.migrations._posting import create_triggers_by_book


def into_books(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Membership = apps.get_model("books", "Membership")
    customers_book = Customer.objects.filter(pk=OuterRef("customer_id")).values("book_id")[:1]
    for name in ("Entry", "DailyTotal"):
        apps.get_model("ledger", name).objects.update(book_id=Subquery(customers_book))
    default_book = Membership.objects.filter(user_id=OuterRef("user_id"), is_default=True)
    apps.get_model("ledger", "IdempotencyKey").objects.update(
        book_id=Subquery(default_book.values("book_id")[:1])
    )


def put_triggers_back(apps, schema_editor):
    create_triggers_by_book(apps, schema_editor)
    create_trigger(apps, schema_editor)


def book(null=False, on_delete=django.db.models.deletion.PROTECT, **options):
    return models.ForeignKey(
        db_index=False, null=null, on_delete=on_delete, related_name="+", to="books.book", **options
    )


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0002_a_book_for_every_user"),
        ("customers", "0002_customers_belong_to_books"),
        ("ledger", "0009_lift_triggers_for_books"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="entry", name="ledger_entry_history_idx"),
        migrations.RemoveIndex(model_name="entry", name="ledger_entry_history_type_idx"),
        migrations.RemoveIndex(model_name="entry", name="ledger_entry_user_date_idx"),
        migrations.RemoveConstraint(
            model_name="dailytotal", name="ledger_dailytotal_customer_day_uniq"
        ),
        migrations.RemoveConstraint(
            model_name="idempotencykey", name="ledger_idempotency_user_key_uniq"
        ),
        migrations.RenameField(model_name="entry", old_name="user", new_name="created_by"),
        # An entry's book is held by the posting trigger (it must be its customer's), not by a
        # foreign key constraint checked again for every row an import writes.
        migrations.AddField(
            model_name="entry", name="book", field=book(null=True, db_constraint=False)
        ),
        migrations.AddField(model_name="dailytotal", name="book", field=book(null=True)),
        migrations.AddField(
            model_name="idempotencykey",
            name="book",
            field=book(null=True, on_delete=django.db.models.deletion.CASCADE),
        ),
        migrations.RunPython(into_books, elidable=False),
        migrations.AlterField(model_name="entry", name="book", field=book(db_constraint=False)),
        migrations.AlterField(model_name="dailytotal", name="book", field=book()),
        migrations.AlterField(
            model_name="idempotencykey",
            name="book",
            field=book(on_delete=django.db.models.deletion.CASCADE),
        ),
        migrations.RemoveField(model_name="dailytotal", name="user"),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["book", "customer", "entry_date", "id"],
                name="ledger_entry_book_history_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["book", "customer", "type", "entry_date", "id"],
                name="ledger_entry_book_type_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["book", "entry_date", "id"], name="ledger_entry_book_date_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="dailytotal",
            constraint=models.UniqueConstraint(
                fields=("book", "customer", "day"), name="ledger_dailytotal_book_day_uniq"
            ),
        ),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(
                fields=("book", "user", "key"), name="ledger_idempotency_book_user_key_uniq"
            ),
        ),
        # SQLite remade ledger_entry above, which drops its triggers: install them last.
        migrations.RunPython(put_triggers_back, elidable=False),
    ]
