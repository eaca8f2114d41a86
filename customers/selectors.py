"""Reads of customers, always scoped to the request's tenant (common.scoping)."""

from django.http import Http404

from common.numbers import row_id
from customers.models import Customer


def customers_of(tenant):
    """Every customer of the tenant, archived or not."""
    return Customer.objects.of(tenant)


def customer_of(tenant, customer_id) -> Customer:
    """One of the tenant's customers; a missing one and another's look the same: 404."""
    pk = row_id(customer_id)
    if pk is None:
        raise Http404("No customer matches the given query.")
    try:
        return customers_of(tenant).get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404("No customer matches the given query.") from None
