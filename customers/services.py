"""Writes to customers. The ledger totals are not written here: posting entries owns them."""

from django.db import transaction
from django.utils import timezone

from customers.models import Customer


@transaction.atomic
def create_customer(
    *, book, name: str, phone: str = "", address: str = "", email: str = ""
) -> Customer:
    """Add a customer to the book."""
    return Customer.objects.create(book=book, name=name, phone=phone, address=address, email=email)


@transaction.atomic
def update_customer(*, customer: Customer, **fields) -> Customer:
    """Change a customer's details (name, phone, address, email)."""
    allowed = {"name", "phone", "address", "email"}
    changed = [name for name in fields if name in allowed]
    for name in changed:
        setattr(customer, name, fields[name])
    customer.save(update_fields=[*changed, "updated_at"])
    return customer


@transaction.atomic
def archive_customer(*, customer: Customer) -> Customer:
    """Take a customer out of the default list; its entries and totals stay as they are."""
    if customer.archived_at is None:
        customer.archived_at = timezone.now()
        customer.save(update_fields=["archived_at", "updated_at"])
    return customer


@transaction.atomic
def restore_customer(*, customer: Customer) -> Customer:
    """Bring an archived customer back into the list."""
    if customer.archived_at is not None:
        customer.archived_at = None
        customer.save(update_fields=["archived_at", "updated_at"])
    return customer
