"""The model field that stores money as whole cents behind a Decimal-speaking interface."""

from decimal import Decimal, InvalidOperation

from django.core import exceptions
from django.db import models

from common.money import from_cents, to_cents


class MoneyField(models.BigIntegerField):
    """An amount of money: Python sees a two-place Decimal, the database an integer of cents.

    Django keeps a DecimalField as REAL on SQLite, where SUM() drifts by fractions of a cent;
    integers sum exactly on every database (PostgreSQL's SUM(bigint) is numeric).
    """

    description = "Money, stored as whole cents"

    def from_db_value(self, value, expression, connection):
        return None if value is None else from_cents(value)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise exceptions.ValidationError(
                "“%(value)s” is not an amount of money.", code="invalid", params={"value": value}
            ) from None

    def get_prep_value(self, value):
        if value is None:
            return None
        # Bypass BigIntegerField's int() coercion: an amount is currency units, never cents.
        return to_cents(self.to_python(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def formfield(self, **kwargs):
        from django import forms

        return forms.DecimalField(max_digits=None, decimal_places=2, **kwargs)
