"""Reminders: composed in the party's language from the book's texts, sent by email through a
real SMTP server or as a webhook event to a real receiver, at most one a day, every attempt
listed; and the automatic round by the book's settings."""

import datetime
import re

import pytest
from django.test import Client
from standardwebhooks.webhooks import Webhook as Verifier

from customers.models import Kind
from jobs.worker import drain
from ledger.pdf import Formats
from reminders.models import Reminder
from reminders.tasks import send_automatic
from tests.factories import book_of, make_customer, post
from tests.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(user):
    book = book_of(user)
    book.name, book.phone = "Asha Stores", "+91 90000 11111"
    book.save()
    return book


def days_ago(book, days: int) -> datetime.date:
    return book.today() - datetime.timedelta(days=days)


def owing(book, name="Ravi", amount="1500.00", overdue_days=10, **fields):
    """A customer owing `amount`, due `overdue_days` ago."""
    customer = make_customer(book, name=name, **fields)
    when = days_ago(book, overdue_days)
    post(customer, "credit", amount, entry_date=when, due_date=when)
    return customer


def remind(client, customer, **body):
    return client.post(f"/api/customers/{customer.pk}/reminders/", body, format="json")


def link_in(text: str) -> str:
    return re.search(r"http://testserver(/s/\S+/)", text).group(1)


@pytest.mark.parametrize(
    ("locale", "says"),
    [
        ("en-IN", "Dear Ravi, a reminder from Asha Stores: ₹1,500.00 is due from you"),
        ("hi-IN", "नमस्ते Ravi, Asha Stores की ओर से याद दिलाना: आपकी ओर ₹1,500.00 बकाया है"),
        ("bn-IN", "নমস্কার Ravi, Asha Stores থেকে মনে করিয়ে দিচ্ছি: আপনার কাছে ₹1,500.00 বাকি"),
    ],
)
def test_a_reminder_is_composed_in_the_customers_language(client, book, locale, says):
    customer = owing(book, locale=locale)
    made = remind(client, customer)
    assert made.status_code == 201, made.json()
    reminder = made.json()
    assert (reminder["channel"], reminder["status"], reminder["sent_at"]) == (
        "none",
        "composed",
        None,
    )
    assert reminder["text"].startswith(says)
    # The oldest due date, in the locale's style, and a statement link that opens.
    assert Formats(customer).day(days_ago(book, 10)) in reminder["text"]
    page = Client().get(link_in(reminder["text"]))
    assert page.status_code == 200
    assert "Asha Stores" in page.content.decode()


def test_a_suppliers_reminder_says_what_we_owe(client, book):
    supplier = make_customer(book, name="Mill", kind=Kind.SUPPLIER)
    when = days_ago(book, 3)
    post(supplier, "debit", "700.00", entry_date=when, due_date=when)
    text = remind(client, supplier).json()["text"]
    assert text.startswith("Dear Mill, from Asha Stores: by our books we owe you ₹700.00")


def test_an_email_reminder_goes_through_the_smtp_server(client, book, inbox):
    customer = owing(book, email="ravi@example.com")
    made = remind(client, customer, channel="email")
    assert made.status_code == 201
    assert made.json()["status"] == "queued"
    drain()
    (mail,) = inbox.wait_for(1)
    assert mail["To"] == "ravi@example.com"
    assert mail["Subject"] == "Payment reminder from Asha Stores"
    assert mail.get_content().strip() == made.json()["text"]
    listed = client.get(f"/api/customers/{customer.pk}/reminders/").json()["results"]
    assert [(r["id"], r["status"]) for r in listed] == [(made.json()["id"], "sent")]
    assert listed[0]["sent_at"] is not None


def test_a_mail_that_cannot_be_sent_is_listed_as_failed(client, book, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", Receiver().port  # nothing listens
    settings.PERIODIC_TASKS = {}
    customer = owing(book, email="ravi@example.com")
    remind(client, customer, channel="email")
    drain()
    (failed,) = client.get(f"/api/customers/{customer.pk}/reminders/").json()["results"]
    assert failed["status"] == "failed" and "Connection" in failed["error"]
    # A failed attempt does not count as the day's reminder: the merchant may try again.
    assert remind(client, customer, channel="email").status_code == 201


def test_one_reminder_a_day_is_the_most(client, book, inbox):
    customer = owing(book, email="ravi@example.com")
    assert remind(client, customer, channel="email").status_code == 201
    again = remind(client, customer, channel="email")
    assert again.status_code == 409
    assert "today already" in again.json()["detail"]
    assert remind(client, customer).status_code == 201  # composing only is not sending
    assert Reminder.objects.filter(customer=customer).count() == 2


def test_what_cannot_be_sent_is_refused_and_writes_nothing(client, book, customer):
    assert remind(client, customer).status_code == 409  # owes nothing
    debtor = owing(book, name="Mohan")
    no_mail = remind(client, debtor, channel="email")
    assert no_mail.status_code == 400 and "email address" in no_mail.json()["detail"]
    no_hook = remind(client, debtor, channel="webhook")
    assert no_hook.status_code == 409 and "reminder.sent" in no_hook.json()["detail"]
    assert remind(client, debtor, channel="sms").status_code == 400
    assert remind(client, debtor, message="Pay {amount} by {when}").status_code == 400
    assert Reminder.objects.count() == 0
    assert debtor.statement_links.count() == 0  # the link went with the refused reminder


def test_a_webhook_reminder_is_a_reminder_sent_event(client, book, settings):
    settings.WEBHOOK_ALLOW_PRIVATE, settings.PERIODIC_TASKS = True, {}
    receiver = Receiver().start()
    try:
        hook = client.post(
            f"/api/books/{book.pk}/webhooks/",
            {"url": receiver.url, "events": ["reminder.sent"]},
            format="json",
        ).json()
        customer = owing(book, phone="+91 98765 43210")
        made = remind(client, customer, channel="webhook", message="Hi {customer}: {amount}.")
        assert made.status_code == 201
        assert (made.json()["status"], made.json()["text"]) == ("sent", "Hi Ravi: ₹1,500.00.")
        drain()
        (request,) = receiver.wait_for(1)
        payload = Verifier(hook["secret"]).verify(request.body, request.headers)
        assert payload["type"] == "reminder.sent"
        assert payload["data"]["reminder"]["text"] == "Hi Ravi: ₹1,500.00."
        assert payload["data"]["customer"]["phone"] == "+91 98765 43210"
    finally:
        receiver.stop()


def test_a_book_writes_its_own_texts(client, book):
    url = f"/api/books/{book.pk}/reminder-settings/"
    settings_now = client.get(url).json()
    assert settings_now["templates"]["customer"]["en"].startswith("Dear {customer}")
    assert set(settings_now["placeholders"]) >= {"customer", "amount", "due_date", "link"}
    own = "{customer} ji, {business} ka {amount} baaki hai. {link}"
    changed = client.patch(url, {"templates": {"customer": {"hi": own}}}, format="json")
    assert changed.status_code == 200
    assert changed.json()["templates"]["customer"]["hi"] == own
    customer = owing(book, locale="hi-IN")
    assert remind(client, customer).json()["text"].startswith("Ravi ji, Asha Stores ka ₹1,500.00")
    for bad in [
        {"templates": {"customer": {"hi": "{amount.__class__}"}}},
        {"templates": {"customer": {"hi": "{nope}"}}},
        {"templates": {"customer": {"hi": "{"}}},
        {"templates": {"customer": {"fr": "Bonjour"}}},
        {"templates": {"lender": {"en": "x"}}},
        {"every_days": 0},
        {"channel": "none"},
        {"enabled": "yes"},
    ]:
        assert client.patch(url, bad, format="json").status_code == 400, bad
    restored = client.patch(url, {"templates": {"customer": {"hi": ""}}}, format="json").json()
    assert restored["templates"]["customer"]["hi"].startswith("नमस्ते {customer}")


def test_the_automatic_round_reminds_whom_it_should_once_a_day(client, book, inbox):
    client.patch(
        f"/api/books/{book.pk}/reminder-settings/",
        {"enabled": True, "every_days": 7, "min_overdue_days": 3, "channel": "email"},
        format="json",
    )
    due = owing(book, name="Due", email="due@example.com", overdue_days=3)
    owing(book, name="Recent", email="recent@example.com", overdue_days=2)
    owing(book, name="Off", email="off@example.com", reminders_enabled=False)
    owing(book, name="No address")
    supplier = make_customer(book, name="Mill", kind=Kind.SUPPLIER, email="mill@example.com")
    post(supplier, "debit", "50.00", entry_date=days_ago(book, 20), due_date=days_ago(book, 20))
    lately = owing(book, name="Lately", email="lately@example.com")
    Reminder.objects.create(
        book=book,
        customer=lately,
        channel="email",
        day=days_ago(book, 6),
        status="sent",
        subject="s",
        text="t",
    )
    weekago = owing(book, name="Week ago", email="weekago@example.com")
    Reminder.objects.create(
        book=book,
        customer=weekago,
        channel="email",
        day=days_ago(book, 7),
        status="sent",
        subject="s",
        text="t",
    )
    assert send_automatic.call() == {"reminded": 2, "skipped": 0}
    drain()
    assert sorted(m["To"] for m in inbox.wait_for(2)) == ["due@example.com", "weekago@example.com"]
    made = Reminder.objects.get(customer=due)
    assert (made.automatic, made.status, made.created_by) == (True, "sent", None)
    assert "http://localhost:8000/s/" in made.text  # PUBLIC_URL: no request to take a host from
    assert send_automatic.call() == {"reminded": 0, "skipped": 0}  # once a day


def test_an_automatic_reminder_that_failed_is_not_tried_again_the_same_day(client, book, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", Receiver().port  # nothing listens
    settings.PERIODIC_TASKS = {}
    client.patch(f"/api/books/{book.pk}/reminder-settings/", {"enabled": True}, format="json")
    customer = owing(book, email="ravi@example.com")
    assert send_automatic.call()["reminded"] == 1
    drain()
    assert Reminder.objects.get(customer=customer).status == "failed"
    assert send_automatic.call()["reminded"] == 0


def test_a_book_without_automatic_reminders_sends_none(book):
    owing(book, email="ravi@example.com")
    assert send_automatic.call() == {"reminded": 0, "skipped": 0}


def test_reminders_of_another_book_are_not_found(client, book, other_client):
    customer = owing(book)
    remind(client, customer)
    assert other_client.get(f"/api/customers/{customer.pk}/reminders/").status_code == 404
    assert other_client.get(f"/api/books/{book.pk}/reminder-settings/").status_code == 404
