"""OpenAPI pieces shared by the apps: the error answers each route can give."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer("Error", {"detail": serializers.CharField()})
ValidationErrorSerializer = inline_serializer(
    "ValidationError",
    {"field_name": serializers.ListField(child=serializers.CharField())},
)


def _error(description: str, serializer=ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


ERRORS_400 = {400: _error("Invalid input: {field: [messages]}.", ValidationErrorSerializer)}
ERRORS_401 = {401: _error("Not authenticated, or the token is invalid or expired.")}
ERRORS_404 = {404: _error("Not found, or not yours.")}
ERRORS_405 = {405: _error("Method not allowed: entries are append-only.")}
ERRORS_409 = {409: _error("Conflicts with the ledger's state.")}
ERRORS_422 = {422: _error("Idempotency-Key reused with a different request.")}
ERRORS_429 = {429: _error("Too many requests; see Retry-After.")}


class JWTScheme(SimpleJWTScheme):
    """The JWT security scheme: `Bearer <access>`, with `Token <access>` accepted for v2 clients."""

    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from /api/auth/login/. "
            "`Authorization: Token <access>` is accepted as well.",
        }
