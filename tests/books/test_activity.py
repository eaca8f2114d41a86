"""The activity trail: every change to a book's customers, profile and members is recorded
(who, when, before and after), newest first, filterable, and append-only in the database."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from books import members, services
from books.models import Activity, Role
from tests.factories import book_of, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(user):
    return book_of(user)


def trail(client, book, query=""):
    response = client.get(f"/api/books/{book.pk}/activity/{query}")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_a_customers_life_is_recorded_newest_first(client, book):
    made = client.post(
        "/api/customers/", {"name": "Ravi", "phone": "+91 98765 43210"}, format="json"
    )
    customer = made.json()["id"]
    client.patch(f"/api/customers/{customer}/", {"name": "Ravi Kumar"}, format="json")
    client.patch(f"/api/customers/{customer}/", {"name": "Ravi Kumar"}, format="json")  # no change
    client.delete(f"/api/customers/{customer}/")
    client.post(f"/api/customers/{customer}/restore/")
    rows = [r for r in trail(client, book) if r["object_type"] == "customer"]
    assert [(r["action"], r["actor"], r["object_id"]) for r in rows] == [
        ("customer.restored", "asha", customer),
        ("customer.archived", "asha", customer),
        ("customer.updated", "asha", customer),
        ("customer.created", "asha", customer),
    ]
    assert rows[2]["changes"] == {"name": ["Ravi", "Ravi Kumar"]}
    assert rows[3]["changes"] == {
        "name": [None, "Ravi"],
        "phone": [None, "+91 98765 43210"],
        "address": [None, ""],
        "email": [None, ""],
        "kind": [None, "customer"],
        "locale": [None, ""],
        "credit_limit_policy": [None, "warn"],
        "payment_terms_days": [None, 0],
        "reminders_enabled": [None, True],
    }
    assert rows[1]["changes"] == {"archived": [False, True]}
    assert set(rows[0]) == {"id", "at", "actor", "action", "object_type", "object_id", "changes"}


def test_members_and_the_profile_are_recorded(client, book, other_user, other_client):
    member = client.post(
        f"/api/books/{book.pk}/members/", {"username": "bilal", "role": "clerk"}, format="json"
    ).json()
    other_client.post(f"/api/auth/invitations/{member['id']}/accept/")
    client.patch(
        f"/api/books/{book.pk}/members/{member['id']}/", {"role": "manager"}, format="json"
    )
    client.patch(f"/api/books/{book.pk}/", {"name": "Asha Stores"}, format="json")
    other_client.delete(f"/api/books/{book.pk}/members/{member['id']}/")
    rows = trail(client, book)
    assert [(r["action"], r["actor"], r["changes"]) for r in rows[:5]] == [
        (
            "member.left",
            "bilal",
            {"username": ["bilal", None], "role": ["manager", None], "status": ["active", None]},
        ),
        ("book.updated", "asha", {"name": ["asha", "Asha Stores"]}),
        (
            "member.role_changed",
            "asha",
            {"username": ["bilal", "bilal"], "role": ["clerk", "manager"]},
        ),
        (
            "member.joined",
            "bilal",
            {"username": ["bilal", "bilal"], "status": ["invited", "active"]},
        ),
        (
            "member.invited",
            "asha",
            {"username": [None, "bilal"], "role": [None, "clerk"], "status": [None, "invited"]},
        ),
    ]
    # The book's own opening is its first record.
    assert [r["action"] for r in rows[-2:]] == ["member.joined", "book.created"]


def test_a_refused_change_records_nothing(client, book):
    before = Activity.objects.count()
    customer = client.post("/api/customers/", {"name": "Ravi"}, format="json").json()["id"]
    assert (
        client.patch(f"/api/customers/{customer}/", {"phone": "call me"}, format="json").status_code
        == 400
    )
    assert client.delete(f"/api/books/{book.pk}/").status_code == 409  # the default book
    assert Activity.objects.count() == before + 1  # the customer's creation only


class TestFilters:
    @pytest.fixture
    def history(self, client, book, other_user):
        members.add_member(book=book, user=other_user, role=Role.MANAGER)
        bilal = client_for(other_user)
        client.post("/api/customers/", {"name": "One"}, format="json")
        bilal.post(f"/api/books/{book.pk}/customers/", {"name": "Two"}, format="json")

    def test_by_actor_and_action(self, client, book, history):
        rows = trail(client, book, "?actor=BILAL&action=customer.created")
        assert [(r["actor"], r["changes"]["name"][1]) for r in rows] == [("bilal", "Two")]

    def test_by_days_in_the_books_time_zone(self, client, book, history):
        services.update_book(book=book, time_zone="Pacific/Kiritimati")  # UTC+14
        today = book.today()
        assert len(trail(client, book, f"?start_date={today}&end_date={today}")) >= 2
        yesterday = today - datetime.timedelta(days=1)
        assert trail(client, book, f"?end_date={yesterday}") == []

    @pytest.mark.parametrize(
        "query",
        [
            "?action=customer.deleted",
            "?start_date=2026-13-01",
            "?start_date=2026-02-02&end_date=2026-02-01",
            "?actor=",
            "?who=asha",
        ],
    )
    def test_a_bad_filter_is_a_400(self, client, book, query):
        assert client.get(f"/api/books/{book.pk}/activity/{query}").status_code == 400


def test_each_book_has_its_own_trail(client, user, book):
    second = services.create_book(owner=user, name="Wholesale")
    client.post(f"/api/books/{second.pk}/customers/", {"name": "Gupta"}, format="json")
    assert all(r["changes"].get("name", [None, None])[1] != "Gupta" for r in trail(client, book))
    assert any(r["action"] == "customer.created" for r in trail(client, second))


def test_a_clerk_may_not_read_the_trail(book, other_user):
    members.add_member(book=book, user=other_user, role=Role.CLERK)
    response = client_for(other_user).get(f"/api/books/{book.pk}/activity/")
    assert response.status_code == 403 and "manager" in response.json()["detail"]


def test_the_database_refuses_to_change_a_record(client, book):
    client.post("/api/customers/", {"name": "Ravi"}, format="json")
    record = Activity.objects.filter(book=book).latest("id")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Activity.objects.filter(pk=record.pk).update(actor_name="someone else")
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE books_activity SET changes = '{}' WHERE id = %s", [record.pk])
    record.refresh_from_db()
    assert record.actor_name == "asha"


def test_records_keep_the_name_of_who_made_them(client, book, user):
    client.post("/api/customers/", {"name": "Ravi"}, format="json")
    user.username = "asha_renamed"  # (the admin may rename an account)
    user.save()
    assert trail(client, book)[0]["actor"] == "asha"


def test_the_trail_outlives_a_deleted_account(client, book, other_user):
    members.add_member(book=book, user=other_user, role=Role.CLERK)
    bilal = client_for(other_user)
    bilal.post(f"/api/books/{book.pk}/customers/", {"name": "Ravi"}, format="json")
    other_user.delete()
    assert trail(client, book)[0]["actor"] == "bilal"
