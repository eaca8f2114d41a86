"""Idempotency-Key for the routes that post entries: the same request twice posts once."""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ledger.exceptions import IdempotencyKeyInFlight, IdempotencyKeyReused
from ledger.models import IdempotencyKey

# Printable ASCII, 1 to 255 characters, no space at either end (HTTP would trim it).
KEY_PATTERN = re.compile(r"^[!-~]([ -~]{0,253}[!-~])?$")


def request_hasher(*, method: str, path: str, query):
    """A sha256 already fed the method, the route and the query parameters (in any order);
    feed it the body."""
    pairs = sorted((name, value) for name, values in query.lists() for value in values)
    digest = hashlib.sha256()
    digest.update(json.dumps([method, path, pairs]).encode() + b"\n")
    return digest


def fingerprint(*, method: str, path: str, query, data) -> str:
    """Identify a request by what it asks: method, route, query string and the body as parsed,
    so a JSON body with its keys in another order or other whitespace is the same request."""
    if hasattr(data, "lists"):  # a form body
        data = dict(data.lists())
    digest = request_hasher(method=method, path=path, query=query)
    digest.update(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode())
    return digest.hexdigest()


def claim(*, user, key: str, fingerprint: Callable[[], str]) -> IdempotencyKey | None:
    """Take the key for this transaction; answer the stored record if the request was made before.

    Must run inside the transaction that will post the entries and `remember` the answer. On
    PostgreSQL a transaction-scoped advisory lock marks the key as in flight, so a concurrent
    request with it is refused at once instead of waiting; on SQLite every write transaction
    begins IMMEDIATE, so a concurrent request waits for the first to commit and then replays it.
    `fingerprint` is asked for only when there is a record to compare with.
    """
    assert connection.in_atomic_block, "claim() must run inside transaction.atomic()"
    sql, params = claim_sql(user=user, key=key)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        locked, record_id = cursor.fetchone()
    if not locked:
        raise IdempotencyKeyInFlight()
    record = IdempotencyKey.objects.get(pk=record_id) if record_id is not None else None
    if record is not None and record.fingerprint != fingerprint():
        raise IdempotencyKeyReused()
    return record


def claim_sql(*, user, key: str) -> tuple[str, list]:
    """The claim as one query answering (locked, record): on PostgreSQL it also takes the key's
    lock. Should the first request commit between the two, this one misses its record, posts,
    and is refused by the unique key when it stores its answer, so nothing of it is written:
    never a second posting."""
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    lock, lock_params = "TRUE", []
    if connection.vendor == "postgresql":
        lock, lock_params = "pg_try_advisory_xact_lock(%s)", [_lock_id(user.pk, key)]
    sql = (
        f"SELECT {lock} AS locked, "  # noqa: S608
        f"(SELECT id FROM {table} WHERE user_id = %s AND key = %s) AS record"
    )
    return sql, [*lock_params, user.pk, key]


def remember(*, user, key: str, fingerprint: str, status: int, body) -> None:
    """Store the answer to replay; the unique (user, key) constraint is the final guarantee.

    One plain INSERT, the values prepared by the model's own fields: it runs while the posting
    still holds the customer's row (and, on SQLite, the database's write lock).
    """
    columns, params = _answer(user=user, key=key, fingerprint=fingerprint, status=status, body=body)
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            params,
        )


@dataclass(frozen=True)
class Once:
    """A key to claim and an answer to remember inside the posting's own statement.

    On PostgreSQL a single entry's posting is one statement; with a key it can claim the key
    and store the answer in that same statement, a transaction by itself: 3 round trips for a
    keyed POST instead of 7. `answer(entry)` is the 201's body for the entry about to be
    posted; its `id` is filled in by the statement.
    """

    user: object
    key: str
    fingerprint: str
    answer: Callable[[object], dict]

    def claim_sql(self) -> tuple[str, list]:
        return claim_sql(user=self.user, key=self.key)

    def remember_sql(self, body: dict, *, posted: str) -> tuple[str, list]:
        """INSERT `body` as the 201 to replay, its `id` the one the CTE `posted` holds."""
        columns, params = _answer(
            user=self.user, key=self.key, fingerprint=self.fingerprint, status=201, body=body
        )
        table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
        values = ["%s"] * len(columns)
        values[columns.index("response_body")] = "jsonb_set(%s, '{id}', to_jsonb(posted.id))"
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM {posted} AS posted"
        )
        return sql, params


class KeyTaken(Exception):
    """The key was in flight or used before: nothing was posted; claim it the usual way."""


def _answer(*, user, key, fingerprint, status, body) -> tuple[list[str], list]:
    """The stored answer's columns, and its values prepared by the model's own fields."""
    fields = IdempotencyKey._meta
    values = {
        "user_id": user.pk,
        "key": key,
        "fingerprint": fingerprint,
        "response_status": status,
        "response_body": body,
        "created_at": timezone.now(),
    }
    params = [
        fields.get_field(name).get_db_prep_save(value, connection) for name, value in values.items()
    ]
    return list(values), params


@transaction.atomic
def purge_expired(*, now=None) -> int:
    """Delete keys older than the retention period; answer how many went."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _lock_id(user_id: int, key: str) -> int:
    """A signed 64-bit number for the advisory lock of one user's key."""
    digest = hashlib.sha256(f"{user_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
