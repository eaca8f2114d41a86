"""The activity trail: every change to a book's customers, profile, members and tokens, kept
append-only by a trigger (books/sql/activity.*.sql)."""

from pathlib import Path

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from common.db import run_sql_file

SQL = Path(__file__).resolve().parent.parent / "sql"


def install(apps, schema_editor):
    run_sql_file(schema_editor, SQL, "activity.{vendor}.sql")


def remove(apps, schema_editor):
    run_sql_file(schema_editor, SQL, "activity.{vendor}.drop.sql")


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0002_a_book_for_every_user"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Activity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("actor_name", models.CharField(blank=True, max_length=150)),
                ("action", models.CharField(max_length=40)),
                ("object_type", models.CharField(max_length=20)),
                ("object_id", models.BigIntegerField(null=True)),
                ("changes", models.JSONField(default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "book",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="books.book",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "activities",
                "indexes": [
                    models.Index(fields=["book", "-id"], name="books_activity_book_newest")
                ],
            },
        ),
        migrations.RunPython(install, remove),
    ]
