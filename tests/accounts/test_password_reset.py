"""A forgotten password: a reset link by email, sent by the job worker through a real SMTP
server; the link sets a new password once, and every session ends."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.services import start_session
from jobs.worker import drain
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-password-789"


@pytest.fixture
def asha():
    return make_user("asha", email="asha@example.com")


def ask(email, **extra):
    return APIClient(**extra).post("/api/auth/password/reset/", {"email": email}, format="json")


def confirm(link: str, password: str = NEW_PASSWORD, **changes):
    query = {key: values[0] for key, values in parse_qs(urlparse(link).query).items()}
    body = {"uid": query["uid"], "token": query["token"], "new_password": password, **changes}
    return APIClient().post("/api/auth/password/reset/confirm/", body, format="json")


def link_in(message) -> str:
    return re.search(r"http\S+", message.get_content()).group(0)


def login(password):
    body = {"username": "asha", "password": password}
    return APIClient().post("/api/auth/login/", body, format="json")


def test_a_reset_link_by_email_sets_a_new_password_once_and_ends_every_session(inbox, asha):
    session = start_session(asha)
    answer = ask("ASHA@example.com")
    assert answer.status_code == 202
    assert answer.json() == {
        "detail": "If an account has this email address, a reset link is on its way to it."
    }
    assert inbox.messages == []  # the job worker sends it
    assert drain() == 1
    [message] = inbox.wait_for(1)
    assert message["To"] == "asha@example.com"
    assert message["Subject"] == "Reset your Mini Ledger password"
    assert "asha" in message.get_content() and "60 minutes" in message.get_content()
    link = link_in(message)
    assert link.startswith("http://testserver/api/auth/password/reset/confirm/?uid=")

    weak = confirm(link, password="12345678")
    assert weak.status_code == 400 and "new_password" in weak.json()
    assert confirm(link).status_code == 204
    token = APIClient(HTTP_AUTHORIZATION=f"Token {session['token']}")
    assert token.get("/api/auth/me/").status_code == 401
    jwt = APIClient(HTTP_AUTHORIZATION=f"Bearer {session['access']}")
    assert jwt.get("/api/auth/me/").status_code == 401
    assert login(PASSWORD).status_code == 401
    assert login(NEW_PASSWORD).status_code == 200
    again = confirm(link, password="yet-another-password-012")
    assert again.status_code == 400
    assert again.json() == {
        "token": ["This reset link is invalid, used or expired; ask for a new one."]
    }


def test_an_unknown_address_gets_the_same_answer_and_no_mail(inbox, asha):
    answer = ask("nobody@example.com")
    assert answer.status_code == 202 and "on its way" in answer.json()["detail"]
    drain()
    assert inbox.messages == []


def test_an_account_without_a_password_or_inactive_gets_no_mail(inbox):
    no_password = make_user("nopass", email="same@example.com")
    no_password.set_unusable_password()
    no_password.save()
    make_user("inactive", email="same@example.com", is_active=False)
    assert ask("same@example.com").status_code == 202
    drain()
    assert inbox.messages == []


def test_every_account_with_the_address_gets_its_own_link(inbox):
    make_user("shop", email="owner@example.com")
    make_user("wholesale", email="owner@example.com")
    ask("owner@example.com")
    drain()
    mails = inbox.wait_for(2)
    assert sorted(re.search(r"account, (\w+)", m.get_content()).group(1) for m in mails) == [
        "shop",
        "wholesale",
    ]
    assert link_in(mails[0]) != link_in(mails[1])


@pytest.mark.parametrize(
    "alter",
    [
        lambda uid, token: (uid, token[:-2] + "zz"),
        lambda uid, token: ("Zm9v", token),  # another (non-)account's uid
        lambda uid, token: ("!!", token),
        lambda uid, token: (urlsafe_base64_encode(b"9" * 40), token),  # past any id column
        lambda uid, token: (urlsafe_base64_encode(b"-1"), token),
        lambda uid, token: (urlsafe_base64_encode(b"\xff\xfe"), token),  # not text
    ],
)
def test_an_altered_link_is_refused_and_changes_nothing(inbox, asha, alter):
    ask("asha@example.com")
    drain()
    query = parse_qs(urlparse(link_in(inbox.wait_for(1)[0])).query)
    uid, token = alter(query["uid"][0], query["token"][0])
    answer = confirm("http://x/?" + f"uid={uid}&token={token}")
    assert answer.status_code == 400 and list(answer.json()) == ["token"]
    assert login(PASSWORD).status_code == 200


def test_an_expired_link_is_refused(inbox, asha, settings):
    ask("asha@example.com")
    drain()
    link = link_in(inbox.wait_for(1)[0])
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert confirm(link).status_code == 400
    assert login(PASSWORD).status_code == 200


def test_the_link_goes_to_the_page_the_operator_names(inbox, asha, settings):
    settings.PASSWORD_RESET_URL = "https://app.example.com/reset/{uid}/{token}"
    ask("asha@example.com")
    drain()
    link = link_in(inbox.wait_for(1)[0])
    assert re.fullmatch(r"https://app\.example\.com/reset/[\w-]+/[\w-]+", link)


def test_asking_for_links_is_throttled_per_address(inbox, asha, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"password_reset": "2/min"})
    statuses = [ask("asha@example.com", REMOTE_ADDR="10.9.0.1").status_code for _ in range(3)]
    assert statuses == [202, 202, 429]
    assert ask("asha@example.com", REMOTE_ADDR="10.9.0.2").status_code == 202
