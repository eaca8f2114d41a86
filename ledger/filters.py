"""Query parameters of the entry lists; a value that does not parse is a 400, never ignored.

A plain form and a DRF filter backend rather than a django-filter FilterSet: the entry list is
the busiest read there is, and a FilterSet rebuilds its filters and form class on every request.
"""

from django import forms
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from common.filters import reject_empty_values
from common.money import MAX_ENTRY_AMOUNT, PLAIN_DECIMAL
from customers.models import Customer
from ledger.models import EntryType


class PlainDecimalField(forms.DecimalField):
    """A decimal written plainly, as money is: "1e3" is refused."""

    def to_python(self, value):
        if value not in self.empty_values and not PLAIN_DECIMAL.match(str(value)):
            raise forms.ValidationError("Write the amount as a plain decimal number.")
        return super().to_python(value)


def _amount_field():
    """An amount bound: a plain decimal with two places at most, so it maps to whole cents."""
    return PlainDecimalField(
        required=False, max_digits=14, decimal_places=2, min_value=0, max_value=MAX_ENTRY_AMOUNT
    )


class EntryFilterForm(forms.Form):
    """`customer`, `type`, `start_date`/`end_date` (inclusive), `min_amount`/`max_amount`."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), required=False)
    type = forms.ChoiceField(choices=EntryType.choices, required=False)
    start_date = forms.DateField(required=False)
    end_date = forms.DateField(required=False)
    min_amount = _amount_field()
    max_amount = _amount_field()

    # Each parameter and the lookup it filters the entries by.
    lookups = {
        "customer": "customer",
        "type": "type",
        "start_date": "entry_date__gte",
        "end_date": "entry_date__lte",
        "min_amount": "amount__gte",
        "max_amount": "amount__lte",
    }

    def __init__(self, data, *, user):
        super().__init__(data)
        # Only the caller's customers are choices: another merchant's is "not a valid choice".
        self.fields["customer"].queryset = Customer.objects.for_user(user)

    def clean(self):
        cleaned = super().clean()
        reject_empty_values(self)
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", "end_date must be on or after start_date.")
        low, high = cleaned.get("min_amount"), cleaned.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", "max_amount must be at least min_amount.")
        return cleaned

    def given(self) -> dict:
        """The parameters the client gave, parsed."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


AMOUNT_SCHEMA = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^\s*\+?(0*[0-9]{1,12}(\.[0-9]{0,2})?|0*\.[0-9]{1,2})\s*$",
}
# Each parameter's OpenAPI schema and description.
PARAMETERS = {
    "customer": ({"type": "integer"}, "Only this customer's entries (one of yours)."),
    "type": ({"type": "string", "enum": EntryType.values}, "credit or debit."),
    "start_date": ({"type": "string", "format": "date"}, "Entries dated on or after this day."),
    "end_date": ({"type": "string", "format": "date"}, "Entries dated on or before this day."),
    "min_amount": (AMOUNT_SCHEMA, "Entries of at least this amount."),
    "max_amount": (AMOUNT_SCHEMA, "Entries of at most this amount."),
}


class EntryFilterBackend(BaseFilterBackend):
    """Filter the entry lists by EntryFilterForm; leave what was given on the view as
    `view.entry_filters` (the list's count can then come from kept totals)."""

    def filter_queryset(self, request, queryset, view):
        form = EntryFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        view.entry_filters = form.given()
        lookups = EntryFilterForm.lookups
        given = view.entry_filters.items()
        return queryset.filter(**{lookups[name]: value for name, value in given})

    def get_schema_operation_parameters(self, view):
        return [
            {"name": name, "required": False, "in": "query", "schema": schema, "description": text}
            for name, (schema, text) in PARAMETERS.items()
        ]
