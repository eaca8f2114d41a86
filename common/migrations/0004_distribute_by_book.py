"""On Citus, distribute the tables by book (common/citus.py); on SQLite and PostgreSQL nothing.

It comes after the last migration of every app whose tables it reshapes."""

from django.db import migrations

from common.citus import distribute


def keep(apps, schema_editor):
    """Undistributing is not a migration's job: a cluster is rebuilt from a backup instead."""


class Migration(migrations.Migration):
    atomic = True
    dependencies = [
        ("common", "0003_throttle_arrivals_in_order"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("accounts", "0002_auth_tokens"),
        ("books", "0005_email_invitations"),
        ("customers", "0004_dues_read_not_kept"),
        ("jobs", "0002_jobs_belong_to_books"),
        ("ledger", "0016_posting_names_its_tables"),
        ("links", "0001_statement_links"),
        ("reminders", "0001_reminders"),
        ("webhooks", "0001_webhooks"),
    ]

    operations = [migrations.RunPython(distribute, keep)]
