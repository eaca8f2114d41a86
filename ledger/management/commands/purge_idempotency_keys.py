"""Delete Idempotency-Key records older than the retention period (run it daily from cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ledger.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than IDEMPOTENCY_KEY_RETENTION_HOURS."

    def handle(self, *args, **options):
        deleted = purge_expired()
        hours = settings.IDEMPOTENCY_KEY_RETENTION_HOURS
        self.stdout.write(f"Deleted {deleted} idempotency key(s) older than {hours} hours.")
