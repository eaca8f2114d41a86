"""Request and response shapes of the webhook routes."""

import json

from rest_framework import serializers

from common.serializers import JSONBooleanField, TextField
from webhooks import addresses
from webhooks.exceptions import AddressRefused
from webhooks.models import EVENTS, Delivery, Webhook


class WebhookSerializer(serializers.ModelSerializer):
    """A webhook: where the book's events go, and which. Its secret is shown only when made or
    rotated (WebhookSecretSerializer)."""

    url = TextField(max_length=2000)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENTS), allow_empty=False, max_length=len(EVENTS)
    )
    enabled = JSONBooleanField(required=False)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "enabled", "created_at", "created_by"]
        read_only_fields = ["id", "created_at", "created_by"]

    def validate_url(self, url):
        try:
            addresses.check(url)
        except AddressRefused as exc:
            raise serializers.ValidationError(exc.message) from None
        return url

    def validate_events(self, events):
        return sorted(set(events), key=EVENTS.index)


class WebhookSecretSerializer(WebhookSerializer):
    """A webhook with its signing secret (Standard Webhooks' whsec_ form), which verifies the
    signature of each delivery: shown now, and never again."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookSerializer.Meta.read_only_fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer):
    """An event on its way to a webhook. `id` is the webhook-id header the receiver gets (the
    same on every attempt); `last_response` is the receiver's status and the start of its
    answer, or the error that stopped the attempt."""

    event = serializers.CharField(source="event.type", read_only=True)
    payload = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "status",
            "attempts",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "last_response",
            "payload",
        ]
        read_only_fields = fields

    def get_payload(self, delivery) -> dict:
        return json.loads(delivery.event.body)
