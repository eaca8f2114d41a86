"""The customer routes: list, create, read, update, archive and restore."""

from functools import cached_property

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from books.models import Role
from common.filters import KnownParametersFilter, StrictOrderingFilter
from common.schema import ERRORS_400, ERRORS_401, ERRORS_404, LIST_ERRORS
from common.scoping import TenantScopedMixin
from customers import services
from customers.filters import CustomerFilter
from customers.models import Customer
from customers.selectors import customer_of
from customers.serializers import CustomerSerializer


@extend_schema_view(
    list=extend_schema(responses={200: CustomerSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(responses={201: CustomerSerializer, **ERRORS_400, **ERRORS_401}),
    retrieve=extend_schema(responses={200: CustomerSerializer, **ERRORS_401, **ERRORS_404}),
    update=extend_schema(
        responses={200: CustomerSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404}
    ),
    partial_update=extend_schema(
        responses={200: CustomerSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404}
    ),
    destroy=extend_schema(
        description="Archive the customer: it leaves the default list; nothing is destroyed.",
        responses={204: None, **ERRORS_401, **ERRORS_404},
    ),
)
@extend_schema(tags=["customers"])
class CustomerViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    """The book's customers, each with its ledger totals."""

    model = Customer
    roles = {
        "create": Role.CLERK,
        "update": Role.CLERK,
        "partial_update": Role.CLERK,
        "destroy": Role.MANAGER,
        "restore": Role.MANAGER,
    }
    serializer_class = CustomerSerializer
    filter_backends = [
        KnownParametersFilter,
        filters.SearchFilter,
        StrictOrderingFilter,
        DjangoFilterBackend,
    ]
    filterset_class = CustomerFilter
    search_fields = ["name", "phone"]
    ordering_fields = ["name", "created_at", "balance"]
    ordering_aliases = {"balance": "balance_amount"}
    ordering = ["name", "id"]
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3

    def role_needed(self):
        # Clerks keep contact details; a party's dues terms are the managers'.
        writes = self.action in ("create", "update", "partial_update")
        data = self.request.data if writes else None
        if isinstance(data, dict) and data.keys() & set(services.TERMS):
            return Role.MANAGER
        return None

    def scope(self, queryset):
        return queryset.with_balance() if self.action == "list" else queryset

    def filter_queryset(self, queryset):
        # Search, ordering and `archived` shape the list; a customer's own URL finds it either way.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def perform_create(self, serializer):
        serializer.instance = services.create_customer(
            book=self.tenant, by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        services.update_customer(
            customer=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.archive_customer(customer=instance, by=self.request.user)

    @extend_schema(request=None, responses={200: CustomerSerializer, **ERRORS_401, **ERRORS_404})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None, **kwargs):
        """Bring an archived customer back into the list."""
        customer = services.restore_customer(customer=self.get_object(), by=request.user)
        return Response(self.get_serializer(customer).data, status=status.HTTP_200_OK)


class OfOneCustomer:
    """A view of what hangs from one customer (/customers/{customer_pk}/...): that customer's
    rows only; a customer not the tenant's is a 404. `related`: what each row is read with."""

    related: tuple[str, ...] = ("created_by",)

    @cached_property
    def customer(self) -> Customer:
        return customer_of(self.tenant, self.kwargs["customer_pk"])

    def scope(self, queryset):
        return queryset.filter(customer=self.customer).select_related(*self.related)
