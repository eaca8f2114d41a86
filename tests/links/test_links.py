"""Statement links: a signed page a customer opens without an account, in their language,
with what is due, how overdue, the latest entries and a UPI code; altered, expired and revoked
links open a plain page saying so; openings are throttled, counted and recorded."""

import datetime
import re
import subprocess
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from books.models import Activity
from links import services
from links.exceptions import LinkUnavailable
from links.models import StatementLink
from tests.factories import book_of, client_for, make_customer, make_user, post

D = datetime.date


@pytest.fixture
def shop(user):
    book = book_of(user)
    book.name, book.address, book.phone = "Asha Stores", "12 MG Road, Pune", "+91 20 1234 5678"
    book.payment_details = "UPI: asha.stores@okbank"
    book.save()
    customer = make_customer(user, name="Ravi Kumar", phone="+91 98765 43210")
    post(customer, "credit", "1500.00", entry_date=D(2026, 1, 5), note="rice")
    post(customer, "credit", "250.50", entry_date=D(2026, 1, 6))
    post(customer, "debit", "500.00", entry_date=D(2026, 1, 20))
    return book, customer


def make_link(client, customer) -> dict:
    response = client.post(f"/api/customers/{customer.pk}/links/", {}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def path_of(link: dict) -> str:
    return re.sub(r"^https?://[^/]+", "", link["url"])


def test_a_link_opens_the_customers_page_without_an_account(client, anon, shop):
    _, customer = shop
    link = make_link(client, customer)
    assert link["url"].startswith("http://testserver/s/")
    assert (link["revoked"], link["opened_count"], link["created_by"]) == (False, 0, "asha")
    page = anon.get(path_of(link))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    due = format_currency(Decimal("1250.50"), "INR", locale="en_IN")
    for text in ["Asha Stores", "12 MG Road, Pune", "Ravi Kumar", "+91 98765 43210", due]:
        assert text in html
    assert "Amount due from you" in html and "Latest entries" in html
    assert "<svg" in html and "upi://pay?pa=asha.stores%40okbank" in html
    assert "am=1250.50" in html
    refreshed = StatementLink.objects.get()
    assert refreshed.opened_count == 1
    opened = Activity.objects.get(action="link.opened")
    assert (opened.actor_id, opened.object_id) == (None, refreshed.pk)


def test_the_page_speaks_the_customers_language(client, anon, shop):
    _, customer = shop
    customer.locale = "hi-IN"
    customer.save(update_fields=["locale"])  # (a whole save would write stale totals)
    html = anon.get(path_of(make_link(client, customer))).content.decode()
    assert "आपसे बकाया राशि" in html
    assert format_currency(Decimal("1250.50"), "INR", locale="hi_IN") in html
    customer.locale = "bn-IN"
    customer.save(update_fields=["locale"])  # (a whole save would write stale totals)
    html = anon.get(path_of(make_link(client, customer))).content.decode()
    assert "আপনার কাছে পাওনা" in html
    assert format_currency(Decimal("1250.50"), "INR", locale="bn_IN") in html


def test_a_suppliers_page_says_what_the_book_owes_and_shows_no_payment_code(client, anon, user):
    book = book_of(user)
    book.payment_details = "asha@okbank"
    book.save()
    mill = make_customer(user, name="Mill", kind="supplier")
    post(mill, "debit", "700.00")
    html = anon.get(path_of(make_link(client, mill))).content.decode()
    assert "Amount we owe you" in html and "Bought on credit" in html
    assert "<svg" not in html


def test_a_pdf_of_the_last_year_downloads(client, anon, shop):
    _, customer = shop
    pdf = anon.get(path_of(make_link(client, customer)) + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("alter", "status", "says"),
    [
        (lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), 404, "not valid"),
        (lambda token: "9" + token, 404, "not valid"),  # another id, the same signature
        (lambda token: "nothing", 404, "not valid"),
    ],
)
def test_an_altered_link_is_a_plain_page(client, anon, shop, alter, status, says):
    _, customer = shop
    link = make_link(client, customer)
    token = path_of(link).split("/")[2]
    page = anon.get(f"/s/{alter(token)}/")
    assert page.status_code == status
    assert page["Content-Type"].startswith("text/html")
    assert says in page.content.decode() and "Ravi" not in page.content.decode()


def test_an_expired_or_revoked_link_is_a_plain_page(client, anon, shop):
    _, customer = shop
    expired = make_link(client, customer)
    StatementLink.objects.filter(pk=expired["id"]).update(expires_at=timezone.now())
    page = anon.get(path_of(expired))
    assert page.status_code == 410 and "expired" in page.content.decode()
    revoked = make_link(client, customer)
    gone = client.delete(f"/api/customers/{customer.pk}/links/{revoked['id']}/")
    assert gone.status_code == 204
    page = anon.get(path_of(revoked))
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    listed = client.get(f"/api/customers/{customer.pk}/links/").json()["results"]
    assert {(one["id"], one["revoked"]) for one in listed} == {
        (expired["id"], False),
        (revoked["id"], True),
    }
    assert Activity.objects.filter(action="link.revoked").count() == 1


def test_links_are_the_books_own(client, other_client, shop):
    _, customer = shop
    link = make_link(client, customer)
    assert other_client.get(f"/api/customers/{customer.pk}/links/").status_code == 404
    assert other_client.post(f"/api/customers/{customer.pk}/links/").status_code == 404
    gone = other_client.delete(f"/api/customers/{customer.pk}/links/{link['id']}/")
    assert gone.status_code == 404
    assert not StatementLink.objects.get().revoked


def test_a_link_lasts_the_days_asked(client, shop):
    _, customer = shop
    response = client.post(f"/api/customers/{customer.pk}/links/", {"days": 3}, format="json")
    expires = datetime.datetime.fromisoformat(response.json()["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - timezone.now() - datetime.timedelta(days=3)) < datetime.timedelta(
        minutes=1
    )
    for days in (0, 366, "x"):
        response = client.post(
            f"/api/customers/{customer.pk}/links/", {"days": days}, format="json"
        )
        assert response.status_code == 400


def test_opening_links_fast_is_throttled_with_a_plain_page(client, anon, shop, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"link": "3/min"})
    _, customer = shop
    path = path_of(make_link(client, customer))
    statuses = [anon.get(path).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    page = anon.get(path)
    assert page["Content-Type"].startswith("text/html") and "Retry-After" in page
    assert StatementLink.objects.get().opened_count == 3


def test_the_signature_is_the_servers_own(shop, user, settings):
    _, customer = shop
    link = services.create_link(book=customer.book, customer=customer, by=user)
    token = services.token_of(link)
    settings.SECRET_KEY = "another-secret-key-of-another-server-0123456789"
    with pytest.raises(LinkUnavailable):
        services.link_of(token)


def test_a_clerk_makes_links_and_a_manager_revokes_them(shop, user):
    from books import members
    from books.models import Role

    _, customer = shop
    clerk = make_user("clerk")
    members.add_member(book=customer.book, user=clerk, role=Role.CLERK)
    links = f"/api/books/{customer.book_id}/customers/{customer.pk}/links/"
    made = client_for(clerk).post(links, {}, format="json")
    assert made.status_code == 201
    refused = client_for(clerk).delete(f"{links}{made.json()['id']}/")
    assert refused.status_code == 403 and "manager" in refused.json()["detail"]


def test_a_busy_customers_pdf_covers_the_longest_window_a_pdf_holds(
    client, anon, shop, settings, tmp_path
):
    settings.STATEMENT_PDF_MAX_ENTRIES = 2
    _, customer = shop
    hundred_days_ago = customer.book.today() - datetime.timedelta(days=100)
    for _ in range(3):  # too many for a year's PDF, none in the last quarter
        post(customer, "credit", "1.00", entry_date=hundred_days_ago)
    pdf = anon.get(path_of(make_link(client, customer)) + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    start = customer.book.today() - datetime.timedelta(days=89)
    assert format_date(start, format="medium", locale="en_IN") in text  # the last 90 days
