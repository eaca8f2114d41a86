"""Every account that existed before books gets one: theirs, owned by them, their default.
Their customers, entries, keys and jobs move into it (the other apps' next migrations)."""

from django.conf import settings
from django.db import migrations


def open_books(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Book = apps.get_model("books", "Book")
    Membership = apps.get_model("books", "Membership")
    for user in User.objects.order_by("pk").iterator():
        name = f"{user.first_name} {user.last_name}".strip() or user.username
        book = Book.objects.create(
            name=name,
            currency=settings.DEFAULT_CURRENCY,
            locale=settings.DEFAULT_LOCALE,
            time_zone=settings.DEFAULT_TIME_ZONE,
        )
        Membership.objects.create(
            book=book, user=user, role="owner", status="active", is_default=True
        )


class Migration(migrations.Migration):
    dependencies = [("books", "0001_books_and_members")]

    operations = [migrations.RunPython(open_books, migrations.RunPython.noop)]
