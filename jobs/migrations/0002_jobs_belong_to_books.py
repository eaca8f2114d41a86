"""A job belongs to the book it works in (a job from before books: its user's default book)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def into_books(apps, schema_editor):
    Membership = apps.get_model("books", "Membership")
    default_book = Membership.objects.filter(user_id=OuterRef("user_id"), is_default=True)
    apps.get_model("jobs", "Job").objects.update(
        book_id=Subquery(default_book.values("book_id")[:1])
    )


def book(null=False):
    return models.ForeignKey(
        db_index=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="books.book",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0002_a_book_for_every_user"),
        ("jobs", "0001_jobs"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="job", name="jobs_job_user_idx"),
        migrations.AddField(model_name="job", name="book", field=book(null=True)),
        migrations.RunPython(into_books, elidable=False),
        migrations.AlterField(model_name="job", name="book", field=book()),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(fields=["book", "user", "-id"], name="jobs_job_book_user_idx"),
        ),
    ]
