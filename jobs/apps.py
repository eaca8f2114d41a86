"""Background jobs: long work out of the request, a durable queue, a worker beside the server."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
