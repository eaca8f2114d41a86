"""Members and invitations: the owner invites by username, the invitee accepts or declines, roles
change, members leave or are removed, and a book always keeps an owner."""

import pytest

from books import members, services
from books.models import Membership, Role
from tests.factories import book_of, client_for, make_customer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(user):
    return book_of(user)


def invite(client, book, username, role="clerk"):
    return client.post(
        f"/api/books/{book.pk}/members/", {"username": username, "role": role}, format="json"
    )


class TestInvitations:
    def test_an_invitee_sees_nothing_until_accepting_then_acts_in_their_role(
        self, client, book, other_user, other_client
    ):
        customer = make_customer(book, name="Ravi")
        response = invite(client, book, "BILAL", "clerk")  # usernames are case-insensitive
        assert response.status_code == 201
        member = response.json()
        assert (member["username"], member["role"], member["status"]) == (
            "bilal",
            "clerk",
            "invited",
        )
        assert member["invited_by"] == "asha"
        assert other_client.get(f"/api/books/{book.pk}/customers/").status_code == 404
        pending = other_client.get("/api/auth/invitations/").json()["results"]
        assert [(i["id"], i["book"]["name"], i["role"]) for i in pending] == [
            (member["id"], "asha", "clerk")
        ]
        accepted = other_client.post(f"/api/auth/invitations/{member['id']}/accept/")
        assert accepted.status_code == 200 and accepted.json()["status"] == "active"
        assert other_client.get("/api/auth/invitations/").json()["count"] == 0
        base = f"/api/books/{book.pk}"
        assert other_client.get(f"{base}/customers/").json()["count"] == 1
        posted = other_client.post(
            f"{base}/customers/{customer.pk}/entries/",
            {"type": "credit", "amount": "12.50"},
            format="json",
        )
        assert posted.status_code == 201 and posted.json()["created_by"] == "bilal"
        reverse = other_client.post(f"{base}/entries/{posted.json()['id']}/reverse/")
        assert reverse.status_code == 403
        assert "manager" in reverse.json()["detail"]
        # Their own book is still their default: joining another does not move it.
        assert other_client.get("/api/auth/me/").json()["default_book"] == book_of(other_user).pk

    def test_declining_removes_the_invitation(self, client, book, other_client):
        member = invite(client, book, "bilal").json()
        assert (
            other_client.post(f"/api/auth/invitations/{member['id']}/decline/").status_code == 204
        )
        assert not Membership.objects.filter(pk=member["id"]).exists()
        assert other_client.get(f"/api/books/{book.pk}/").status_code == 404

    def test_only_the_invitee_answers_an_invitation(self, client, book, other_user):
        member = invite(client, book, "bilal").json()
        stranger = client_for(make_user("chand"))
        assert stranger.post(f"/api/auth/invitations/{member['id']}/accept/").status_code == 404
        assert client.post(f"/api/auth/invitations/{member['id']}/accept/").status_code == 404
        assert Membership.objects.get(pk=member["id"]).status == "invited"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"username": "nobody", "role": "clerk"}, "username"),
            ({"username": "bilal", "role": "boss"}, "role"),
            ({"role": "clerk"}, "username"),
        ],
    )
    def test_a_bad_invitation_is_a_400(self, client, book, other_user, body, field):
        response = client.post(f"/api/books/{book.pk}/members/", body, format="json")
        assert response.status_code == 400 and field in response.json()
        assert Membership.objects.count() == 2  # asha's and bilal's own books

    def test_inviting_a_member_again_is_a_409(self, client, book, other_user):
        assert invite(client, book, "bilal").status_code == 201
        assert invite(client, book, "bilal").status_code == 409
        assert invite(client, book, "asha").status_code == 409


class TestRolesAndLeaving:
    @pytest.fixture
    def clerk(self, book, other_user):
        return members.add_member(book=book, user=other_user, role=Role.CLERK)

    def test_the_owner_changes_a_role(self, client, book, clerk, other_client):
        url = f"/api/books/{book.pk}/members/{clerk.pk}/"
        assert client.patch(url, {"role": "manager"}, format="json").json()["role"] == "manager"
        listed = other_client.get(f"/api/books/{book.pk}/members/").json()["results"]
        assert {(m["username"], m["role"]) for m in listed} == {
            ("asha", "owner"),
            ("bilal", "manager"),
        }

    def test_the_last_owner_can_neither_step_down_nor_leave(self, client, book, user):
        mine = Membership.objects.get(book=book, user=user)
        url = f"/api/books/{book.pk}/members/{mine.pk}/"
        stepped = client.patch(url, {"role": "manager"}, format="json")
        assert stepped.status_code == 409 and "owner" in stepped.json()["detail"]
        assert client.delete(url).status_code == 409
        assert Membership.objects.get(pk=mine.pk).role == "owner"

    def test_ownership_passes_then_the_old_owner_may_step_down(
        self, client, book, user, clerk, other_client
    ):
        url = f"/api/books/{book.pk}/members"
        made = client.patch(f"{url}/{clerk.pk}/", {"role": "owner"}, format="json")
        assert made.status_code == 200
        mine = Membership.objects.get(book=book, user=user)
        stepped = client.patch(f"{url}/{mine.pk}/", {"role": "viewer"}, format="json")
        assert stepped.status_code == 200
        # Now a viewer: changing roles is the owners' again.
        refused = client.patch(f"{url}/{clerk.pk}/", {"role": "clerk"}, format="json")
        assert refused.status_code == 403

    def test_any_member_may_leave_and_is_refused_at_once(self, book, clerk, other_client):
        url = f"/api/books/{book.pk}"
        assert other_client.get(f"{url}/customers/").status_code == 200
        assert other_client.delete(f"{url}/members/{clerk.pk}/").status_code == 204
        assert other_client.get(f"{url}/customers/").status_code == 404

    def test_a_clerk_cannot_remove_another_member(self, book, user, clerk, other_client):
        mine = Membership.objects.get(book=book, user=user)
        response = other_client.delete(f"/api/books/{book.pk}/members/{mine.pk}/")
        assert response.status_code == 403
        assert Membership.objects.filter(pk=mine.pk).exists()

    def test_a_removed_member_is_refused_at_once_with_every_credential(
        self, client, book, clerk, other_user
    ):
        from accounts.services import create_token

        _, secret = create_token(user=other_user, name="integration")
        bearer, token = client_for(other_user), client_for(other_user)
        token.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        for member in (bearer, token):
            assert member.get(f"/api/books/{book.pk}/summary/").status_code == 200
        assert client.delete(f"/api/books/{book.pk}/members/{clerk.pk}/").status_code == 204
        for member in (bearer, token):
            assert member.get(f"/api/books/{book.pk}/summary/").status_code == 404

    def test_leaving_ones_default_book_makes_another_the_default(self, user, other_user):
        shop = services.create_book(owner=other_user, name="Bilal's shop")
        members.add_member(book=shop, user=user, role=Role.CLERK)
        members.add_member(book=book_of(user), user=other_user, role=Role.OWNER)
        mine = Membership.objects.get(book=book_of(user), user=user)
        members.remove_member(membership=mine)
        assert book_of(user) == shop


def test_a_member_reads_the_same_after_a_patch(client, user):
    """Every field is there in every answer, the inviter too (null for a book's first owner)."""
    mine = Membership.objects.get(book=book_of(user), user=user)
    url = f"/api/books/{mine.book_id}/members/{mine.pk}/"
    read = client.get(url).json()
    patched = client.patch(url, {}, format="json").json()
    assert patched == read and read["invited_by"] is None
