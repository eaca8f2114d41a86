"""The ledger routes: entries (flat and under a customer), reversal, summary and dashboard."""

from functools import partial

from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.fields import DateField
from rest_framework.response import Response
from rest_framework.views import APIView

from common.filters import StrictOrderingFilter
from common.schema import (
    ERRORS_400,
    ERRORS_401,
    ERRORS_404,
    ERRORS_409,
    ERRORS_422,
)
from customers.selectors import customer_of
from ledger import idempotency, selectors, services
from ledger.exceptions import IdempotencyKeyInFlight
from ledger.filters import EntryFilter
from ledger.models import Entry
from ledger.serializers import (
    DashboardSerializer,
    EntryCreateSerializer,
    EntrySerializer,
    NestedEntryCreateSerializer,
    ReverseEntrySerializer,
    SummarySerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Up to 255 characters. The same key with the same body replays the first answer "
    "(with `Idempotent-Replayed: true`) and writes nothing.",
)
WRITE_ERRORS = {**ERRORS_400, **ERRORS_401, **ERRORS_404, **ERRORS_409, **ERRORS_422}


class IdempotentMixin:
    """Honour an Idempotency-Key on the view's writes: replay, refuse reuse, refuse in flight."""

    def idempotent(self, request, handler) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return handler()
        if not key or len(key) > idempotency.MAX_KEY_LENGTH or not key.isprintable():
            raise ValidationError({"Idempotency-Key": ["Use 1 to 255 printable characters."]})
        fingerprint = idempotency.fingerprint(
            method=request.method, path=request.path, body=request.body
        )
        with transaction.atomic():
            record = idempotency.claim(user=request.user, key=key, fingerprint=fingerprint)
            if record is not None:
                return Response(
                    record.response_body,
                    status=record.response_status,
                    headers={"Idempotent-Replayed": "true"},
                )
            response = handler()
            if status.is_success(response.status_code):
                try:
                    with transaction.atomic():
                        idempotency.remember(
                            user=request.user,
                            key=key,
                            fingerprint=fingerprint,
                            status=response.status_code,
                            body=response.data,
                        )
                except IntegrityError:
                    raise IdempotencyKeyInFlight() from None
        return response


class EntryCreateMixin(IdempotentMixin):
    """POST an entry through the posting service; answer it as EntrySerializer shows it."""

    create_serializer_class = None

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":
            return self.create_serializer_class
        return EntrySerializer

    def create(self, request, *args, **kwargs):
        return self.idempotent(request, partial(self._create, request))

    def _create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry = services.post_entry(
            user=request.user,
            customer=self.customer_for(data),
            type=data["type"],
            amount=data["amount"],
            entry_date=data["entry_date"],
            note=data["note"],
        )
        body = EntrySerializer(entry, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class EntryListMixin:
    filter_backends = [StrictOrderingFilter, *viewsets.GenericViewSet.filter_backends]
    filterset_class = EntryFilter
    ordering_fields = ["entry_date", "amount", "created_at"]
    ordering = ["-entry_date", "-id"]


@extend_schema_view(
    list=extend_schema(responses={200: EntrySerializer(many=True), **ERRORS_400, **ERRORS_401}),
    create=extend_schema(
        request=EntryCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: EntrySerializer, **WRITE_ERRORS},
    ),
    retrieve=extend_schema(responses={200: EntrySerializer, **ERRORS_401, **ERRORS_404}),
)
@extend_schema(tags=["entries"])
class EntryViewSet(
    EntryCreateMixin,
    EntryListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The merchant's ledger entries across all customers. Append-only: no PUT, PATCH or DELETE."""

    create_serializer_class = EntryCreateSerializer

    def customer_for(self, data):
        return data["customer"]

    def get_serializer_class(self):
        if self.action == "reverse":
            return ReverseEntrySerializer
        return super().get_serializer_class()

    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return Entry.objects.none()
        return selectors.entries_of(self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(
        request=ReverseEntrySerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: EntrySerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Cancel the entry with a new one of the opposite type and the same amount."""
        return self.idempotent(request, partial(self._reverse, request))

    def _reverse(self, request):
        entry = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reversal = services.reverse_entry(
            user=request.user, entry=entry, **serializer.validated_data
        )
        return Response(EntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        responses={200: EntrySerializer(many=True), **ERRORS_400, **ERRORS_401, **ERRORS_404}
    ),
    create=extend_schema(
        request=NestedEntryCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: EntrySerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["entries"])
class CustomerEntryViewSet(
    EntryCreateMixin,
    EntryListMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """One customer's entries (the customer is in the URL)."""

    create_serializer_class = NestedEntryCreateSerializer

    @property
    def customer(self):
        if not hasattr(self, "_customer"):
            self._customer = customer_of(self.request.user, self.kwargs["customer_pk"])
        return self._customer

    def customer_for(self, data):
        return self.customer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return Entry.objects.none()
        return selectors.entries_of(self.request.user).filter(customer=self.customer)


class CustomerSummaryView(APIView):
    """A customer's totals and balance; `as_of` counts only entries dated on or before that day."""

    @extend_schema(
        parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE)],
        responses={200: SummarySerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404},
        tags=["customers"],
    )
    def get(self, request, customer_pk):
        customer = customer_of(request.user, customer_pk)
        as_of = _date_param(request, "as_of")
        totals = selectors.customer_totals(customer, as_of=as_of)
        body = {
            "customer": customer.pk,
            "total_credit": totals.total_credit,
            "total_debit": totals.total_debit,
            "balance": totals.balance,
            "entry_count": totals.entry_count,
            "last_entry_date": totals.last_entry_date,
        }
        return Response(SummarySerializer(body).data)


class DashboardView(APIView):
    """What the merchant will get and will give across every customer."""

    @extend_schema(responses={200: DashboardSerializer, **ERRORS_401}, tags=["dashboard"])
    def get(self, request):
        return Response(DashboardSerializer(selectors.dashboard(request.user)).data)


def _date_param(request, name):
    """Parse an optional YYYY-MM-DD query parameter, or answer 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return DateField().to_internal_value(raw)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None
