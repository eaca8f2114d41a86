"""Request and response shapes of the customer routes."""

from rest_framework import serializers

from common.serializers import EmailTextField, MoneyField, TextField, phone_validator
from customers.models import Customer


class CustomerSerializer(serializers.ModelSerializer):
    """A customer with its ledger totals (read-only: only entries move them)."""

    name = TextField(max_length=255)
    phone = TextField(max_length=32, required=False, allow_blank=True, validators=[phone_validator])
    address = TextField(max_length=500, required=False, allow_blank=True)
    email = EmailTextField(max_length=254, required=False, allow_blank=True)
    archived = serializers.BooleanField(source="is_archived", read_only=True)
    total_credit = MoneyField()
    total_debit = MoneyField()
    balance = MoneyField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "phone",
            "address",
            "email",
            "archived",
            "created_at",
            "updated_at",
            "total_credit",
            "total_debit",
            "balance",
            "entry_count",
            "last_entry_date",
        ]
        read_only_fields = ["created_at", "updated_at", "entry_count", "last_entry_date"]
