"""An entry restored from a book's archive keeps the name of who posted it there."""

from django.db import migrations, models

from ledger.migrations._append_only import create_trigger
from ledger.migrations._posting import create_triggers_by_book


def triggers_in_place(apps, schema_editor):
    # A nullable column is added in place on both databases, so nothing was remade; but were a
    # later Django to remake the table here, SQLite would drop its triggers: put them back.
    create_triggers_by_book(apps, schema_editor)
    create_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_entries_belong_to_books")]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="recorded_by",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.RunPython(triggers_in_place, migrations.RunPython.noop, elidable=False),
    ]
