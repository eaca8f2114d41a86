"""Query-parameter filters shared by the apps: they refuse a value they do not understand."""

from typing import ClassVar

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from common.dates import parse_date
from common.numbers import MAX_ID, whole_number
from common.scoping import of_tenant


class KnownParametersFilter(filters.BaseFilterBackend):
    """Refuse a query parameter the list does not read, with a 400 naming the ones it does.

    What a list reads is what its other filter backends and its paginator document (the same
    names the OpenAPI schema lists), and `format`: a misspelt filter is an error, never the
    whole list.
    """

    known: ClassVar[dict[type, frozenset[str]]] = {}

    def filter_queryset(self, request, queryset, view):
        refuse_unknown(request, self.allowed(view, queryset), route="list")
        return queryset

    @classmethod
    def allowed(cls, view, queryset) -> frozenset[str]:
        """The parameters the view's list reads, worked out once per view class."""
        if type(view) not in cls.known:
            names = set()
            for backend in (backend() for backend in view.filter_backends if backend is not cls):
                if isinstance(backend, DjangoFilterBackend):  # its schema is drf-spectacular's
                    filterset = backend.get_filterset_class(view, queryset)
                    names.update(filterset.base_filters if filterset else ())
                else:
                    names.update(p["name"] for p in backend.get_schema_operation_parameters(view))
            if view.paginator is not None:
                parameters = view.paginator.get_schema_operation_parameters(view)
                names.update(p["name"] for p in parameters)
            cls.known[type(view)] = frozenset(names)
        return cls.known[type(view)]


def refuse_unknown(request, allowed, *, route: str = "route"):
    """A 400 naming every query parameter outside `allowed` (and `format`, which every route
    reads), with the names the route takes."""
    allowed = {*allowed, api_settings.URL_FORMAT_OVERRIDE}
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed))
        raise ValidationError(
            {name: [f"Unknown parameter; this {route} takes {names}."] for name in unknown}
        )


class FilterSetBackend(DjangoFilterBackend):
    """DjangoFilterBackend that leaves the request's bound FilterSet on the view as
    `view.filterset`, so the view can read what was asked for (e.g. to count from totals)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


class StrictOrderingFilter(filters.OrderingFilter):
    """DRF's OrderingFilter, but an unknown `ordering` field is a 400 instead of being ignored.

    The view lists its public names in `ordering_fields`; `ordering_aliases` maps a public name
    to an annotation when they differ. Ties are broken by the view's default ordering.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params or not params.strip():
            return self.get_default_ordering(view)
        fields = [param.strip() for param in params.split(",")]
        valid = set(getattr(view, "ordering_fields", None) or [])
        unknown = [field for field in fields if field.lstrip("-") not in valid]
        if unknown:
            choices = ", ".join(sorted(valid))
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering {', '.join(unknown) or '(empty)'}; use {choices}."
                    ]
                }
            )
        aliases = getattr(view, "ordering_aliases", {})
        chosen = [_aliased(field, aliases) for field in fields]
        # Ties go in the view's default order, which ends with the id: the order of a page
        # never depends on the database's plan (on Citus, on which shard answers first), so
        # pages neither repeat nor skip a row.
        named = {field.lstrip("-") for field in chosen}
        default = self.get_default_ordering(view) or []
        return chosen + [field for field in default if field.lstrip("-") not in named]

    def get_schema_operation_parameters(self, view):
        names = getattr(view, "ordering_fields", None) or []
        choice = "|".join(names)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated, each optionally prefixed with - (descending): "
                + ", ".join(names)
                + ". Empty or absent: the default order.",
                "schema": {"type": "string", "pattern": f"^(-?({choice})(,-?({choice}))*)?$"},
            }
        ]


def _aliased(field: str, aliases: dict[str, str]) -> str:
    """Translate a public ordering name (`-balance`) to the queryset's (`-balance_amount`)."""
    descending = field.startswith("-")
    name = aliases.get(field.lstrip("-"), field.lstrip("-"))
    return f"-{name}" if descending else name


class DateFormField(forms.DateField):
    """A date query value: YYYY-MM-DD only (see common.dates)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class DateFilter(django_filters.DateFilter):
    """A day, written YYYY-MM-DD in ASCII digits (DateFormField)."""

    field_class = DateFormField


class StrictBooleanField(forms.Field):
    """A yes/no query value; anything but true/false/1/0 is an error rather than "not given"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in {"true", "1"}:
            return True
        if text in {"false", "0"}:
            return False
        raise forms.ValidationError("Enter true or false.", code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


EMPTY_VALUE = "Give a value, or leave the parameter out."


def reject_empty_values(form: forms.Form):
    """Make a parameter given with no value (`?start_date=`) an error on the form, not silently
    "no filter": a client that sent it meant something."""
    for name in form.fields:
        if name in form.data and form.data.get(name, "").strip() == "":
            form.add_error(name, EMPTY_VALUE)


class TenantChoiceField(forms.ModelChoiceField):
    """A row by id in ASCII digits (int() would read "٣" as 3); one outside the field's
    queryset (another tenant's) is "not a valid choice", like a missing one."""

    def to_python(self, value):
        if value not in self.empty_values:
            number = whole_number(str(value))
            if number is None or number > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
        return super().to_python(value)


class TenantChoiceFilter(django_filters.ModelChoiceFilter):
    """One of the request's tenant's `model` rows. Its choices are the tenant's rows, set on
    each request's form by StrictFilterSet (none until then)."""

    field_class = TenantChoiceField

    def __init__(self, model, **kwargs):
        self.tenant_model = model
        super().__init__(queryset=model.objects.none(), **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet whose form refuses a parameter given with no value.

    django-filter builds a new form class on every request; its fields are the same each time,
    so it is built once per FilterSet here, and what depends on the request (the tenant's
    choices of a TenantChoiceFilter) is set on the request's own form.
    """

    form_classes: ClassVar[dict[type, type]] = {}

    def get_form_class(self):
        cls = type(self)
        if cls not in self.form_classes:
            self.form_classes[cls] = super().get_form_class()
        return self.form_classes[cls]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, filter_ in self.filters.items():
                if isinstance(filter_, TenantChoiceFilter):
                    form.fields[name].queryset = of_tenant(filter_.tenant_model, self.request)
        return self._form

    def is_valid(self):
        valid = super().is_valid()
        reject_empty_values(self.form)
        return valid and not self.form.errors
