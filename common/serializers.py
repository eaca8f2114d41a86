"""Serializer fields shared by the apps: money in, money out, and owner-scoped relations."""

from rest_framework import serializers

from common.money import CENT, MAX_ENTRY_AMOUNT


class AmountField(serializers.DecimalField):
    """An entry amount: positive, two places at most, up to 999,999,999,999.99; string or number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", CENT)
        kwargs.setdefault("max_value", MAX_ENTRY_AMOUNT)
        super().__init__(**kwargs)


class MoneyField(serializers.DecimalField):
    """A read-only sum of money of any size, answered as a two-place string ("5000.00")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)


class OwnedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id, chosen only among the requesting user's own objects."""

    def get_queryset(self):
        return super().get_queryset().filter(user=self.context["request"].user)

    def to_internal_value(self, data):
        # A whole number only: the database would quietly turn 1.5 or "1.0" into 1.
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and data.strip().isdigit())
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(int(data))
