"""Query parameters of the book list."""

from books.models import Book
from common.filters import StrictBooleanFilter, StrictFilterSet


class BookFilter(StrictFilterSet):
    """`archived=true` lists the archived books instead of the open ones."""

    archived = StrictBooleanFilter(method="filter_archived")

    class Meta:
        model = Book
        fields = ["archived"]

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("archived") is None:
            queryset = queryset.filter(archived_at__isnull=True)
        return super().filter_queryset(queryset)

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=not value)
