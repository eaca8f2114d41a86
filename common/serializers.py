"""Serializer fields shared by the apps: money in, money out, and owner-scoped relations."""

import datetime

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.dates import parse_date
from common.money import CENT, MAX_ENTRY_AMOUNT, PLAIN_AMOUNT, PLAIN_DECIMAL

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{2,30}$", "Enter a phone number: digits, spaces, ( ) - and a leading +."
)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "decimal", "pattern": PLAIN_AMOUNT.pattern},
            {"type": "number", "minimum": 0.01, "maximum": 999999999999.99, "multipleOf": 0.01},
        ],
        "description": "Positive, at most two decimal places, up to 999999999999.99. Answers "
        "always carry it as a string with two places.",
    },
    component_name="Amount",
)
class AmountField(serializers.DecimalField):
    """An entry amount: positive, two places at most, up to 999,999,999,999.99; string or number."""

    default_error_messages = {
        "plain": "Write the amount as a plain decimal number, such as 1250.50.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", CENT)
        kwargs.setdefault("max_value", MAX_ENTRY_AMOUNT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # Text must be a plain decimal ("1e3" is a number, but not how money is written); JSON
        # numbers are numbers however they were spelled.
        if isinstance(data, str) and not PLAIN_DECIMAL.match(data):
            self.fail("plain")
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "string",
                "format": "decimal",
                "pattern": r"^\s*\+?0*[0-9]{1,12}(\.[0-9]{0,2})?\s*$",
            },
            {"type": "number", "minimum": 0, "maximum": 999999999999.99, "multipleOf": 0.01},
        ],
        "description": "Zero or more, at most two decimal places, up to 999999999999.99. "
        "Answers always carry it as a string with two places.",
    },
    component_name="Limit",
)
class LimitField(AmountField):
    """A limit on an amount of money (a credit limit): like an amount, but zero is one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        # DRF reads "" as null for a nullable decimal; in JSON, null is written null.
        if isinstance(data, str) and not data.strip():
            self.fail("invalid")
        return super().validate_empty_values(data)


class DateField(serializers.DateField):
    """A date as the API takes it: YYYY-MM-DD only (see common.dates)."""

    def to_internal_value(self, value):
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None


class JSONBooleanField(serializers.BooleanField):
    """A yes/no in a JSON body: true or false, never 0, 1 or "yes" (the schema says boolean)."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StringOnlyMixin:
    """Refuse a number where text belongs: DRF would quietly turn 0 into "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(StringOnlyMixin, serializers.CharField):
    default_error_messages = {"invalid": "Not a valid string."}


class EmailTextField(StringOnlyMixin, serializers.EmailField):
    pass


class UsernameField(StringOnlyMixin, serializers.RegexField):
    pass


class MoneyField(serializers.DecimalField):
    """A read-only sum of money of any size, answered as a two-place string ("5000.00")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)
