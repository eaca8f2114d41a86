"""OpenAPI pieces shared by the apps: the error answers each route can give."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# {field: [messages]}; a few answers add {"detail": str} or, for an import, {"line": int,
# "errors": {field: [messages]}}.
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "integer"},
            {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        ]
    },
}


def _error(description: str, schema=ERROR) -> OpenApiResponse:
    return OpenApiResponse(schema, description=description)


ERRORS_400 = {
    400: _error("Invalid input ({field: [messages]}); nothing written.", VALIDATION_ERROR)
}
ERRORS_401 = {401: _error("Not authenticated, or the token is invalid or expired.")}
ERRORS_403 = {
    403: _error("Your role in the book is too low for this; the answer names the one needed.")
}
ERRORS_404 = {404: _error("Not found, or not yours.")}
ERRORS_409 = {409: _error("Conflicts with the ledger's state.")}
ERRORS_410 = {410: _error("Gone: no longer kept.")}
ERRORS_413 = {413: _error("The body is over the size limit.")}
ERRORS_415 = {415: _error("Unsupported media type.")}
ERRORS_422 = {422: _error("Idempotency-Key reused with a different request.")}
ERRORS_429 = {429: _error("Too many requests; see Retry-After.")}
LIST_ERRORS = {
    **ERRORS_400,
    **ERRORS_401,
    404: _error("A page past the end, or (for a customer's list) not your customer."),
}


def exclude_earlier_clients_routes(endpoints, **kwargs):
    """Describe the API once: the v1 clients' aliases (/app/..., /api/token/...) are the same
    views mounted again, listed in the README rather than twice in the schema."""
    return [
        endpoint for endpoint in endpoints if not endpoint[0].startswith(("/app/", "/api/token/"))
    ]


NO_NULL_CHARACTERS = "^[^\\u0000]*$"


def document_server_limits(result, generator, request, public):
    """Any route answers 414 or 431 when the request line or headers exceed the server's limits
    (gunicorn's, before the application sees the request); say so on every operation."""
    limits = {
        "414": {"description": "The URL is longer than the server accepts (8 KB)."},
        "431": {"description": "The headers are larger than the server accepts."},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for status, response in limits.items():
                operation["responses"].setdefault(
                    status,
                    {**response, "content": {"application/json": {"schema": ERROR}}},
                )
    return result


def document_no_null_characters(result, generator, request, public):
    """Every text the API takes refuses NUL characters (no database stores them): say so in the
    schema of each free-text request property and query parameter."""

    def mark(schema):
        if (
            isinstance(schema, dict)
            and schema.get("type") == "string"
            and not {"format", "enum", "pattern"} & schema.keys()
        ):
            schema["pattern"] = NO_NULL_CHARACTERS

    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            for prop in component.get("properties", {}).values():
                mark(prop)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    mark(parameter.get("schema"))
    return result


class JWTScheme(SimpleJWTScheme):
    """The JWT security scheme: `Bearer <access>`, valid while its session lasts."""

    target_class = "accounts.authentication.SessionJWTAuthentication"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from /api/auth/login/ or /api/auth/refresh/; it "
            "lives minutes, and dies at once when its session is logged out.",
        }


class OpaqueTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <token>`: the opaque token of a login session or an integration."""

    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`, with the `token` from register, login or "
            "/api/auth/tokens/. Works until revoked (logout with it, a password change, "
            "DELETE /api/auth/tokens/{id}/) or unused for AUTH_TOKEN_IDLE_DAYS.",
        }


class BookSchema(AutoSchema):
    """The API's schema class: an operation that acts in a book (a tenant-scoped view, or any
    route under /api/books/{book_pk}/) may also answer 403 (the caller's role is too low), 404
    (no such book of the caller's) and, for a change, 409 (the book is archived): say so."""

    ANSWERS = {
        "403": "Your role in the book is too low for this; the answer names the one needed.",
        "404": "Not found, or not yours (nor is a book you are not a member of).",
        "409": "Conflicts with the ledger's state (an archived book refuses every change).",
    }

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if getattr(self.view, "tenant_scoped", False) or "{book_pk}" in path:
            codes = ["403", "404"] if method in ("GET", "HEAD") else ["403", "404", "409"]
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": self.ANSWERS[code],
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
        return operation


class SingleObjectSchema(BookSchema):
    """For a route at a collection's URL that answers one object (the dashboard at
    /api/summary/): drf-spectacular would take a ViewSet's `list` for an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False
