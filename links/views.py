"""The statement link routes: a customer's links (make, list, revoke) under the API, and the
public page a link opens, with no account."""

import datetime
import math

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from books.models import Role
from common.schema import ERRORS_400, ERRORS_401, ERRORS_404, LIST_ERRORS
from common.scoping import TenantScopedMixin
from common.throttling import ScopedThrottle
from customers.views import OfOneCustomer
from ledger import statements
from ledger.pdf import render_statement
from links import services
from links.exceptions import LinkUnavailable
from links.models import StatementLink
from links.page import statement_page
from links.serializers import LinkCreateSerializer, LinkSerializer


@extend_schema_view(
    list=extend_schema(responses={200: LinkSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(
        request=LinkCreateSerializer,
        responses={201: LinkSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_404},
    ),
    destroy=extend_schema(
        description="Revoke the link: from now on it opens only a page saying so.",
        responses={204: None, **ERRORS_401, **ERRORS_404},
    ),
)
@extend_schema(tags=["links"])
class LinkViewSet(
    OfOneCustomer,
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A customer's statement links: signed URLs the customer opens without an account."""

    model = StatementLink
    serializer_class = LinkSerializer
    roles = {"list": Role.CLERK, "create": Role.CLERK, "destroy": Role.MANAGER}
    lookup_value_regex = "[0-9]+"

    def create(self, request, *args, **kwargs):
        asked = LinkCreateSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        link = services.create_link(
            book=self.tenant, customer=self.customer, by=request.user, **asked.validated_data
        )
        return Response(self.get_serializer(link).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.revoke_link(link=instance, by=self.request.user)


@require_safe
def statement_link(request, token: str):
    """The page a statement link opens: HTML for a phone, or `?format=pdf`. A link that is
    altered, expired or revoked, and a client opening links too fast, get a plain page saying
    so; every opening is counted and recorded in the book's activity trail."""
    throttle = ScopedThrottle()
    if not throttle.allow(request, "link"):
        wait = math.ceil(throttle.wait())
        return _unavailable(
            request, "Too many requests. Try again in a minute.", 429, {"Retry-After": str(wait)}
        )
    try:
        link = services.link_of(token)
    except LinkUnavailable as exc:
        return _unavailable(request, exc.message, exc.status)
    services.opened(link, address=throttle.get_ident(request))
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if request.GET.get("format") == "pdf":
        return _pdf(link, headers)
    context = statement_page(link, today=link.book.today())
    return _with(render(request, "links/statement.html", context), headers)


def _pdf(link, headers) -> HttpResponse:
    """The customer's statement of the last year as a PDF, or of the last quarter, month, week
    or day: the longest that a PDF holds."""
    today = link.book.today()
    for days in (365, 90, 30, 7, 1):
        start = today - datetime.timedelta(days=days - 1)
        statement = statements.statement(link.customer, start_date=start)
        if statement.entry_count <= settings.STATEMENT_PDF_MAX_ENTRIES:
            break
    response = HttpResponse(
        render_statement(*statements.read_whole(statement), today=today),
        content_type="application/pdf",
        headers=headers,
    )
    response["Content-Disposition"] = f'attachment; filename="statement-{link.customer_id}.pdf"'
    return response


def _unavailable(request, message: str, status: int, headers: dict | None = None):
    page = render(request, "links/unavailable.html", {"message": message}, status=status)
    return _with(page, {"Cache-Control": "no-store", **(headers or {})})


def _with(response, headers: dict):
    for name, value in headers.items():
        response[name] = value
    return response
