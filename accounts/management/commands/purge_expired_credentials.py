"""Delete dead sessions and tokens, and spent throttle counters (run it daily from cron)."""

from django.core.management.base import BaseCommand

from accounts.services import purge_expired_credentials
from common.throttling import purge_spent


class Command(BaseCommand):
    help = (
        "Delete sessions and tokens unused past AUTH_TOKEN_IDLE_DAYS or of inactive users, and "
        "throttle counters whose allowance is full again."
    )

    def handle(self, *args, **options):
        credentials = purge_expired_credentials()
        counters = purge_spent()
        self.stdout.write(
            f"Deleted {credentials} credential(s) and {counters} throttle counter(s)."
        )
