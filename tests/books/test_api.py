"""Books: registering opens one, a user keeps several, each sees only its own customers,
entries, totals, statements, keys and jobs; the default book is what the routes without a book
act on; archiving and restoring."""

import datetime
from decimal import Decimal

import pytest

from books import services
from books.models import Book, Membership
from customers.models import Customer
from jobs import runner
from ledger.models import Entry, IdempotencyKey
from tests.factories import book_of, client_for, make_customer, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_book(user):
    """Asha's wholesale line: a second book of hers, not her default."""
    return services.create_book(owner=user, name="Asha Wholesale")


class TestRegistration:
    def test_registering_opens_the_first_book_from_the_settings_defaults(self, anon, settings):
        settings.DEFAULT_CURRENCY, settings.DEFAULT_LOCALE = "BDT", "bn-BD"
        settings.DEFAULT_TIME_ZONE = "Asia/Dhaka"
        body = {"username": "rina", "password": "a-long-test-password-123"}
        registered = anon.post("/api/auth/register/", body, format="json").json()
        anon.credentials(HTTP_AUTHORIZATION=f"Token {registered['token']}")
        me = anon.get("/api/auth/me/").json()
        books = anon.get("/api/books/").json()["results"]
        assert [b["id"] for b in books] == [me["default_book"]]
        assert books[0] | {"id": 0, "created_at": "", "updated_at": ""} == {
            "id": 0,
            "name": "rina",
            "address": "",
            "phone": "",
            "email": "",
            "currency": "BDT",
            "locale": "bn-BD",
            "time_zone": "Asia/Dhaka",
            "payment_details": "",
            "role": "owner",
            "archived": False,
            "created_at": "",
            "updated_at": "",
        }

    def test_a_registration_that_fails_opens_no_book(self, anon, user):
        body = {"username": "ASHA", "password": "a-long-test-password-123"}
        assert anon.post("/api/auth/register/", body, format="json").status_code == 400
        assert Book.objects.count() == 1  # asha's own


class TestBooks:
    def test_creating_a_book_makes_the_caller_its_owner_and_not_the_default(self, client, user):
        body = {"name": "Wholesale", "currency": "usd", "locale": "hi_IN", "time_zone": "UTC"}
        response = client.post("/api/books/", body, format="json")
        assert response.status_code == 201, response.json()
        made = response.json()
        assert (made["currency"], made["locale"], made["role"]) == ("USD", "hi-IN", "owner")
        assert Membership.objects.get(book_id=made["id"], user=user).role == "owner"
        assert client.get("/api/auth/me/").json()["default_book"] == book_of(user).pk

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("currency", "XYZ"),
            ("currency", "rupees"),
            ("locale", "xx-YY"),
            ("locale", "not a locale"),
            ("time_zone", "Mars/Olympus"),
            ("time_zone", "../etc/passwd"),
            ("name", ""),
            ("phone", "call me"),
        ],
    )
    def test_a_bad_profile_field_is_a_400_naming_it(self, client, field, value):
        body = {"name": "Wholesale", field: value}
        response = client.post("/api/books/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert Book.objects.count() == 1

    def test_the_owner_edits_the_profile(self, client, user):
        book = book_of(user)
        body = {"name": "Asha Stores", "payment_details": "asha@upi", "phone": "+91 98765 43210"}
        response = client.patch(f"/api/books/{book.pk}/", body, format="json")
        assert response.status_code == 200
        book.refresh_from_db()
        assert (book.name, book.payment_details) == ("Asha Stores", "asha@upi")

    def test_another_users_book_is_a_404_on_every_route(self, client, other_user):
        theirs = book_of(other_user)
        customer = make_customer(other_user)
        for path in [
            f"/api/books/{theirs.pk}/",
            f"/api/books/{theirs.pk}/customers/",
            f"/api/books/{theirs.pk}/customers/{customer.pk}/",
            f"/api/books/{theirs.pk}/entries/",
            f"/api/books/{theirs.pk}/summary/",
            f"/api/books/{theirs.pk}/jobs/",
            "/api/books/99999999/customers/",
        ]:
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.json() == {"detail": "No book matches the given query."}
        assert (
            client.patch(f"/api/books/{theirs.pk}/", {"name": "x"}, format="json").status_code
            == 404
        )
        assert book_of(other_user).name == "bilal"


class TestTwoBooksOfOneMerchant:
    def test_customers_entries_and_totals_stay_in_their_book(self, client, user, second_book):
        home = make_customer(user, name="Ravi")
        post(home, "credit", "10.00")
        made = client.post(
            f"/api/books/{second_book.pk}/customers/", {"name": "Wholesaler"}, format="json"
        )
        assert made.status_code == 201
        away = Customer.objects.get(pk=made.json()["id"])
        assert away.book == second_book
        entry = client.post(
            f"/api/books/{second_book.pk}/entries/",
            {"customer": away.pk, "type": "credit", "amount": "99.00"},
            format="json",
        )
        assert entry.status_code == 201 and entry.json()["created_by"] == "asha"

        def ids(path):
            return {row["id"] for row in client.get(path).json()["results"]}

        assert ids("/api/customers/") == {home.pk}
        assert ids(f"/api/books/{second_book.pk}/customers/") == {away.pk}
        assert ids("/api/entries/") == set(
            Entry.objects.filter(customer=home).values_list("pk", flat=True)
        )
        assert ids(f"/api/books/{second_book.pk}/entries/") == {entry.json()["id"]}
        assert client.get("/api/summary/").json()["total_receivable"] == "10.00"
        summary = client.get(f"/api/books/{second_book.pk}/summary/").json()
        assert summary["total_receivable"] == "99.00"
        # Each book's routes answer the other's customer and entry as missing.
        for path in [
            f"/api/customers/{away.pk}/",
            f"/api/customers/{away.pk}/statement/",
            f"/api/entries/{entry.json()['id']}/",
            f"/api/books/{second_book.pk}/customers/{home.pk}/summary/",
        ]:
            assert client.get(path).status_code == 404, path

    def test_posting_to_the_other_books_customer_is_a_400_and_writes_nothing(
        self, client, user, second_book
    ):
        away = make_customer(second_book, name="Wholesaler")
        response = client.post(
            "/api/entries/", {"customer": away.pk, "type": "credit", "amount": "1"}, format="json"
        )
        assert response.status_code == 400 and "customer" in response.json()
        assert not Entry.objects.exists()

    def test_an_idempotency_key_is_the_callers_own_within_each_book(
        self, client, user, second_book
    ):
        home, away = make_customer(user), make_customer(second_book)
        body = {"type": "credit", "amount": "5.00"}
        key = {"HTTP_IDEMPOTENCY_KEY": "same-key"}
        first = client.post(f"/api/customers/{home.pk}/entries/", body, format="json", **key)
        other = client.post(
            f"/api/books/{second_book.pk}/customers/{away.pk}/entries/", body, format="json", **key
        )
        assert first.status_code == other.status_code == 201
        assert "Idempotent-Replayed" not in other
        assert set(IdempotencyKey.objects.values_list("book_id", flat=True)) == {
            home.book_id,
            second_book.pk,
        }

    def test_jobs_are_seen_in_their_own_book_only(self, client, user, second_book):
        job = runner.start(tenant=second_book, user=user, kind="import", params={})
        assert client.get("/api/jobs/").json()["count"] == 0
        assert client.get(f"/api/jobs/{job.pk}/").status_code == 404
        listed = client.get(f"/api/books/{second_book.pk}/jobs/").json()["results"]
        assert [j["id"] for j in listed] == [job.pk]

    def test_today_is_the_books_day(self, client, user, second_book):
        """An entry without a date is dated today where the business is."""
        services.update_book(book=second_book, time_zone="Pacific/Kiritimati")  # UTC+14
        away = make_customer(second_book)
        response = client.post(
            f"/api/books/{second_book.pk}/customers/{away.pk}/entries/",
            {"type": "credit", "amount": "1"},
            format="json",
        )
        assert response.json()["entry_date"] == second_book.today().isoformat()
        assert (
            second_book.today()
            == datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=14))).date()
        )


class TestDefaultBook:
    def test_changing_the_default_moves_the_routes_without_a_book(self, client, user, second_book):
        away = make_customer(second_book, name="Wholesaler")
        response = client.patch(
            "/api/auth/me/", {"default_book": second_book.pk, "first_name": "Asha"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["default_book"] == second_book.pk
        assert response.json()["first_name"] == "Asha"
        assert [c["id"] for c in client.get("/api/customers/").json()["results"]] == [away.pk]
        assert Membership.objects.filter(user=user, is_default=True).get().book == second_book

    @pytest.mark.parametrize("value", [None, "x", -1, 99999999, "1.0", "\u0661", True])
    def test_a_default_that_is_not_ones_own_book_is_a_400(self, client, user, other_user, value):
        response = client.patch("/api/auth/me/", {"default_book": value}, format="json")
        assert response.status_code == 400 and "default_book" in response.json()
        theirs = client.patch(
            "/api/auth/me/", {"default_book": book_of(other_user).pk}, format="json"
        )
        assert theirs.status_code == 400
        assert book_of(user).name == "asha"

    def test_the_database_keeps_one_default_per_user(self, user, second_book):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.filter(book=second_book, user=user).update(is_default=True)


class TestArchiving:
    def test_the_default_book_cannot_be_archived(self, client, user):
        response = client.delete(f"/api/books/{book_of(user).pk}/")
        assert response.status_code == 409
        assert "default" in response.json()["detail"]
        assert book_of(user).archived_at is None

    def test_an_archived_book_reads_but_refuses_changes_until_restored(
        self, client, user, second_book
    ):
        away = make_customer(second_book)
        post(away, "credit", "3.00")
        assert client.delete(f"/api/books/{second_book.pk}/").status_code == 204
        listed = client.get("/api/books/").json()["results"]
        assert [b["id"] for b in listed] == [book_of(user).pk]
        archived = client.get("/api/books/?archived=true").json()["results"]
        assert [(b["id"], b["archived"]) for b in archived] == [(second_book.pk, True)]
        base = f"/api/books/{second_book.pk}"
        assert client.get(f"{base}/customers/{away.pk}/summary/").json()["balance"] == "3.00"
        refused = client.post(
            f"{base}/customers/{away.pk}/entries/", {"type": "credit", "amount": "1"}, format="json"
        )
        assert refused.status_code == 409 and "archived" in refused.json()["detail"]
        assert client.patch(f"{base}/", {"name": "x"}, format="json").status_code == 409
        assert client.post(f"{base}/restore/").json()["archived"] is False
        again = client.post(
            f"{base}/customers/{away.pk}/entries/", {"type": "credit", "amount": "1"}, format="json"
        )
        assert again.status_code == 201
        away.refresh_from_db()
        assert away.balance == Decimal("4.00")


def test_a_user_without_a_default_book_is_told_how_to_choose_one(user):
    Membership.objects.filter(user=user).update(is_default=False)
    response = client_for(user).get("/api/customers/")
    assert response.status_code == 404
    assert "default_book" in response.json()["detail"]
