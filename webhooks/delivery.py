"""Sending a delivery: one attempt, signed per Standard Webhooks, and what follows it.

An attempt first takes the delivery for itself (moving `next_attempt_at` past its own time
limit), so two workers never send it at once; a worker that dies mid-attempt leaves it to the
sweep once that time has passed. A 2xx answer delivers it. Anything else (an error status, a
refused address, no answer in WEBHOOK_TIMEOUT_SECONDS) is retried after the next wait in
WEBHOOK_RETRY_SECONDS; when those are spent, the delivery has failed (a manager may redeliver
it). No transaction is open while the receiver is being waited for.
"""

import datetime
import time
from typing import NamedTuple

import httpx
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as Signer

from webhooks import addresses
from webhooks.exceptions import AddressRefused
from webhooks.models import Delivery, DeliveryStatus


class Outcome(NamedTuple):
    status: str
    retry_at: datetime.datetime | None


KEPT_BODY = 1000  # characters of the receiver's answer kept on the delivery
USER_AGENT = "MiniLedger-Webhooks/1"


def attempt(delivery_id: str, *, now: datetime.datetime | None = None) -> Outcome | None:
    """Try the delivery once, if it is due and no other attempt has it; answer its status
    afterwards and when to try again (None: not this attempt's to make)."""
    now = now or timezone.now()
    lease = now + datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 30)
    mine = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease, attempts=F("attempts") + 1, last_attempt_at=now)
    if not mine:
        return None
    delivery = Delivery.objects.select_related("webhook", "event").get(pk=delivery_id)
    response = _send(delivery, now)
    fields = {"last_response": response}
    retry_at = None
    if response.get("status_code") is not None and 200 <= response["status_code"] < 300:
        fields.update(status=DeliveryStatus.DELIVERED, next_attempt_at=None)
    elif delivery.attempts > len(settings.WEBHOOK_RETRY_SECONDS):
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        wait = settings.WEBHOOK_RETRY_SECONDS[delivery.attempts - 1]
        retry_at = timezone.now() + datetime.timedelta(seconds=wait)
        fields.update(next_attempt_at=retry_at)
    # Only while this attempt still holds it (a redelivery may have started another).
    Delivery.objects.filter(pk=delivery_id, attempts=delivery.attempts).update(**fields)
    return Outcome(fields.get("status", DeliveryStatus.PENDING), retry_at)


def headers_for(delivery: Delivery, at: datetime.datetime) -> dict:
    """The Standard Webhooks headers: the delivery's id, the time of this attempt, and a v1
    signature by the webhook's secret (and by its previous one while that is still honoured)."""
    hook, body = delivery.webhook, delivery.event.body
    secrets = [hook.secret]
    if hook.previous_secret and hook.previous_secret_expires_at > at:
        secrets.append(hook.previous_secret)
    signatures = [Signer(secret).sign(delivery.pk, at, body) for secret in secrets]
    return {
        "webhook-id": delivery.pk,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def _send(delivery: Delivery, now: datetime.datetime) -> dict:
    """POST the event to the webhook; answer what happened, as the delivery keeps it."""
    if not delivery.webhook.enabled:
        return {"error": "The webhook is disabled."}
    started = time.monotonic()
    try:
        target = addresses.check(delivery.webhook.url)
        headers = {**headers_for(delivery, now), "host": target.host}
        extensions = {"sni_hostname": target.server_name}
        # Not through a proxy from the environment: the connection goes to the address checked.
        with (
            httpx.Client(timeout=settings.WEBHOOK_TIMEOUT_SECONDS, trust_env=False) as client,
            client.stream(
                "POST",
                target.url,
                content=delivery.event.body.encode(),
                headers=headers,
                extensions=extensions,
            ) as answer,
        ):
            outcome = {"status_code": answer.status_code, "body": _start_of(answer)}
    except AddressRefused as exc:
        outcome = {"error": exc.message}
    except httpx.HTTPError as exc:
        outcome = {"error": f"{type(exc).__name__}: {exc}"[:KEPT_BODY]}
    outcome["duration_ms"] = round((time.monotonic() - started) * 1000)
    return outcome


def _start_of(answer: httpx.Response) -> str:
    """The first KEPT_BODY characters of the receiver's answer, reading no more of it than
    that (a receiver may answer with anything, of any size)."""
    kept = b""
    for chunk in answer.iter_bytes():
        kept += chunk
        if len(kept) >= KEPT_BODY * 4:  # enough bytes for KEPT_BODY characters of UTF-8
            break
    return kept.decode("utf-8", errors="replace")[:KEPT_BODY]
