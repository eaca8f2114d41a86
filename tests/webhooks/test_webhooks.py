"""Webhooks end to end through the job worker to a real HTTP receiver: Standard Webhooks
signatures, the outbox written with the change (or not at all), retries with the same
webhook-id, deliveries listed and redelivered, secrets rotated, private addresses refused."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from jobs.worker import drain
from ledger.exceptions import CreditLimitExceeded
from tests.factories import book_of, post
from webhooks.models import Delivery, Event
from webhooks.tasks import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(user):
    return book_of(user)


def add_webhook(client, book, url, events=("entry.posted", "entry.reversed")):
    response = client.post(
        f"/api/books/{book.pk}/webhooks/", {"url": url, "events": list(events)}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def verified(received, secret) -> dict:
    """The payload, once its signature checks out with the secret."""
    return Verifier(secret).verify(received.body, received.headers)


def test_a_posting_reaches_the_receiver_signed(client, book, customer, receiver):
    hook = add_webhook(client, book, receiver.url)
    assert hook["secret"].startswith("whsec_")
    assert "secret" not in client.get(f"/api/books/{book.pk}/webhooks/{hook['id']}/").json()
    posted = client.post(
        f"/api/customers/{customer.pk}/entries/",
        {"type": "credit", "amount": "1500.50", "entry_date": "2026-03-02", "note": "rice"},
        format="json",
    ).json()
    assert receiver.received == []  # nothing is sent inside the request
    drain()
    (request,) = receiver.wait_for(1)
    assert request.path == "/hooks/ledger"
    payload = verified(request, hook["secret"])
    assert payload["type"] == "entry.posted"
    entry = payload["data"]["entry"]
    assert (entry["id"], entry["amount"], entry["entry_date"], entry["note"]) == (
        posted["id"],
        "1500.50",
        "2026-03-02",
        "rice",
    )
    assert payload["data"]["customer"]["balance"] == "1500.50"
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        Verifier("whsec_" + "A" * 44).verify(request.body, request.headers)
    tampered = request.body.replace("1500.50", "1.00")
    with pytest.raises(WebhookVerificationError):
        Verifier(hook["secret"]).verify(tampered, request.headers)
    (delivery,) = client.get(f"/api/books/{book.pk}/webhooks/{hook['id']}/deliveries/").json()[
        "results"
    ]
    assert delivery["id"] == request.headers["webhook-id"]
    assert (delivery["event"], delivery["status"], delivery["attempts"]) == (
        "entry.posted",
        "delivered",
        1,
    )
    assert delivery["last_response"]["status_code"] == 200


def test_a_reversal_is_its_own_event_and_only_subscribers_get_each(
    client, book, customer, receiver
):
    reversals = add_webhook(client, book, receiver.url, events=["entry.reversed"])
    entry = post(customer, "credit", "40.00")
    client.post(f"/api/entries/{entry.pk}/reverse/", {}, format="json")
    drain()
    (request,) = receiver.wait_for(1)
    payload = verified(request, reversals["secret"])
    assert payload["type"] == "entry.reversed"
    assert payload["data"]["entry"]["reverses"] == entry.pk


def test_a_rolled_back_posting_sends_nothing(client, book, customer, receiver, settings):
    add_webhook(client, book, receiver.url, events=["entry.posted", "customer.over_limit"])
    client.patch(
        f"/api/customers/{customer.pk}/",
        {"credit_limit": "100.00", "credit_limit_policy": "block"},
        format="json",
    )
    refused = client.post(
        f"/api/customers/{customer.pk}/entries/", {"type": "credit", "amount": "101"}, format="json"
    )
    assert refused.status_code == 409
    with pytest.raises(CreditLimitExceeded):
        post(customer, "credit", "500.00")
    assert Event.objects.count() == 0 and Delivery.objects.count() == 0
    drain()
    assert receiver.received == []


def test_a_warn_limit_passed_is_told_and_an_import_is_one_event(client, book, customer, receiver):
    hook = add_webhook(
        client, book, receiver.url, events=["customer.over_limit", "entries.imported"]
    )
    client.patch(
        f"/api/customers/{customer.pk}/",
        {"credit_limit": "100.00", "credit_limit_policy": "warn"},
        format="json",
    )
    csv = "type,amount,entry_date\ncredit,80.00,2026-01-02\ncredit,30.00,2026-01-03\n"
    imported = client.generic(
        "POST", f"/api/customers/{customer.pk}/entries/import/", csv, content_type="text/csv"
    )
    assert imported.status_code == 201, imported.json()
    drain()
    payloads = [verified(r, hook["secret"]) for r in receiver.wait_for(2)]
    by_type = {p["type"]: p["data"] for p in payloads}
    assert by_type["entries.imported"]["count"] == 2
    assert by_type["entries.imported"]["credit"] == "110.00"
    assert by_type["customer.over_limit"]["customer"]["balance"] == "110.00"
    assert by_type["customer.over_limit"]["customer"]["credit_limit"] == "100.00"


def test_a_failed_attempt_is_retried_with_the_same_webhook_id(
    client, book, customer, receiver, settings
):
    settings.WEBHOOK_RETRY_SECONDS = [0, 0, 0]
    hook = add_webhook(client, book, receiver.url)
    receiver.answers = [500, 503]
    post(customer, "credit", "10.00")
    drain()
    first, second, third = receiver.wait_for(3)
    assert (
        first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    )
    assert first.body == third.body
    verified(third, hook["secret"])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)


def test_a_receiver_that_is_down_gets_the_event_later(client, book, customer, receiver, settings):
    settings.WEBHOOK_RETRY_SECONDS = [1]
    hook = add_webhook(client, book, receiver.url)
    receiver.stop()
    post(customer, "credit", "10.00")
    drain()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "ConnectError" in delivery.last_response["error"]
    assert delivery.next_attempt_at > delivery.last_attempt_at
    receiver.start()  # on the same port
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=10)
    while not receiver.received and datetime.datetime.now() < deadline:
        drain()  # the retry is queued for a second later
    (request,) = receiver.wait_for(1)
    assert request.headers["webhook-id"] == delivery.pk
    verified(request, hook["secret"])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_a_failed_delivery_is_redelivered_by_a_manager(client, book, customer, receiver, settings):
    settings.WEBHOOK_RETRY_SECONDS = [0]
    hook = add_webhook(client, book, receiver.url)
    receiver.answers = [500, 500]
    post(customer, "credit", "10.00")
    drain()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.last_response["status_code"] == 500
    assert delivery.last_response["body"] == "not now"
    base = f"/api/books/{book.pk}/webhooks/{hook['id']}/deliveries/{delivery.pk}"
    again = client.post(f"{base}/redeliver/")
    assert again.status_code == 202
    assert again.json()["status"] == "pending"
    assert client.post(f"{base}/redeliver/").status_code == 409  # on its way already
    drain()
    assert receiver.wait_for(3)[-1].headers["webhook-id"] == delivery.pk
    assert client.get(f"{base}/").json()["status"] == "delivered"


def test_a_rotated_secret_signs_beside_the_old_one_for_a_while(client, book, customer, receiver):
    hook = add_webhook(client, book, receiver.url)
    rotated = client.post(f"/api/books/{book.pk}/webhooks/{hook['id']}/rotate-secret/")
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != hook["secret"]
    post(customer, "credit", "10.00")
    drain()
    (request,) = receiver.wait_for(1)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    verified(request, new)
    verified(request, hook["secret"])


def test_a_disabled_webhook_gets_nothing_and_a_deleted_one_is_gone(
    client, book, customer, receiver
):
    hook = add_webhook(client, book, receiver.url)
    url = f"/api/books/{book.pk}/webhooks/{hook['id']}/"
    assert client.patch(url, {"enabled": False}, format="json").json()["enabled"] is False
    post(customer, "credit", "10.00")
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    drain()
    assert receiver.received == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:8000/hook", "private or reserved"),
        ("http://localhost/hook", "private or reserved"),
        ("http://10.1.2.3/hook", "private or reserved"),
        ("http://[::1]/hook", "private or reserved"),
        ("http://169.254.169.254/latest/meta-data", "private or reserved"),
        ("ftp://example.com/hook", "http or https"),
        ("https://user:secret@example.com/hook", "user name or password"),
        ("https://no-such-host.invalid/hook", "cannot be resolved"),
        ("http://example.com:99999/hook", "port"),
    ],
)
def test_addresses_the_server_will_not_send_to(client, book, url, says):
    response = client.post(
        f"/api/books/{book.pk}/webhooks/", {"url": url, "events": ["entry.posted"]}, format="json"
    )
    assert response.status_code == 400
    assert says in response.json()["url"][0]


def test_an_address_that_turned_private_is_not_sent_to(client, book, customer, receiver, settings):
    settings.WEBHOOK_RETRY_SECONDS = []
    add_webhook(client, book, receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE = False  # as if its name now resolved to a private address
    post(customer, "credit", "10.00")
    drain()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert "private or reserved" in delivery.last_response["error"]
    assert receiver.received == []


def test_bad_webhooks_are_a_400(client, book, receiver):
    base = f"/api/books/{book.pk}/webhooks/"
    for body, field in [
        ({"url": receiver.url, "events": []}, "events"),
        ({"url": receiver.url, "events": ["entry.deleted"]}, "events"),
        ({"url": receiver.url}, "events"),
        ({"url": 5, "events": ["entry.posted"]}, "url"),
        ({"url": receiver.url, "events": ["entry.posted"], "enabled": "yes"}, "enabled"),
    ]:
        response = client.post(base, body, format="json")
        assert response.status_code == 400 and field in response.json(), body


def test_another_books_webhooks_and_deliveries_are_not_found(
    client, book, customer, other_client, other_user, receiver
):
    hook = add_webhook(client, book, receiver.url)
    post(customer, "credit", "10.00")
    delivery = Delivery.objects.get()
    theirs = book_of(other_user)
    for url in [
        f"/api/books/{book.pk}/webhooks/",
        f"/api/books/{book.pk}/webhooks/{hook['id']}/deliveries/{delivery.pk}/",
        f"/api/books/{theirs.pk}/webhooks/{hook['id']}/",
        f"/api/books/{theirs.pk}/webhooks/{hook['id']}/deliveries/",
    ]:
        assert other_client.get(url).status_code == 404, url


def test_an_event_and_its_sending_roll_back_with_the_posting(book, customer, receiver, client):
    add_webhook(client, book, receiver.url)
    queued = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        post(customer, "credit", "5.00")
        assert Event.objects.count() == 1 and DBTaskResult.objects.count() == queued + 1
        raise RuntimeError("the request failed after posting")
    assert Event.objects.count() == 0 and Delivery.objects.count() == 0
    assert DBTaskResult.objects.count() == queued
    drain()
    assert receiver.received == []


def test_the_sweep_sends_what_a_lost_attempt_left_and_forgets_old_events(
    client, book, customer, receiver, settings
):
    hook = add_webhook(client, book, receiver.url)
    post(customer, "credit", "10.00")
    DBTaskResult.objects.all().delete()  # as if the worker died with the attempt's task
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    Delivery.objects.update(next_attempt_at=long_ago)
    assert sweep.call()["queued"] == 1
    drain()
    verified(receiver.wait_for(1)[0], hook["secret"])
    assert Delivery.objects.get().status == "delivered"
    Event.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))
    assert sweep.call() == {"queued": 0, "forgotten": 2}  # the event and its delivery
    assert not Delivery.objects.exists()


def test_a_long_answer_is_kept_short(client, book, customer, receiver):
    add_webhook(client, book, receiver.url)
    receiver.body = "x" * 100_000
    post(customer, "credit", "10.00")
    drain()
    assert Delivery.objects.get().last_response["body"] == "x" * 1000
