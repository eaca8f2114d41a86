"""Merchants' accounts: registration and JWT authentication."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
