"""One exception handler for the API: every error is a JSON answer with the right status."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from common.db import database_unavailable
from common.exceptions import DomainError

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """Answer domain errors, Django validation errors and outages as DRF answers its own."""
    if isinstance(exc, DomainError):
        set_rollback()
        return Response({"detail": exc.message, **exc.extra()}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        set_rollback()
        return Response(
            {"detail": "The request body is too large."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif database_unavailable(exc):
        # The database is unreachable or busy: nothing the client did, and worth a retry. Any
        # other database error is a bug, answered as one (a 500), never passed off as an outage.
        logger.warning("Database unavailable: %s", exc)
        set_rollback()
        return Response(
            {"detail": "The database is unavailable; try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # Some of DRF's own checks (a NUL in `search`) raise a bare list: keep every 400 an object.
        response.data = {"non_field_errors": response.data}
    return response
