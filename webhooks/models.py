"""Webhooks: a book's endpoints, the events written for them (the outbox), and each delivery of
an event to an endpoint."""

import base64
import secrets

from django.conf import settings
from django.db import models

from common.fields import BookForeignKey
from common.scoping import TenantOwned, TenantQuerySet

# Every event a webhook may subscribe to.
EVENTS = [
    "entry.posted",
    "entry.reversed",
    "entries.imported",
    "customer.over_limit",
    "reminder.sent",
]


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    """A delivery's webhook-id: the same on every attempt, so a receiver can deduplicate."""
    return "msg_" + secrets.token_hex(16)


class Webhook(TenantOwned):
    """An endpoint of a book that receives the events it subscribes to, signed with its secret.
    After a rotation the previous secret signs too (a second signature) until
    `previous_secret_expires_at`, so a receiver can switch without missing an event."""

    book = models.ForeignKey("books.Book", on_delete=models.PROTECT, related_name="+")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, default=new_secret)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"webhook {self.pk} to {self.url}"


class Event(TenantOwned):
    """Something that happened in a book, as its webhooks receive it: `body` is the JSON sent,
    exactly (the signature covers it), written in the transaction of the change itself."""

    book = models.ForeignKey("books.Book", on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=40)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    def __str__(self):
        return f"{self.type} {self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Delivery(TenantOwned):
    """An event on its way to one webhook. Its id is the webhook-id header, the same on every
    attempt; `next_attempt_at` is when the worker may try (again), and while an attempt runs,
    until when it is that attempt's."""

    id = models.CharField(primary_key=True, max_length=40, default=new_message_id)
    book = models.ForeignKey(
        "books.Book", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    webhook = BookForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = BookForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["book", "webhook", "created_at"], name="webhooks_delivery_list"),
            models.Index(
                fields=["next_attempt_at"],
                name="webhooks_delivery_due",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self):
        return self.pk
