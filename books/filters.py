"""Query parameters of the book list and of a book's activity trail."""

import datetime
from zoneinfo import ZoneInfo

import django_filters
from django import forms

from books.activity import ACTIONS
from books.models import Activity, Book
from common.filters import DateFilter, StrictBooleanFilter, StrictFilterSet
from common.scoping import tenant_of


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


class ActivityFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", "end_date must be on or after start_date.")
        return data


class ActivityFilter(StrictFilterSet):
    """`actor` (a username), `action`, `start_date`/`end_date` (days in the book's time zone,
    inclusive)."""

    actor = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="iexact", help_text="Changes made by this username."
    )
    action = django_filters.ChoiceFilter(
        choices=[(action, action) for action in ACTIONS], help_text="Only this kind of change."
    )
    start_date = DateFilter(
        method="filter_since",
        help_text="Changes on or after this day (the book's).",
    )
    end_date = DateFilter(
        method="filter_until",
        help_text="Changes on or before this day (the book's).",
    )

    class Meta:
        model = Activity
        fields = ["actor", "action", "start_date", "end_date"]
        form = ActivityFilterForm

    def _midnight(self, day: datetime.date) -> datetime.datetime:
        """The moment the day starts where the book is."""
        zone = ZoneInfo(tenant_of(self.request).time_zone)
        return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)

    def filter_since(self, queryset, name, day):
        return queryset.filter(at__gte=self._midnight(day))

    def filter_until(self, queryset, name, day):
        return queryset.filter(at__lt=self._midnight(day + datetime.timedelta(days=1)))
