"""Whose data a request may see, said once: every view, selector, related field and filter
scopes through here.

The tenant is the party that owns data: a book (one business's khata). Which book a request
acts in, and whether the caller may, is decided once per request by the API's permission check
(books.access), which records it here with set_tenant(). Models a tenant owns inherit
TenantOwned and use TenantQuerySet, so `Model.objects.of(tenant)` is every read's start; views
inherit TenantScopedMixin (and say which role each action needs); related fields and filter
choices come from `of_tenant()`.
"""

from django.db import models
from django.http import Http404
from rest_framework import serializers

from common.numbers import MAX_ID, row_id, whole_number


def tenant_of(request):
    """The tenant (book) the request acts in, as the permission check found it."""
    try:
        return request.tenant
    except AttributeError:
        raise RuntimeError(
            "The request has no tenant: its view neither names a book nor is tenant-scoped."
        ) from None


def set_tenant(request, tenant, *, role: str) -> None:
    """Record the book the request acts in and the caller's role in it."""
    request.tenant = tenant
    request.role = role


class TenantQuerySet(models.QuerySet):
    def of(self, tenant):
        """Only the tenant's rows (a tenant object or its id)."""
        return self.filter(**{self.model.TENANT: tenant})


class TenantOwned(models.Model):
    """A model whose rows belong to one tenant, named by the field TENANT."""

    TENANT = "book"

    class Meta:
        abstract = True

    @property
    def tenant_id(self):
        """The id of the tenant this row belongs to (rows it relates to are scoped by it)."""
        return getattr(self, f"{self.TENANT}_id")


def of_tenant(model, request):
    """The rows of `model` the request's tenant owns; the choices of filters and fields."""
    return model.objects.of(tenant_of(request))


class TenantScopedMixin:
    """A view over one tenant-owned model: its queryset is the request's tenant's rows.

    Set `model`; override `scope(queryset)` to narrow or join (never to widen). `roles` names
    the role each action needs (books.models.Role; unnamed, reading needs a viewer and anything
    else an owner); override `role_needed()` when the request, not the action, decides.
    """

    model = None
    tenant_scoped = True  # with no book in the URL, the caller's default book
    roles: dict[str, str] = {}

    def role_needed(self) -> str | None:
        return None

    @property
    def tenant(self):
        return tenant_of(self.request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no tenant to scope by
            return self.model.objects.none()
        return self.scope(self.model.objects.of(self.tenant))

    def scope(self, queryset):
        return queryset

    def get_object(self):
        # An id no row can have is not found, before it reaches the database (where a lookup
        # through a foreign key, unlike one by a plain integer column, would overflow).
        if row_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")) is None:
            raise Http404(f"No {self.model._meta.object_name} matches the given query.")
        return super().get_object()


class WholeIdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by its id, which must be a whole number."""

    def to_internal_value(self, data):
        # A whole number in ASCII digits only: the database would quietly turn 1.5 or "1.0"
        # into 1, and int() reads "٣" as 3.
        number = data if isinstance(data, int) and not isinstance(data, bool) else None
        number = whole_number(data) if isinstance(data, str) else number
        if number is None or not 0 <= number <= MAX_ID:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(number)


class TenantRelatedField(WholeIdRelatedField):
    """A related object by id, chosen only among the request's tenant's own objects; another
    tenant's id is "does not exist", like a missing one."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        return of_tenant(self.model, self.context["request"])
