"""Customers' ledgers: append-only entries, balances, statements."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"

    def ready(self):
        from ledger import tasks  # noqa: F401  (registers the ledger's job kinds)
