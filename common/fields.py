"""The model fields of our own: money as whole cents behind a Decimal-speaking interface, and
relations between two rows of one book."""

from decimal import Decimal, InvalidOperation

from django.core import exceptions
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND, WhereNode

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


class SameBook:
    """A relation between two rows of one book: every join along it also matches their books.

    `entry JOIN customer ON customer.id = entry.customer_id` becomes `... AND customer.book_id =
    entry.book_id`, in both directions and in every query the ORM builds (select_related,
    filters across the relation, reverse joins). The rows always share their book (the ledger's
    triggers and, on Citus, the composite foreign keys hold that), so on SQLite and PostgreSQL
    the condition changes no answer; on Citus (common/citus.py) it is what makes the join
    colocated, so the query stays on the book's shard. The database's constraint is the plain
    foreign key's, so migrations see a plain ForeignKey.
    """

    def get_extra_restriction(self, alias, related_alias):
        if alias is None or related_alias is None:  # Django's subquery pushdown: no pair
            return None
        remote = self.remote_field.model._meta.get_field("book")
        local = self.model._meta.get_field("book")
        return WhereNode(
            [Exact(Col(alias, remote), Col(related_alias, local))],
            connector=AND,
        )

    def get_extra_descriptor_filter(self, instance):
        """Fetching `entry.customer` asks for the customer in the entry's book too."""
        return {"book_id": instance.book_id}

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, f"django.db.models.{self.plain.__name__}", args, kwargs


class BookForeignKey(SameBook, models.ForeignKey):
    plain = models.ForeignKey


class BookOneToOneField(SameBook, models.OneToOneField):
    plain = models.OneToOneField
