"""Query parameters of the entry lists; a value that does not parse is a 400, never ignored."""

import django_filters
from django import forms

from common.money import MAX_ENTRY_AMOUNT
from customers.models import Customer
from ledger.models import Entry, EntryType

# An amount filter parses like an amount: two places at most, so it maps to whole cents.
AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0, "max_value": MAX_ENTRY_AMOUNT}


def _callers_customers(request):
    return Customer.objects.for_user(request.user) if request else Customer.objects.none()


class EntryFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", "end_date must be on or after start_date.")
        low, high = cleaned.get("min_amount"), cleaned.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", "max_amount must be at least min_amount.")
        return cleaned


class EntryFilter(django_filters.FilterSet):
    """`customer`, `type`, `start_date`/`end_date` (inclusive), `min_amount`/`max_amount`."""

    customer = django_filters.ModelChoiceFilter(queryset=_callers_customers)
    type = django_filters.ChoiceFilter(choices=EntryType.choices)
    start_date = django_filters.DateFilter(field_name="entry_date", lookup_expr="gte")
    end_date = django_filters.DateFilter(field_name="entry_date", lookup_expr="lte")
    min_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", **AMOUNT)
    max_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", **AMOUNT)

    class Meta:
        model = Entry
        fields = ["customer", "type", "start_date", "end_date", "min_amount", "max_amount"]
        form = EntryFilterForm
