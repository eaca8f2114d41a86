"""Periodic work: settings.PERIODIC_TASKS maps a task (its dotted path) to how often it runs, in
seconds. Every worker looks; the first to move a task's due time on queues it, so several
workers (or servers) queue it once."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs.models import Periodic


def enqueue_due(*, now=None) -> list[str]:
    """Queue each periodic task that is due (a new one is due at once); answer their paths."""
    now = now or timezone.now()
    # A read first: a worker with nothing due takes no write lock (SQLite has one writer).
    due_at = dict(Periodic.objects.values_list("name", "due_at"))
    queued = []
    for path, every in settings.PERIODIC_TASKS.items():
        if path in due_at and due_at[path] > now:
            continue
        with transaction.atomic():
            if path not in due_at:
                Periodic.objects.bulk_create(
                    [Periodic(name=path, due_at=now)], ignore_conflicts=True
                )
            mine = Periodic.objects.filter(name=path, due_at__lte=now).update(
                due_at=now + timedelta(seconds=every)
            )
            if mine:
                import_string(path).enqueue()
                queued.append(path)
    return queued
