"""Reads of customers, always scoped to the requesting merchant."""

from django.http import Http404

from customers.models import Customer


def customers_of(user):
    """Every customer of the merchant, archived or not."""
    return Customer.objects.for_user(user)


def customer_of(user, customer_id) -> Customer:
    """One of the merchant's customers; a missing one and another merchant's look the same: 404."""
    try:
        return customers_of(user).get(pk=int(customer_id))
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No customer matches the given query.") from None
