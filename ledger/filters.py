"""Query parameters of the entry lists, as a django-filter FilterSet: a value that does not
parse, an empty one, or a range that ends before it starts is a 400 naming it."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from common.filters import DateFilter, StrictBooleanFilter, StrictFilterSet, TenantChoiceFilter
from common.money import MAX_ENTRY_AMOUNT, PLAIN_DECIMAL
from customers.filters import CustomerFilter
from customers.models import DUE, Customer
from ledger.models import Entry, EntryType


class PlainDecimalField(forms.DecimalField):
    """A decimal written plainly, as money is: "1e3" is refused."""

    def to_python(self, value):
        if value not in self.empty_values and not PLAIN_DECIMAL.match(str(value)):
            raise forms.ValidationError("Write the amount as a plain decimal number.")
        return super().to_python(value)


AMOUNT_SCHEMA = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^\s*\+?(0*[0-9]{1,12}(\.[0-9]{0,2})?|0*\.[0-9]{1,2})\s*$",
}


@extend_schema_field(AMOUNT_SCHEMA)
class AmountFilter(django_filters.NumberFilter):
    """An amount bound: a plain decimal with two places at most, so it maps to whole cents."""

    field_class = PlainDecimalField

    def __init__(self, **kwargs):
        kwargs.update(max_digits=14, decimal_places=2, min_value=0, max_value=MAX_ENTRY_AMOUNT)
        super().__init__(field_name="amount", **kwargs)


class EntryFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", "end_date must be on or after start_date.")
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", "max_amount must be at least min_amount.")
        return data


class EntryFilter(StrictFilterSet):
    """`customer`, `type`, `start_date`/`end_date` (inclusive), `min_amount`/`max_amount`."""

    customer = TenantChoiceFilter(
        Customer, help_text="Only this customer's entries (one of yours)."
    )
    type = django_filters.ChoiceFilter(choices=EntryType.choices, help_text="credit or debit.")
    start_date = DateFilter(
        field_name="entry_date", lookup_expr="gte", help_text="Entries dated on or after this day."
    )
    end_date = DateFilter(
        field_name="entry_date", lookup_expr="lte", help_text="Entries dated on or before this day."
    )
    min_amount = AmountFilter(lookup_expr="gte", help_text="Entries of at least this amount.")
    max_amount = AmountFilter(lookup_expr="lte", help_text="Entries of at most this amount.")

    class Meta:
        model = Entry
        fields = ["customer", "type", "start_date", "end_date", "min_amount", "max_amount"]
        form = EntryFilterForm

    def given(self) -> dict:
        """The filters the request gave, with their parsed values."""
        return {name: self.form.cleaned_data[name] for name in self.filters if name in self.data}


class CustomerDuesFilter(CustomerFilter):
    """The customer list's filters, and what is due: `has_dues=true` (something open),
    `overdue=true` (something open fell due before today, in the book's time zone)."""

    has_dues = StrictBooleanFilter(method="filter_has_dues")
    overdue = StrictBooleanFilter(method="filter_overdue")

    class Meta(CustomerFilter.Meta):
        fields = ["archived", "has_dues", "overdue"]

    def filter_has_dues(self, queryset, name, value):
        owing = queryset.alias(owed_amount=DUE)
        return owing.filter(owed_amount__gt=0) if value else owing.exclude(owed_amount__gt=0)

    def filter_overdue(self, queryset, name, value):
        # The list's queryset carries `overdue_amount` (ledger.selectors.with_overdue).
        return (
            queryset.filter(overdue_amount__gt=0)
            if value
            else queryset.exclude(overdue_amount__gt=0)
        )
