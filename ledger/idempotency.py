"""Idempotency-Key for the routes that post entries: the same request twice posts once.

One wrapper, `once()`, around the view's write: it claims the key, runs the write and stores
its answer in one transaction, so the entries and the answer to replay commit together.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.db import try_transaction_lock
from common.scoping import tenant_of
from ledger.exceptions import IdempotencyKeyInFlight, IdempotencyKeyReused
from ledger.models import IdempotencyKey

HEADER = "Idempotency-Key"
# Printable ASCII, 1 to 255 characters, no space at either end (HTTP would trim it).
KEY_PATTERN = re.compile(r"^[!-~]([ -~]{0,253}[!-~])?$")


def once(request, write: Callable[[], Response], *, fingerprint=None) -> Response:
    """Answer write() once per Idempotency-Key; a request without one simply runs it.

    `fingerprint` identifies the request (default: its method, route, query and parsed body);
    it is asked for only when a stored answer needs comparing or a new one storing. Validate
    the request before calling this: everything in here runs inside one transaction (on
    SQLite, holding the database's write lock).
    """
    key = request.headers.get(HEADER)
    if key is None:
        return write()
    if not KEY_PATTERN.match(key):
        raise ValidationError({HEADER: ["Use 1 to 255 printable ASCII characters."]})
    if fingerprint is None:
        fingerprint = partial(
            request_fingerprint,
            method=request.method,
            path=request.path,
            query=request.query_params,
            data=request.data,
        )
    with transaction.atomic():
        tenant, user = tenant_of(request), request.user
        record = _claim(tenant=tenant, user=user, key=key)
        if record is not None:
            if record.fingerprint != fingerprint():
                raise IdempotencyKeyReused()
            return Response(
                record.response_body,
                status=record.response_status,
                headers={"Idempotent-Replayed": "true"},
            )
        response = write()
        if status.is_success(response.status_code):
            try:
                with transaction.atomic(savepoint=False):
                    IdempotencyKey.objects.create(
                        book=tenant,
                        user=user,
                        key=key,
                        fingerprint=fingerprint(),
                        response_status=response.status_code,
                        response_body=response.data,
                    )
            except IntegrityError:
                # A request with the key committed after this one looked: the unique key
                # refuses the second answer, and this request's postings roll back with it.
                raise IdempotencyKeyInFlight() from None
    return response


def _claim(*, tenant, user, key: str) -> IdempotencyKey | None:
    """Take the user's key in the book for this transaction; answer its stored record if the
    request was made before. A key another transaction holds now is in flight: 409, at once,
    not a wait."""
    if not try_transaction_lock(f"idempotency:{tenant.pk}:{user.pk}:{key}"):
        raise IdempotencyKeyInFlight()
    return IdempotencyKey.objects.of(tenant).filter(user=user, key=key).first()


def request_hasher(*, method: str, path: str, query):
    """A sha256 already fed the method, the route and the query parameters (in any order);
    feed it the body."""
    pairs = sorted((name, value) for name, values in query.lists() for value in values)
    digest = hashlib.sha256()
    digest.update(json.dumps([method, path, pairs]).encode() + b"\n")
    return digest


def request_fingerprint(*, method: str, path: str, query, data) -> str:
    """Identify a request by what it asks: method, route, query string and the body as parsed,
    so a JSON body with its keys in another order or other whitespace is the same request."""
    if hasattr(data, "lists"):  # a form body
        data = dict(data.lists())
    digest = request_hasher(method=method, path=path, query=query)
    digest.update(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode())
    return digest.hexdigest()


@transaction.atomic
def purge_expired(*, now=None) -> int:
    """Delete keys older than the retention period; answer how many went."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
