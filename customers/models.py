"""A merchant's customer, with the running totals of its ledger."""

from decimal import Decimal

from django.db import models
from django.db.models import ExpressionWrapper, F, Q

from common.fields import MoneyField
from common.scoping import TenantOwned, TenantQuerySet

BALANCE = ExpressionWrapper(F("total_credit") - F("total_debit"), output_field=MoneyField())


class CustomerQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def with_balance(self):
        """Annotate `balance_amount` (credit minus debit) so queries can order and filter by it."""
        return self.annotate(balance_amount=BALANCE)


class Customer(TenantOwned):
    """Someone the book's business sells to on credit.

    The totals are kept by the database: a trigger on the ledger's entries table moves them
    with every entry row (ledger/sql/), so a balance costs one row read however long the
    history; `verify_ledger` recomputes them.
    """

    # No index of its own: the composite indexes start with it.
    book = models.ForeignKey(
        "books.Book", on_delete=models.PROTECT, related_name="customers", db_index=False
    )
    name = models.CharField(max_length=255)
    phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    total_credit = MoneyField(default=Decimal("0.00"), editable=False)
    total_debit = MoneyField(default=Decimal("0.00"), editable=False)
    entry_count = models.BigIntegerField(default=0, editable=False)
    last_entry_date = models.DateField(null=True, blank=True, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["book", "name"], name="customers_book_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_credit__gte=0) & Q(total_debit__gte=0) & Q(entry_count__gte=0),
                name="customers_totals_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def balance(self) -> Decimal:
        """What the customer owes the merchant (negative: what the merchant owes the customer)."""
        return self.total_credit - self.total_debit

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
