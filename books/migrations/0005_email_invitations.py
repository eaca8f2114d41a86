"""Invitations by email, to someone without an account yet: a membership with no user until
they register (or sign in) with its code."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0004_token_scopes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="email",
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AlterField(
            model_name="membership",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("user__isnull", False),
                    models.Q(("status", "invited"), models.Q(("email", ""), _negated=True)),
                    _connector="OR",
                ),
                name="books_membership_user_or_email_invitation",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                models.F("book"),
                condition=models.Q(("user__isnull", True)),
                name="books_membership_one_email_invitation",
            ),
        ),
    ]
