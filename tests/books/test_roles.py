"""The role table on every route of a book: for each role and a non-member, the allowed ones
succeed, the others are a 403 naming the role needed (a member) or a 404 (not a member), and a
refusal changes nothing."""

import pytest
from django_tasks_db.models import DBTaskResult

from books import members, services, tokens
from books.models import Activity, Book, Membership, Role, TokenScope
from customers.models import Customer
from jobs.models import Job
from ledger.models import DailyTotal, Due, Entry, IdempotencyKey, StagedEntry
from links import services as link_services
from links.models import StatementLink
from reminders import services as reminder_services
from reminders.models import Reminder, ReminderSettings
from tests.factories import client_for, make_customer, make_user, post
from webhooks import services as webhook_services
from webhooks.models import Delivery, Event, Webhook

pytestmark = pytest.mark.django_db

CSV = "type,amount,entry_date,note\ncredit,1.00,2026-01-02,imported\n"
HOOK = "http://127.0.0.1:9/hooks"  # loopback: the fixture allows it

# (method, path under /api/books/{b}, body, the lowest role that may); {c} a customer, {e} an
# entry of it, {m} the membership of another member, {t} a book token, {l} a statement link,
# {r} a reminder, {w} a webhook, {d} a failed delivery of it.
ROUTES = [
    ("get", "/", None, Role.VIEWER),
    ("patch", "/", {"name": "Renamed"}, Role.OWNER),
    ("delete", "/", None, Role.OWNER),
    ("post", "/restore/", None, Role.OWNER),
    ("get", "/customers/", None, Role.VIEWER),
    ("post", "/customers/", {"name": "New"}, Role.CLERK),
    ("get", "/customers/{c}/", None, Role.VIEWER),
    ("put", "/customers/{c}/", {"name": "Ravi K"}, Role.CLERK),
    ("patch", "/customers/{c}/", {"phone": "+91 90000 00000"}, Role.CLERK),
    ("patch", "/customers/{c}/", {"credit_limit": "500.00"}, Role.MANAGER),
    ("patch", "/customers/{c}/", {"payment_terms_days": 30}, Role.MANAGER),
    ("post", "/customers/", {"name": "Limited", "credit_limit_policy": "block"}, Role.MANAGER),
    ("delete", "/customers/{c}/", None, Role.MANAGER),
    ("post", "/customers/{c}/restore/", None, Role.MANAGER),
    ("get", "/customers/{c}/summary/", None, Role.VIEWER),
    ("get", "/customers/{c}/ageing/", None, Role.VIEWER),
    ("get", "/customers/{c}/links/", None, Role.CLERK),
    ("post", "/customers/{c}/links/", {}, Role.CLERK),
    ("delete", "/customers/{c}/links/{l}/", None, Role.MANAGER),
    ("get", "/customers/{c}/statement/", None, Role.VIEWER),
    ("get", "/customers/{c}/statement/?format=csv", None, Role.VIEWER),
    ("get", "/customers/{c}/statement/?format=pdf", None, Role.VIEWER),
    ("get", "/customers/{c}/entries/", None, Role.VIEWER),
    ("post", "/customers/{c}/entries/", {"type": "credit", "amount": "2"}, Role.CLERK),
    ("post", "/customers/{c}/entries/import/", CSV, Role.MANAGER),
    ("get", "/customers/{c}/entries/?format=csv", None, Role.MANAGER),
    ("get", "/entries/", None, Role.VIEWER),
    ("get", "/entries/?format=csv", None, Role.MANAGER),
    ("post", "/entries/", {"customer": "{c}", "type": "debit", "amount": "1"}, Role.CLERK),
    ("get", "/entries/{e}/", None, Role.VIEWER),
    ("post", "/entries/{e}/reverse/", {}, Role.MANAGER),
    ("get", "/summary/", None, Role.VIEWER),
    ("get", "/jobs/", None, Role.VIEWER),
    ("get", "/members/", None, Role.MANAGER),
    ("post", "/members/", {"username": "newcomer", "role": "viewer"}, Role.OWNER),
    ("get", "/members/{m}/", None, Role.MANAGER),
    ("patch", "/members/{m}/", {"role": "clerk"}, Role.OWNER),
    ("delete", "/members/{m}/", None, Role.OWNER),
    ("get", "/activity/", None, Role.MANAGER),
    ("get", "/tokens/", None, Role.OWNER),
    ("post", "/tokens/", {"name": "Till", "role": "clerk"}, Role.OWNER),
    ("delete", "/tokens/{t}/", None, Role.OWNER),
    ("get", "/export/", None, Role.MANAGER),
    ("get", "/customers/{c}/reminders/", None, Role.CLERK),
    ("post", "/customers/{c}/reminders/", {"channel": "none"}, Role.CLERK),
    ("get", "/customers/{c}/reminders/{r}/", None, Role.CLERK),
    ("get", "/reminder-settings/", None, Role.MANAGER),
    ("patch", "/reminder-settings/", {"every_days": 3}, Role.MANAGER),
    ("get", "/webhooks/", None, Role.MANAGER),
    ("post", "/webhooks/", {"url": HOOK, "events": ["entry.posted"]}, Role.MANAGER),
    ("get", "/webhooks/{w}/", None, Role.MANAGER),
    ("patch", "/webhooks/{w}/", {"enabled": False}, Role.MANAGER),
    ("delete", "/webhooks/{w}/", None, Role.MANAGER),
    ("post", "/webhooks/{w}/rotate-secret/", None, Role.MANAGER),
    ("get", "/webhooks/{w}/deliveries/", None, Role.MANAGER),
    ("get", "/webhooks/{w}/deliveries/{d}/", None, Role.MANAGER),
    ("post", "/webhooks/{w}/deliveries/{d}/redeliver/", None, Role.MANAGER),
]
WHO = [Role.VIEWER, Role.CLERK, Role.MANAGER, Role.OWNER, "non-member"]


@pytest.fixture
def shop(settings):
    """A book (its owner's second, so it may be archived) with one member of each role."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    owner = make_user("owner")
    book = services.create_book(owner=owner, name="Shop")
    people = {Role.OWNER: owner}
    for role in (Role.VIEWER, Role.CLERK, Role.MANAGER):
        people[role] = make_user(role.value)
        members.add_member(book=book, user=people[role], role=role, invited_by=owner)
    people["non-member"] = make_user("stranger")
    make_user("newcomer")
    extra = members.add_member(book=book, user=make_user("extra"), role=Role.VIEWER)
    till, _ = tokens.create_book_token(book=book, name="Old till", role=Role.CLERK, by=owner)
    customer = make_customer(book, name="Ravi")
    entry = post(customer, "credit", "10.00", by=owner)
    link = link_services.create_link(book=book, customer=customer, by=owner)
    reminder = reminder_services.remind(
        book=book,
        customer=Customer.objects.get(pk=customer.pk),  # its totals since the entry
        by=owner,
        channel="none",
        base_url="http://testserver",
    )
    hook = webhook_services.create_webhook(book=book, by=owner, url=HOOK, events=["entry.posted"])
    event = Event.objects.create(book=book, type="entry.posted", body="{}")
    delivery = Delivery.objects.create(book=book, webhook=hook, event=event, status="failed")
    ids = {
        "c": customer.pk,
        "e": entry.pk,
        "m": extra.pk,
        "t": till.pk,
        "l": link.pk,
        "r": reminder.pk,
        "w": hook.pk,
        "d": delivery.pk,
    }
    return book, people, customer, ids


def ledger_state():
    """Everything a refused request must leave as it was."""
    return [
        list(Book.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Customer.objects.order_by("pk").values()),
        list(Entry.objects.order_by("pk").values()),
        list(DailyTotal.objects.order_by("pk").values()),
        list(Due.objects.order_by("pk").values()),
        Job.objects.count(),
        Activity.objects.count(),
        list(TokenScope.objects.order_by("pk").values()),
        IdempotencyKey.objects.count(),
        list(StatementLink.objects.order_by("pk").values()),
        list(Reminder.objects.order_by("pk").values()),
        list(ReminderSettings.objects.order_by("pk").values()),
        list(Webhook.objects.order_by("pk").values()),
        list(Delivery.objects.order_by("pk").values()),
        DBTaskResult.objects.count(),
    ]


def send(client, method, url, body):
    if isinstance(body, str):
        return client.generic(method.upper(), url, body.encode(), content_type="text/csv")
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path", "body", "needed"), ROUTES)
def test_the_role_table(shop, method, path, body, needed, who):
    book, people, customer, ids = shop
    if path == "/restore/":
        services.archive_book(book=book, by=people[Role.OWNER])
    if path == "/customers/{c}/restore/":
        Customer.objects.filter(pk=customer.pk).update(archived_at="2026-01-01T00:00:00Z")
    url = f"/api/books/{book.pk}" + path.format(**ids)
    if isinstance(body, dict):
        body = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
    client = client_for(people[who])
    before = ledger_state()
    response = send(client, method, url, body)
    if who == "non-member":
        assert response.status_code == 404, response.content
        assert ledger_state() == before
    elif Role.values.index(who) >= Role.values.index(needed):
        assert response.status_code < 300, response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"] == (
            f"This needs the {needed} role in this book or a higher one; yours is {who}."
        )
        assert ledger_state() == before


def test_the_table_covers_every_route_of_a_book():
    """A route added under /api/books/{book}/ without a row here fails this test."""
    from django.urls import get_resolver

    def paths(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            text = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                yield from paths(pattern, text)
            else:
                yield text

    book_routes = {
        p.split("(?P<book_pk>[0-9]+)", 1)[1].replace("$", "")
        for p in paths(get_resolver())
        if p.startswith("api/^books/(?P<book_pk>")
    }
    book_routes |= {"/", "/restore/"}  # the book's own routes (its id is `pk` there)
    covered = {
        path.split("?")[0]
        .replace("{c}", "(?P<customer_pk>[0-9]+)")
        .replace("{e}", "(?P<pk>[0-9]+)")
        .replace("{m}", "(?P<pk>[0-9]+)")
        .replace("{t}", "(?P<pk>[0-9]+)")
        .replace("{l}", "(?P<pk>[0-9]+)")
        .replace("{r}", "(?P<pk>[0-9]+)")
        .replace("{w}/deliveries/{d}", "(?P<webhook_pk>[0-9]+)/deliveries/(?P<pk>msg_[0-9a-f]{32})")
        .replace("{w}/deliveries/", "(?P<webhook_pk>[0-9]+)/deliveries/")
        .replace("{w}", "(?P<pk>[0-9]+)")
        for _, path, _, _ in ROUTES
    }
    # A customer's own routes name it `pk`; its entries name it `customer_pk`.
    covered |= {
        c.replace("customers/(?P<customer_pk>[0-9]+)/", "customers/(?P<pk>[0-9]+)/")
        for c in covered
        if "/entries/" not in c and "/links/" not in c and "/reminders/" not in c
    }
    missing = (
        book_routes
        - covered
        - {
            "/customers/(?P<pk>[0-9]+)/summery/",  # the v1 spelling of summary, the same view
            "/jobs/(?P<pk>[0-9]+)/",  # a member's own job: tests/jobs
            "/jobs/(?P<pk>[0-9]+)/download/",
        }
    )
    assert len(book_routes) > 15 and missing == set()


def test_a_refused_import_leaves_no_staged_rows_or_jobs(shop):
    book, people, customer, *_ = shop
    client = client_for(people[Role.CLERK])
    url = f"/api/books/{book.pk}/customers/{customer.pk}/entries/import/"
    assert send(client, "post", url, CSV).status_code == 403
    assert not StagedEntry.objects.exists() and not Job.objects.exists()
