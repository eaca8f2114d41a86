"""Named tokens limited to a book and a role, and book tokens that belong to the book."""

import pytest
from rest_framework.test import APIClient

from books import members, services
from books.models import Activity, Role
from tests.factories import book_of, client_for, make_customer

pytestmark = pytest.mark.django_db


def with_token(secret) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def wholesale(user):
    return services.create_book(owner=user, name="Wholesale")


class TestPersonalTokenLimits:
    def test_a_token_limited_to_a_book_and_a_role_acts_there_with_that_role(
        self, client, user, wholesale
    ):
        customer = make_customer(wholesale, name="Gupta")
        made = client.post(
            "/api/auth/tokens/",
            {"name": "reader", "book": wholesale.pk, "role": "viewer"},
            format="json",
        )
        assert made.status_code == 201
        assert (made.json()["book"], made.json()["role"]) == (wholesale.pk, "viewer")
        reader = with_token(made.json()["token"])
        # The routes without a book act in the token's book, not the default one.
        assert [c["id"] for c in reader.get("/api/customers/").json()["results"]] == [customer.pk]
        assert reader.get(f"/api/books/{book_of(user).pk}/customers/").status_code == 404
        refused = reader.post(
            f"/api/customers/{customer.pk}/entries/",
            {"type": "credit", "amount": "1"},
            format="json",
        )
        assert refused.status_code == 403
        assert refused.json()["detail"] == (
            "This needs the clerk role in this book or a higher one; yours is viewer "
            "(this token's limit)."
        )
        customer.refresh_from_db()
        assert customer.entry_count == 0

    def test_a_limited_token_changes_nothing_outside_its_book(self, client, wholesale):
        secret = client.post(
            "/api/auth/tokens/", {"name": "till", "book": wholesale.pk}, format="json"
        ).json()["token"]
        till = with_token(secret)
        assert till.get("/api/auth/me/").status_code == 200
        listed = till.get("/api/books/").json()["results"]
        assert [b["id"] for b in listed] == [wholesale.pk]  # not the user's other books
        for path, body in [
            ("/api/auth/tokens/", {"name": "escape"}),
            ("/api/books/", {"name": "Mine now"}),
        ]:
            assert till.post(path, body, format="json").status_code == 403
        assert till.patch("/api/auth/me/", {"first_name": "x"}, format="json").status_code == 403
        assert till.post("/api/auth/logout/").status_code == 205  # it may end itself
        assert till.get("/api/auth/me/").status_code == 401

    def test_a_limited_token_dies_with_its_users_membership(self, user, other_user, wholesale):
        members.add_member(book=wholesale, user=other_user, role=Role.CLERK)
        bilal = client_for(other_user)
        limited = bilal.post(
            "/api/auth/tokens/", {"name": "shop", "book": wholesale.pk}, format="json"
        ).json()["token"]
        anywhere = bilal.post("/api/auth/tokens/", {"name": "any"}, format="json").json()["token"]
        assert with_token(limited).get("/api/customers/").status_code == 200
        mine = wholesale.memberships.get(user=other_user)
        members.remove_member(membership=mine, by=user)
        assert with_token(limited).get("/api/customers/").status_code == 401
        # An unlimited token lives on, for the user's other books, and cannot see this one.
        assert with_token(anywhere).get(f"/api/books/{wholesale.pk}/").status_code == 404
        assert with_token(anywhere).get("/api/customers/").status_code == 200

    def test_a_book_that_is_not_the_callers_is_a_400(self, client, other_user):
        response = client.post(
            "/api/auth/tokens/", {"name": "x", "book": book_of(other_user).pk}, format="json"
        )
        assert response.status_code == 400 and "book" in response.json()


class TestBookTokens:
    def make(self, client, book, role="clerk", name="Shop till"):
        return client.post(
            f"/api/books/{book.pk}/tokens/", {"name": name, "role": role}, format="json"
        )

    def test_a_book_token_acts_in_its_book_and_its_entries_name_it(self, client, wholesale):
        made = self.make(client, wholesale)
        assert made.status_code == 201
        body = made.json()
        assert body["username"].startswith("token:shop-till:")
        till = with_token(body["token"])
        customer = make_customer(wholesale, name="Gupta")
        posted = till.post(
            f"/api/customers/{customer.pk}/entries/",
            {"type": "credit", "amount": "9.99"},
            format="json",
        )
        assert posted.status_code == 201 and posted.json()["created_by"] == body["username"]
        assert till.post(f"/api/entries/{posted.json()['id']}/reverse/").status_code == 403
        listed = client.get(f"/api/books/{wholesale.pk}/tokens/").json()["results"]
        assert [(t["id"], t["name"], t["role"]) for t in listed] == [
            (body["id"], "Shop till", "clerk")
        ]
        assert all("token" not in t for t in listed)

    def test_it_survives_staff_changes_until_an_owner_revokes_it(
        self, client, user, other_user, wholesale
    ):
        members.add_member(book=wholesale, user=other_user, role=Role.OWNER)
        body = self.make(client, wholesale).json()
        till = with_token(body["token"])
        mine = wholesale.memberships.get(user=user)
        members.remove_member(membership=mine, by=user)  # its maker leaves the book
        assert till.get("/api/customers/").status_code == 200
        bilal = client_for(other_user)
        assert bilal.delete(f"/api/books/{wholesale.pk}/tokens/{body['id']}/").status_code == 204
        assert till.get("/api/customers/").status_code == 401
        actions = Activity.objects.filter(book=wholesale, object_type="authtoken")
        assert sorted(actions.values_list("action", "actor_name")) == [
            ("token.created", "asha"),
            ("token.revoked", "bilal"),
        ]

    def test_its_account_cannot_sign_in_be_invited_or_leave_its_book(self, client, user, wholesale):
        body = self.make(client, wholesale).json()
        anon = APIClient()
        login = anon.post(
            "/api/auth/login/", {"username": body["username"], "password": ""}, format="json"
        )
        assert login.status_code in (400, 401)
        invite = client.post(
            f"/api/books/{book_of(user).pk}/members/",
            {"username": body["username"], "role": "viewer"},
            format="json",
        )
        assert invite.status_code == 400
        till = with_token(body["token"])
        assert till.post("/api/books/", {"name": "Its own"}, format="json").status_code == 403

    @pytest.mark.parametrize("role", ["owner", "boss", ""])
    def test_a_book_token_is_at_most_a_manager(self, client, wholesale, role):
        response = self.make(client, wholesale, role=role)
        assert response.status_code == 400 and "role" in response.json()


def test_a_token_id_past_any_column_is_a_404(client, wholesale):
    url = f"/api/books/{wholesale.pk}/tokens/737519221075511777917781/"
    assert client.delete(url).status_code == 404
