"""Webhooks and reminders on a real gunicorn server and its job worker: an entry posted while
the receiver is down reaches it later, signed; a reminder by email reaches a real SMTP server
and tells the webhook it went."""

import time

import pytest
import requests
from standardwebhooks.webhooks import Webhook as Verifier

from tests.live.server import register
from tests.mail import Inbox
from tests.receiver import Receiver

pytestmark = pytest.mark.live


def test_events_outlive_a_receiver_that_is_down_and_reminders_are_mailed(start_server):
    inbox = Inbox().start()
    receiver = Receiver()  # down until the entry is posted
    try:
        server = start_server(
            WEBHOOK_ALLOW_PRIVATE="1",
            WEBHOOK_RETRY_SECONDS="1,1,1,1,1,1,1,1,1,1",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(inbox.port),
        )
        merchant = register(server.url)
        api = requests.Session()
        api.headers["Authorization"] = f"Token {merchant['token']}"
        book = api.get(f"{server.url}/api/auth/me/", timeout=10).json()["default_book"]
        hook = api.post(
            f"{server.url}/api/books/{book}/webhooks/",
            json={"url": receiver.url, "events": ["entry.posted", "reminder.sent"]},
            timeout=10,
        ).json()
        customer = api.post(
            f"{server.url}/api/customers/",
            json={"name": "Ravi", "email": "ravi@example.com"},
            timeout=10,
        ).json()
        entry = api.post(
            f"{server.url}/api/customers/{customer['id']}/entries/",
            json={"type": "credit", "amount": "250.00", "entry_date": "2026-01-05"},
            timeout=10,
        ).json()
        deliveries = f"{server.url}/api/books/{book}/webhooks/{hook['id']}/deliveries/"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # the worker tries, and fails: nothing listens
            (delivery,) = api.get(deliveries, timeout=10).json()["results"]
            if delivery["last_response"] is not None:  # (attempts counts one under way)
                break
            time.sleep(0.2)
        assert delivery["status"] == "pending" and "error" in delivery["last_response"]
        receiver.start()
        (request,) = receiver.wait_for(1)
        payload = Verifier(hook["secret"]).verify(request.body, request.headers)
        assert payload["data"]["entry"]["id"] == entry["id"]
        assert request.headers["webhook-id"] == delivery["id"]

        reminder = api.post(
            f"{server.url}/api/customers/{customer['id']}/reminders/",
            json={"channel": "email"},
            timeout=10,
        ).json()
        assert reminder["status"] == "queued"
        (mail,) = inbox.wait_for(1)
        assert mail["To"] == "ravi@example.com"
        assert "₹250.00" in mail.get_content()
        link = mail.get_content().split()[-1]
        assert link.startswith(f"{server.url}/s/")
        assert requests.get(link, timeout=10).status_code == 200
        told = receiver.wait_for(2)[1]
        assert Verifier(hook["secret"]).verify(told.body, told.headers)["type"] == "reminder.sent"
        listed = api.get(
            f"{server.url}/api/customers/{customer['id']}/reminders/", timeout=10
        ).json()["results"]
        assert [r["status"] for r in listed] == ["sent"]
    finally:
        receiver.stop()
        inbox.stop()
