"""Pieces every app shares: money, pagination, error handling, health."""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"

    def ready(self):
        from common import schema  # noqa: F401 (registers the OpenAPI auth schemes)
