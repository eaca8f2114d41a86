"""Reads of customers, always scoped to the requesting merchant."""

from django.db import connection
from django.http import Http404

from customers.models import Customer


def customers_of(user):
    """Every customer of the merchant, archived or not."""
    return Customer.objects.for_user(user)


def customer_of(user, customer_id) -> Customer:
    """One of the merchant's customers; a missing one and another merchant's look the same: 404.

    Every route under a customer starts here, so it is one plain query read into the model by
    Django's raw() (the fields' own conversions, a full instance) rather than a QuerySet built
    and compiled for each request, which cost twice as much as running it.
    """
    try:
        pk = int(customer_id)
    except (ValueError, TypeError):
        pk = None
    low, high = connection.ops.integer_field_range(Customer._meta.pk.get_internal_type())
    if pk is None or not low <= pk <= high:
        raise Http404("No customer matches the given query.")
    meta, quote = Customer._meta, connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE id = %s AND user_id = %s"  # noqa: S608
    for customer in Customer.objects.raw(sql, [pk, user.pk]):
        return customer
    raise Http404("No customer matches the given query.")
