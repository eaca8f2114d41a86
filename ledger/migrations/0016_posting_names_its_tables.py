"""The posting trigger names the tables it writes, so that on Citus it writes the shards beside
the entry's shard (ledger/sql/posting.postgresql.sql); on SQLite nothing changes."""

from django.db import migrations

from ledger.migrations._posting import create_triggers


def noop(apps, schema_editor):
    """The earlier form did the same on PostgreSQL; the new one may stay."""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0015_dues_read_not_kept")]

    operations = [migrations.RunPython(create_triggers, noop)]
