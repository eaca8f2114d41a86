"""Throttles counted atomically in the database, shared by every worker and every server.

DRF's throttles keep a list of request times in the cache, read and written back: thirty
concurrent requests all read the same list and all get through. Here each request is one
upsert that admits it only if the client's allowance has room (the generic cell rate
algorithm), so a burst gets exactly the limit through, whatever the concurrency.
"""

import math
import time
from functools import wraps

from django.db import connection
from django.http import JsonResponse
from rest_framework.throttling import ScopedRateThrottle

from common.models import ThrottleBucket
from common.renderers import FILE_FORMATS


def take(key: str, *, limit: int, period: float) -> float | None:
    """Count one request against `limit` per `period` seconds: None if it may go on, else how
    many seconds until it may."""
    now, interval = time.time(), period / limit
    table = connection.ops.quote_name(ThrottleBucket._meta.db_table)
    arrival = f"(CASE WHEN {table}.seen > %(now)s THEN {table}.seen ELSE %(now)s END)"
    start = f"(CASE WHEN {table}.tat > {arrival} THEN {table}.tat ELSE {arrival} END)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, tat, seen) "  # noqa: S608
            "VALUES (%(key)s, %(now)s + %(interval)s, %(now)s) "
            f"ON CONFLICT (key) DO UPDATE SET tat = {start} + %(interval)s, seen = {arrival} "
            f"WHERE {start} + %(interval)s - {arrival} <= %(period)s RETURNING tat",
            {"key": key, "now": now, "interval": interval, "period": period},
        )
        if cursor.fetchone() is not None:
            return None
        cursor.execute(f"SELECT tat FROM {table} WHERE key = %s", [key])  # noqa: S608
        row = cursor.fetchone()
    tat = row[0] if row else now
    return max(0.0, max(tat, now) + interval - period - now)


def purge_spent(*, now: float | None = None) -> int:
    """Delete counters whose allowance is full again (a missing row means the same); answer how
    many went."""
    deleted, _ = ThrottleBucket.objects.filter(tat__lt=now or time.time()).delete()
    return deleted


class ScopedThrottle(ScopedRateThrottle):
    """DRF's ScopedRateThrottle (rates from DEFAULT_THROTTLE_RATES by the view's
    `throttle_scope`; per user when signed in, else per client address), counted by take()."""

    wait_seconds = None

    def allow_request(self, request, view):
        return self.allow(request, getattr(view, self.scope_attr, None), view)

    def allow(self, request, scope, view=None) -> bool:
        """Count the request in `scope`'s bucket; False (see wait()) when it is over the rate."""
        if not scope:
            return True
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None or self.num_requests is None:
            return True
        self.wait_seconds = take(key, limit=self.num_requests, period=self.duration)
        return self.wait_seconds is None

    def wait(self):
        return self.wait_seconds


class FileThrottle(ScopedThrottle):
    """The view's throttle, applied only when the answer is a file (CSV, PDF): the JSON reads
    of the same routes are not expensive."""

    def get_cache_key(self, request, view):
        if getattr(getattr(request, "accepted_renderer", None), "format", None) not in FILE_FORMATS:
            return None
        return super().get_cache_key(request, view)


def throttled_login(view):
    """Count a Django login view's POSTs (the browsable API's, the admin's) in the API login
    routes' bucket: one allowance per client address, however it tries."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        throttle = ScopedThrottle()
        if request.method == "POST" and not throttle.allow(request, "login"):
            wait = math.ceil(throttle.wait())
            return JsonResponse(
                {"detail": f"Request was throttled. Expected available in {wait} seconds."},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        return view(request, *args, **kwargs)

    return wrapped
