"""The webhook routes of a book: its webhooks (managers'), their secrets, and their deliveries."""

from functools import cached_property

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from books.models import Role
from common.numbers import row_id
from common.schema import ERRORS_400, ERRORS_401, ERRORS_404, ERRORS_409, LIST_ERRORS
from common.scoping import TenantScopedMixin
from webhooks import services
from webhooks.models import Delivery, Webhook
from webhooks.serializers import DeliverySerializer, WebhookSecretSerializer, WebhookSerializer

MANAGERS = {
    action: Role.MANAGER
    for action in (
        "list",
        "retrieve",
        "create",
        "partial_update",
        "destroy",
        "rotate_secret",
        "redeliver",
    )
}


@extend_schema_view(
    list=extend_schema(responses={200: WebhookSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(
        description="Add a webhook. The answer carries its signing secret, shown only now.",
        responses={201: WebhookSecretSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404},
    ),
    retrieve=extend_schema(responses={200: WebhookSerializer, **ERRORS_401, **ERRORS_404}),
    partial_update=extend_schema(
        responses={200: WebhookSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404}
    ),
    destroy=extend_schema(
        description="Remove the webhook and its deliveries: nothing more is sent to it.",
        responses={204: None, **ERRORS_401, **ERRORS_404},
    ),
)
@extend_schema(tags=["webhooks"])
class WebhookViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The book's webhooks: the events they receive, signed per Standard Webhooks."""

    model = Webhook
    serializer_class = WebhookSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"
    roles = MANAGERS

    def scope(self, queryset):
        return queryset.select_related("created_by")

    def create(self, request, *args, **kwargs):
        asked = self.get_serializer(data=request.data)
        asked.is_valid(raise_exception=True)
        hook = services.create_webhook(book=self.tenant, by=request.user, **asked.validated_data)
        return Response(WebhookSecretSerializer(hook).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        services.update_webhook(
            hook=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_webhook(hook=instance, by=self.request.user)

    @extend_schema(
        request=None,
        description="A new signing secret, shown only now. The previous one keeps signing "
        "too (a second signature) for WEBHOOK_SECRET_GRACE_HOURS, so the receiver can change "
        "over without missing an event.",
        responses={200: WebhookSecretSerializer, **ERRORS_401, **ERRORS_404},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        hook = services.rotate_secret(hook=self.get_object(), by=request.user)
        return Response(WebhookSecretSerializer(hook).data)


@extend_schema_view(
    list=extend_schema(responses={200: DeliverySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: DeliverySerializer, **ERRORS_401, **ERRORS_404}),
)
@extend_schema(tags=["webhooks"])
class DeliveryViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A webhook's deliveries, newest first: each event sent (or on its way) and how it went."""

    model = Delivery
    serializer_class = DeliverySerializer
    lookup_value_regex = "msg_[0-9a-f]{32}"
    roles = MANAGERS

    @cached_property
    def webhook(self):
        pk = row_id(self.kwargs["webhook_pk"])
        if pk is None:
            raise Http404("No webhook matches the given query.")
        return get_object_or_404(Webhook.objects.of(self.tenant), pk=pk)

    def scope(self, queryset):
        return queryset.filter(webhook=self.webhook).select_related("event")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(
        request=None,
        description="Send a delivered or failed delivery again, now, with the same webhook-id; "
        "a pending one is a 409 (it is being tried already).",
        responses={202: DeliverySerializer, **ERRORS_401, **ERRORS_404, **ERRORS_409},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, *args, **kwargs):
        delivery = services.redeliver(delivery=self.get_object(), by=request.user)
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
