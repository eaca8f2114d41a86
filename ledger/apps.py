"""Customers' ledgers: append-only entries, balances, statements."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
