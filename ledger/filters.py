"""Query parameters of the entry lists; a value that does not parse is a 400, never ignored.

Shared form fields and a DRF filter backend rather than a django-filter FilterSet: the entry
list is the busiest read there is, and a FilterSet rebuilds its filters and form class (and a
form its fields) on every request.
"""

from django import forms
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from common.filters import EMPTY_VALUE, DateFormField
from common.money import MAX_ENTRY_AMOUNT, PLAIN_DECIMAL
from common.numbers import MAX_ID, whole_number
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


# Django form fields, declared once and shared: cleaning a value keeps no state in them, while a
# Form would deep-copy every field on every request of the busiest read there is.
FIELDS = {
    "type": forms.ChoiceField(choices=EntryType.choices),
    "start_date": DateFormField(),
    "end_date": DateFormField(),
    "min_amount": _amount_field(),
    "max_amount": _amount_field(),
}
# Each parameter and the lookup it filters the entries by.
LOOKUPS = {
    "customer": "customer",
    "type": "type",
    "start_date": "entry_date__gte",
    "end_date": "entry_date__lte",
    "min_amount": "amount__gte",
    "max_amount": "amount__lte",
}
NOT_A_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def parse_entry_filters(params, *, user) -> dict:
    """`customer`, `type`, `start_date`/`end_date` (inclusive), `min_amount`/`max_amount`: those
    given, parsed. Any that does not parse, or is given empty, is a 400 naming it."""
    given, errors = {}, {}
    for name in LOOKUPS:
        if name not in params:
            continue
        raw = params[name]
        if raw.strip() == "":
            errors[name] = [EMPTY_VALUE]
            continue
        try:
            given[name] = _customer(raw, user) if name == "customer" else FIELDS[name].clean(raw)
        except forms.ValidationError as exc:
            errors[name] = exc.messages
    start, end = given.get("start_date"), given.get("end_date")
    if start and end and start > end:
        errors["end_date"] = ["end_date must be on or after start_date."]
    low, high = given.get("min_amount"), given.get("max_amount")
    if low is not None and high is not None and low > high:
        errors["max_amount"] = ["max_amount must be at least min_amount."]
    if errors:
        raise ValidationError(errors)
    return given


def _customer(raw: str, user) -> Customer:
    """One of the caller's customers by id; another merchant's is "not a valid choice"."""
    pk = whole_number(raw)
    if pk is None or pk > MAX_ID:
        raise forms.ValidationError(NOT_A_CHOICE)
    try:
        return Customer.objects.for_user(user).get(pk=pk)
    except Customer.DoesNotExist:
        raise forms.ValidationError(NOT_A_CHOICE) from None


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
    """Filter the entry lists by parse_entry_filters; leave what was given on the view as
    `view.entry_filters` (the list's count can then come from kept totals)."""

    def filter_queryset(self, request, queryset, view):
        view.entry_filters = parse_entry_filters(request.query_params, user=request.user)
        given = view.entry_filters.items()
        return queryset.filter(**{LOOKUPS[name]: value for name, value in given})

    def get_schema_operation_parameters(self, view):
        return [
            {"name": name, "required": False, "in": "query", "schema": schema, "description": text}
            for name, (schema, text) in PARAMETERS.items()
        ]
