"""The worker's webhook tasks: an attempt at one delivery, and the sweep for deliveries whose
attempt was lost (its worker stopped) or whose retry was not queued."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from webhooks import delivery
from webhooks.models import Delivery, DeliveryStatus, Event


@task()
def deliver(delivery_id: str) -> str | None:
    """One attempt at the delivery (webhooks.delivery.attempt); if it is to be retried, the
    next attempt is queued for its time."""
    outcome = delivery.attempt(delivery_id)
    if outcome is None:
        return None
    if outcome.retry_at is not None:
        deliver.using(run_after=outcome.retry_at).enqueue(delivery_id)
    return outcome.status


@task()
def sweep() -> dict:
    """Queue an attempt at each pending delivery whose time has come and that no queued task
    is about to try, and forget deliveries (and their events) older than WEBHOOK_KEEP_DAYS."""
    now = timezone.now()
    late = now - datetime.timedelta(seconds=settings.WEBHOOK_SWEEP_SECONDS)
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=late)
    queued = 0
    for pk in due.values_list("pk", flat=True)[:1000]:
        deliver.enqueue(pk)
        queued += 1
    cutoff = now - datetime.timedelta(days=settings.WEBHOOK_KEEP_DAYS)
    # Across every book (on Citus, every shard): an event's deliveries are in its book.
    pending = Delivery.objects.filter(
        book_id=OuterRef("book_id"), event_id=OuterRef("pk"), status=DeliveryStatus.PENDING
    )
    forgotten, _ = Event.objects.filter(created_at__lt=cutoff).exclude(Exists(pending)).delete()
    return {"queued": queued, "forgotten": forgotten}
