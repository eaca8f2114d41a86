"""A whole book taken away as an archive (customers, entries, activity) and restored from one
into a new book."""

from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "archives"

    def ready(self):
        from archives import tasks  # noqa: F401 (registers the archive jobs' handlers)
