"""A merchant's customer, with the running totals of its ledger."""

from decimal import Decimal

from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Greatest

from common.fields import MoneyField
from common.scoping import TenantOwned, TenantQuerySet

BALANCE = ExpressionWrapper(F("total_credit") - F("total_debit"), output_field=MoneyField())


class Kind(models.TextChoices):
    """Which way a party's dues run: a customer will pay the book, the book will pay a supplier."""

    CUSTOMER = "customer", "Customer"  # credits are what they owe; debits are their payments
    SUPPLIER = "supplier", "Supplier"  # debits are what the book owes; credits are its payments


class LimitPolicy(models.TextChoices):
    """What a posting past the credit limit meets."""

    WARN = "warn", "Warn"  # posted, with a warning
    BLOCK = "block", "Block"  # refused (409), by the database's posting trigger


MAX_TERMS_DAYS = 3650

# What a party owes (a customer), or the book owes it (a supplier), never below zero: the SQL
# form of Customer.due, to filter and order by.
DUE = Greatest(
    Case(
        When(kind=Kind.SUPPLIER, then=F("total_debit") - F("total_credit")),
        default=F("total_credit") - F("total_debit"),
        output_field=MoneyField(),
    ),
    Value(0),
    output_field=MoneyField(),
)


class CustomerQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def with_balance(self):
        """Annotate `balance_amount` (credit minus debit) so queries can order and filter by it."""
        return self.annotate(balance_amount=BALANCE)


class Customer(TenantOwned):
    """Someone the book's business sells to on credit (or, as a supplier, buys from).

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
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CUSTOMER)
    # Dues: how far the party may run up what is due (None: no limit), what a posting past it
    # meets, when a credit falls due by default, and how reminders speak to them.
    credit_limit = MoneyField(null=True, blank=True)
    credit_limit_policy = models.CharField(
        max_length=5, choices=LimitPolicy.choices, default=LimitPolicy.WARN
    )
    payment_terms_days = models.PositiveSmallIntegerField(default=0)
    locale = models.CharField(max_length=35, blank=True)
    reminders_enabled = models.BooleanField(default=True)

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
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="customers_customer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(credit_limit_policy__in=LimitPolicy.values),
                name="customers_customer_limit_policy_valid",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customers_customer_limit_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(payment_terms_days__lte=MAX_TERMS_DAYS),
                name="customers_customer_terms_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def balance(self) -> Decimal:
        """What the customer owes the merchant (negative: what the merchant owes the customer)."""
        return self.total_credit - self.total_debit

    @property
    def is_supplier(self) -> bool:
        return self.kind == Kind.SUPPLIER

    @property
    def due(self) -> Decimal:
        """What is due now: the customer's positive balance, or what the book owes a supplier."""
        return max(-self.balance if self.is_supplier else self.balance, Decimal("0.00"))

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
