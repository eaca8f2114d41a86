"""Invitations by email to someone without an account: the job worker mails a code through a
real SMTP server; registering (or claiming, with an account) with it makes the invitation the
invitee's to accept."""

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from books.models import Membership
from jobs.worker import drain
from tests.factories import book_of, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(user):
    return book_of(user)


def invite(client, book, email="meena@example.com", role="clerk"):
    return client.post(
        f"/api/books/{book.pk}/members/", {"email": email, "role": role}, format="json"
    )


def code_in(message) -> str:
    return re.search(r"^([\w:-]{40,})\s*$", message.get_content(), re.M).group(1)


def register(body):
    return APIClient().post("/api/auth/register/", body, format="json")


def test_an_invitee_registers_with_the_mailed_code_then_accepts(client, book, inbox):
    make_customer(book, name="Ravi")
    invited = invite(client, book)
    assert invited.status_code == 201
    assert (invited.json()["username"], invited.json()["email"]) == (None, "meena@example.com")
    drain()
    (mail,) = inbox.wait_for(1)
    assert mail["To"] == "meena@example.com"
    assert mail["Subject"] == "asha invited you to asha on Mini Ledger"
    code = code_in(mail)
    assert f"?invitation={code}" in mail.get_content()  # the link carries it too
    registered = register(
        {"username": "meena", "password": "a-long-test-password-456", "invitation": code}
    )
    assert registered.status_code == 201, registered.json()
    meena = APIClient()
    meena.credentials(HTTP_AUTHORIZATION=f"Token {registered.json()['token']}")
    assert meena.get(f"/api/books/{book.pk}/customers/").status_code == 404  # not yet accepted
    (waiting,) = meena.get("/api/auth/invitations/").json()["results"]
    assert (waiting["book"]["id"], waiting["role"]) == (book.pk, "clerk")
    assert meena.post(f"/api/auth/invitations/{waiting['id']}/accept/").status_code == 200
    assert meena.get(f"/api/books/{book.pk}/customers/").json()["count"] == 1
    # Their own first book is still their default.
    assert meena.get("/api/auth/me/").json()["default_book"] != book.pk
    # The code is spent.
    again = register(
        {"username": "meena2", "password": "a-long-test-password-456", "invitation": code}
    )
    assert again.status_code == 400 and "invitation" in again.json()


def test_someone_with_an_account_claims_it(client, book, other_client, inbox):
    invite(client, book, email="bilal@work.example")
    drain()
    code = code_in(inbox.wait_for(1)[0])
    claimed = other_client.post("/api/auth/invitations/claim/", {"invitation": code}, format="json")
    assert claimed.status_code == 201 and claimed.json()["status"] == "invited"
    assert (
        other_client.post(f"/api/auth/invitations/{claimed.json()['id']}/accept/").status_code
        == 200
    )
    members = client.get(f"/api/books/{book.pk}/members/").json()["results"]
    assert {(m["username"], m["email"], m["status"]) for m in members} == {
        ("asha", "", "active"),
        ("bilal", "bilal@work.example", "active"),
    }


@pytest.mark.parametrize("code", ["", "made-up", "1:2:3"])
def test_a_bad_code_registers_no_one(code, book):
    response = register(
        {"username": "meena", "password": "a-long-test-password-456", "invitation": code}
    )
    assert response.status_code == 400 and "invitation" in response.json()
    assert not get_user_model().objects.filter(username="meena").exists()


def test_a_withdrawn_invitation_sends_nothing_and_its_code_is_void(client, book, inbox, settings):
    invited = invite(client, book).json()
    from books.members import invitation_code

    code = invitation_code(Membership.objects.get(pk=invited["id"]))
    assert client.delete(f"/api/books/{book.pk}/members/{invited['id']}/").status_code == 204
    drain()
    assert inbox.messages == []
    response = register(
        {"username": "meena", "password": "a-long-test-password-456", "invitation": code}
    )
    assert response.status_code == 400


def test_an_expired_code_is_refused(client, book, settings):
    from books.members import invitation_code

    code = invitation_code(Membership.objects.get(pk=invite(client, book).json()["id"]))
    settings.INVITATION_DAYS = -1
    response = register(
        {"username": "meena", "password": "a-long-test-password-456", "invitation": code}
    )
    assert response.status_code == 400


def test_the_same_address_is_invited_once(client, book):
    assert invite(client, book, email="Meena@Example.com").status_code == 201
    assert invite(client, book, email="meena@example.com").status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"role": "clerk"},
        {"username": "bilal", "email": "b@example.com", "role": "clerk"},
        {"email": "not an address", "role": "clerk"},
    ],
)
def test_an_invitation_names_a_username_or_an_email(client, book, other_user, body):
    response = client.post(f"/api/books/{book.pk}/members/", body, format="json")
    assert response.status_code == 400
    assert Membership.objects.filter(book=book).count() == 1
