"""Limits on named tokens (one book, a highest role) and book tokens."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_auth_tokens"),
        ("books", "0003_activity"),
    ]

    operations = [
        migrations.CreateModel(
            name="TokenScope",
            fields=[
                (
                    "token",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="scope",
                        serialize=False,
                        to="accounts.authtoken",
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("viewer", "Viewer"),
                            ("clerk", "Clerk"),
                            ("manager", "Manager"),
                            ("owner", "Owner"),
                        ],
                        max_length=8,
                    ),
                ),
                ("book_token", models.BooleanField(default=False)),
                (
                    "book",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="books.book",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("role__in", ["viewer", "clerk", "manager", "owner", ""])
                        ),
                        name="books_tokenscope_role_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("book_token", False),
                            models.Q(
                                ("book__isnull", False), models.Q(("role", ""), _negated=True)
                            ),
                            _connector="OR",
                        ),
                        name="books_tokenscope_book_token_has_book_and_role",
                    ),
                ],
            },
        ),
    ]
