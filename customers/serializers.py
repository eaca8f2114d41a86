"""Request and response shapes of the customer routes."""

from decimal import Decimal

from rest_framework import serializers

from books.serializers import known_locale
from common.serializers import (
    EmailTextField,
    JSONBooleanField,
    LimitField,
    MoneyField,
    TextField,
    phone_validator,
)
from customers.models import MAX_TERMS_DAYS, Customer, Kind, LimitPolicy


class CustomerSerializer(serializers.ModelSerializer):
    """A customer (or supplier) with its ledger totals and dues (read-only: only entries move
    them)."""

    name = TextField(max_length=255)
    phone = TextField(max_length=32, required=False, allow_blank=True, validators=[phone_validator])
    address = TextField(max_length=500, required=False, allow_blank=True)
    email = EmailTextField(max_length=254, required=False, allow_blank=True)
    kind = serializers.ChoiceField(
        choices=Kind.choices,
        required=False,
        help_text="customer: you will get (credits are what they owe); supplier: you will give "
        "(debits are what you owe). Fixed once the party has entries.",
    )
    locale = TextField(
        max_length=35,
        required=False,
        allow_blank=True,
        help_text="BCP 47 (e.g. hi-IN) for their statement and reminders; blank: the book's.",
    )
    credit_limit = LimitField(
        required=False,
        allow_null=True,
        help_text="How far what they owe (what you owe, for a supplier) may go; null: no limit.",
    )
    credit_limit_policy = serializers.ChoiceField(
        choices=LimitPolicy.choices,
        required=False,
        help_text="warn: posted, with `warnings`; block: refused with a 409.",
    )
    payment_terms_days = serializers.IntegerField(
        min_value=0,
        max_value=MAX_TERMS_DAYS,
        required=False,
        help_text="A credit without a due date falls due this many days after its date.",
    )
    reminders_enabled = JSONBooleanField(required=False)
    archived = serializers.BooleanField(source="is_archived", read_only=True)
    total_credit = MoneyField()
    total_debit = MoneyField()
    balance = MoneyField()
    due = MoneyField(help_text="What is open: what they owe you (a supplier: what you owe).")
    overdue = MoneyField(source="overdue_amount", help_text="Of `due`, what fell due before today.")

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "phone",
            "address",
            "email",
            "kind",
            "locale",
            "credit_limit",
            "credit_limit_policy",
            "payment_terms_days",
            "reminders_enabled",
            "archived",
            "created_at",
            "updated_at",
            "total_credit",
            "total_debit",
            "balance",
            "due",
            "overdue",
            "entry_count",
            "last_entry_date",
        ]
        read_only_fields = ["created_at", "updated_at", "entry_count", "last_entry_date"]

    def validate_locale(self, value: str) -> str:
        return value and known_locale(value)

    def validate_kind(self, value: str) -> str:
        customer = self.instance
        if customer is not None and customer.entry_count and value != customer.kind:
            raise serializers.ValidationError(
                f"This {customer.kind} has entries; its kind cannot change."
            )
        return value

    def to_representation(self, customer):
        if not hasattr(customer, "overdue_amount"):
            customer.overdue_amount = Decimal("0.00")  # a new customer has nothing overdue
        return super().to_representation(customer)
