"""Query parameters of the entry lists; a value that does not parse is a 400, never ignored."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from common.filters import StrictFilterSet
from common.money import MAX_ENTRY_AMOUNT, PLAIN_DECIMAL
from customers.models import Customer
from ledger.models import Entry, EntryType


class PlainDecimalField(forms.DecimalField):
    """A decimal written plainly, as money is: "1e3" is refused."""

    def to_python(self, value):
        if value not in self.empty_values and not PLAIN_DECIMAL.match(str(value)):
            raise forms.ValidationError("Write the amount as a plain decimal number.")
        return super().to_python(value)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^\s*\+?(0*[0-9]{1,12}(\.[0-9]{0,2})?|0*\.[0-9]{1,2})\s*$",
    }
)
class AmountFilter(django_filters.NumberFilter):
    """An amount bound: a plain decimal with two places at most, so it maps to whole cents."""

    field_class = PlainDecimalField

    def __init__(self, **kwargs):
        kwargs.update(max_digits=14, decimal_places=2, min_value=0, max_value=MAX_ENTRY_AMOUNT)
        super().__init__(field_name="amount", **kwargs)


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


class EntryFilter(StrictFilterSet):
    """`customer`, `type`, `start_date`/`end_date` (inclusive), `min_amount`/`max_amount`."""

    customer = django_filters.ModelChoiceFilter(queryset=_callers_customers)
    type = django_filters.ChoiceFilter(choices=EntryType.choices)
    start_date = django_filters.DateFilter(field_name="entry_date", lookup_expr="gte")
    end_date = django_filters.DateFilter(field_name="entry_date", lookup_expr="lte")
    min_amount = AmountFilter(lookup_expr="gte")
    max_amount = AmountFilter(lookup_expr="lte")

    class Meta:
        model = Entry
        fields = ["customer", "type", "start_date", "end_date", "min_amount", "max_amount"]
        form = EntryFilterForm
