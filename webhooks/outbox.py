"""The outbox: an event is written in the transaction of the change it tells of, with a delivery
for each of the book's webhooks that subscribe to it and the worker's task to send each. A
change that rolls back takes its event with it; one that commits has its event sent, at least
once (webhooks.delivery)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from webhooks.models import EVENTS, Delivery, Event, Webhook
from webhooks.tasks import deliver


def emit(*, book_id: int, type: str, data: dict) -> Event | None:
    """Write the event `type` with `data` for the book's webhooks that want it (none: nothing
    is written); in the caller's transaction."""
    assert type in EVENTS, type
    hooks = [
        pk
        for pk, events in Webhook.objects.filter(book_id=book_id, enabled=True).values_list(
            "pk", "events"
        )
        if type in events
    ]
    if not hooks:
        return None
    now = timezone.now()
    body = {"type": type, "timestamp": now.isoformat(), "data": data}
    with transaction.atomic():
        event = Event.objects.create(
            book_id=book_id, type=type, body=json.dumps(body, cls=DjangoJSONEncoder)
        )
        deliveries = Delivery.objects.bulk_create(
            Delivery(book_id=book_id, webhook_id=pk, event=event, next_attempt_at=now)
            for pk in hooks
        )
        for delivery in deliveries:
            deliver.enqueue(delivery.pk)
    return event
