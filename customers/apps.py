"""The merchant's customers: who they sell to on credit."""

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
