"""Page-number pagination with a capped page size and a 400 for a malformed page or page size."""

from functools import partial

from django.core.paginator import Paginator
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from common.numbers import whole_number


def read_page_size(request, *, default: int, maximum: int, name: str = "page_size") -> int:
    """The `page_size` asked for, capped at `maximum`; a malformed one is a 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    size = whole_number(raw)
    if size is None or size < 1:
        raise ValidationError({name: ["Enter a whole number from 1."]})
    return min(size, maximum)


class CountedPaginator(Paginator):
    """Django's paginator, told the count when the caller already knows it: no COUNT query."""

    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.count = count  # shadows the cached property that would run COUNT(*)


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (1 to 200); a page past the end is a 404, a malformed value a 400."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        return read_page_size(request, default=self.page_size, maximum=self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        # A view that knows its row count better than COUNT(*) over its queryset (a customer's
        # entry_count) offers it as known_count().
        known = view.known_count() if hasattr(view, "known_count") else None
        self.django_paginator_class = partial(CountedPaginator, count=known)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return raw
        number = whole_number(raw)
        if number is None or number < 1:
            raise ValidationError({self.page_query_param: ["Enter a whole number from 1."]})
        return number
