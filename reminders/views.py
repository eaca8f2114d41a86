"""The reminder routes: a customer's reminders (clerks send them by hand) and a book's
automatic reminder settings (managers')."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from books.models import Role
from common.schema import ERRORS_400, ERRORS_401, ERRORS_404, ERRORS_409, LIST_ERRORS
from common.scoping import TenantScopedMixin
from customers.views import OfOneCustomer
from reminders import services
from reminders.models import Reminder
from reminders.serializers import (
    ReminderCreateSerializer,
    ReminderSerializer,
    ReminderSettingsSerializer,
)


@extend_schema_view(
    list=extend_schema(responses={200: ReminderSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ReminderSerializer, **ERRORS_401, **ERRORS_404}),
    create=extend_schema(
        request=ReminderCreateSerializer,
        description="Compose a reminder in the party's language (else the book's): what is "
        "due, the oldest due date, the business and a new statement link; and send it by the "
        "channel asked (email: by the worker, `queued` until it has gone). One a day at most "
        "(409); nothing due is a 409; email to a party without an address is a 400.",
        responses={201: ReminderSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404, **ERRORS_409},
    ),
)
@extend_schema(tags=["reminders"])
class ReminderViewSet(
    OfOneCustomer,
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A customer's reminders, newest first: every attempt (by hand or automatic) and its
    outcome."""

    model = Reminder
    serializer_class = ReminderSerializer
    roles = {"list": Role.CLERK, "retrieve": Role.CLERK, "create": Role.CLERK}
    lookup_value_regex = "[0-9]+"

    def create(self, request, *args, **kwargs):
        asked = ReminderCreateSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        reminder = services.remind(
            book=self.tenant,
            customer=self.customer,
            by=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
            **asked.validated_data,
        )
        return Response(self.get_serializer(reminder).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(responses={200: ReminderSettingsSerializer, **ERRORS_401, **ERRORS_404}),
    partial_update=extend_schema(
        responses={200: ReminderSettingsSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404}
    ),
)
@extend_schema(
    tags=["reminders"], parameters=[OpenApiParameter("book_pk", int, OpenApiParameter.PATH)]
)
class ReminderSettingsViewSet(TenantScopedMixin, viewsets.GenericViewSet):
    """The book's automatic reminders: every `every_days` days, to each customer (with
    reminders on) overdue by at least `min_overdue_days`, by `channel`; never more than one a
    day; the texts by kind of party and language."""

    serializer_class = ReminderSettingsSerializer
    roles = {"retrieve": Role.MANAGER, "partial_update": Role.MANAGER}

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(services.settings_of(self.tenant)).data)

    def partial_update(self, request, *args, **kwargs):
        asked = self.get_serializer(data=request.data, partial=True)
        asked.is_valid(raise_exception=True)
        updated = services.update_settings(
            book=self.tenant, by=request.user, **asked.validated_data
        )
        return Response(self.get_serializer(updated).data)
