"""Making, changing, removing webhooks (their addresses checked by the serializer:
webhooks.addresses), rotating their secrets and redelivering; each is recorded
in the book's activity trail (never the secret)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from books.activity import diff, record, snapshot
from webhooks.exceptions import NotRedeliverable
from webhooks.models import Delivery, DeliveryStatus, Webhook, new_secret
from webhooks.tasks import deliver

SHOWN = ("url", "events", "enabled")


@transaction.atomic
def create_webhook(*, book, by, url: str, events: list[str], enabled: bool = True) -> Webhook:
    hook = Webhook.objects.create(book=book, url=url, events=events, enabled=enabled, created_by=by)
    record(
        book_id=book.pk,
        actor=by,
        action="webhook.created",
        target=hook,
        changes=diff({}, snapshot(hook, SHOWN)),
    )
    return hook


@transaction.atomic
def update_webhook(*, hook: Webhook, by, **fields) -> Webhook:
    before = snapshot(hook, SHOWN)
    for name, value in fields.items():
        setattr(hook, name, value)
    hook.save(update_fields=list(fields))
    changes = diff(before, snapshot(hook, SHOWN))
    if changes:
        record(
            book_id=hook.book_id, actor=by, action="webhook.updated", target=hook, changes=changes
        )
    return hook


@transaction.atomic
def delete_webhook(*, hook: Webhook, by) -> None:
    """Remove the webhook, its deliveries with it: nothing more is sent to it."""
    record(
        book_id=hook.book_id,
        actor=by,
        action="webhook.deleted",
        target=hook,
        changes=diff(snapshot(hook, SHOWN), {}),
    )
    hook.delete()


@transaction.atomic
def rotate_secret(*, hook: Webhook, by) -> Webhook:
    """A new secret; the one it replaces still signs (a second signature) for
    WEBHOOK_SECRET_GRACE_HOURS, so the receiver can change over without missing an event."""
    hook.previous_secret = hook.secret
    hook.previous_secret_expires_at = timezone.now() + datetime.timedelta(
        hours=settings.WEBHOOK_SECRET_GRACE_HOURS
    )
    hook.secret = new_secret()
    hook.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    record(
        book_id=hook.book_id,
        actor=by,
        action="webhook.secret_rotated",
        target=hook,
        changes={"previous_secret_expires_at": [None, hook.previous_secret_expires_at.isoformat()]},
    )
    return hook


@transaction.atomic
def redeliver(*, delivery: Delivery, by) -> Delivery:
    """Send a delivered or failed delivery again, now, with the same webhook-id (the receiver
    may deduplicate by it); if this attempt fails, it is retried while retries are left."""
    now = timezone.now()
    if (
        not Delivery.objects.filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.PENDING)
        .update(status=DeliveryStatus.PENDING, next_attempt_at=now)
    ):
        raise NotRedeliverable()
    deliver.enqueue(delivery.pk)
    record(
        book_id=delivery.book_id,
        actor=by,
        action="webhook.redelivered",
        target=delivery.webhook,
        changes={"delivery": [None, delivery.pk]},
    )
    delivery.refresh_from_db()
    return delivery
