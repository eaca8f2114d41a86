"""Query parameters of the customer list."""

from common.filters import StrictBooleanFilter, StrictFilterSet
from customers.models import Customer


class CustomerFilter(StrictFilterSet):
    """`archived=true` lists the archived customers instead of the active ones."""

    archived = StrictBooleanFilter(method="filter_archived")

    class Meta:
        model = Customer
        fields = ["archived"]

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("archived") is None:
            queryset = queryset.active()
        return super().filter_queryset(queryset)

    def filter_archived(self, queryset, name, value):
        return queryset.archived() if value else queryset.active()
