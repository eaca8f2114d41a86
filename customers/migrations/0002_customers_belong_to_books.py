"""A customer belongs to a book, not to a user: each moves into its user's book (books 0002)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def into_books(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Membership = apps.get_model("books", "Membership")
    default_book = Membership.objects.filter(user_id=OuterRef("user_id"), is_default=True)
    Customer.objects.update(book_id=Subquery(default_book.values("book_id")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0002_a_book_for_every_user"),
        ("customers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customers_user_name_idx"),
        migrations.AddField(
            model_name="customer",
            name="book",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="customers",
                to="books.book",
            ),
        ),
        migrations.RunPython(into_books, elidable=False),
        migrations.AlterField(
            model_name="customer",
            name="book",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="customers",
                to="books.book",
            ),
        ),
        migrations.RemoveField(model_name="customer", name="user"),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["book", "name"], name="customers_book_name_idx"),
        ),
    ]
