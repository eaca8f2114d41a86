"""Sessions and tokens: named tokens, password changes, idle expiry, and dead users' tokens."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuthToken, digest
from tests.factories import PASSWORD, make_user

User = get_user_model()
pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-long-password-456"


def signed_in(username="asha", password=PASSWORD, route="/api/auth/login/"):
    """A fresh session: (the login answer, a client sending its opaque token)."""
    body = APIClient().post(route, {"username": username, "password": password}).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    return body, client


def bearer(tokens) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


class TestNamedTokens:
    def test_a_named_token_is_shown_once_and_works_until_deleted(self, user):
        _, client = signed_in()
        created = client.post("/api/auth/tokens/", {"name": "till at the counter"})
        assert created.status_code == 201
        body = created.json()
        assert set(body) == {
            "id", "name", "kind", "created_at", "last_used_at", "expires_at", "book", "role",
            "token",
        }  # fmt: skip
        assert (body["name"], body["kind"]) == ("till at the counter", "integration")
        assert (body["book"], body["role"]) == (None, None)  # not limited
        integration = APIClient()
        integration.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
        assert integration.get("/api/customers/").status_code == 200

        listed = client.get("/api/auth/tokens/").json()["results"]
        assert {t["kind"] for t in listed} == {"session", "integration"}
        assert all("token" not in t for t in listed)
        assert client.delete(f"/api/auth/tokens/{body['id']}/").status_code == 204
        assert integration.get("/api/customers/").status_code == 401

    def test_expires_at_is_the_idle_deadline(self, user):
        _, client = signed_in()
        body = client.post("/api/auth/tokens/", {"name": "sync"}).json()
        last_used = datetime.datetime.fromisoformat(body["last_used_at"])
        expires = datetime.datetime.fromisoformat(body["expires_at"])
        assert expires - last_used == datetime.timedelta(days=30)

    def test_another_users_token_is_not_found_and_survives(self, user, other_user):
        _, mine = signed_in()
        signed_in("bilal")
        their_id = AuthToken.objects.get(user=other_user).pk
        assert mine.delete(f"/api/auth/tokens/{their_id}/").status_code == 404
        assert AuthToken.objects.filter(pk=their_id).exists()
        assert [t["id"] for t in mine.get("/api/auth/tokens/").json()["results"]] != [their_id]

    @pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 5}, {"name": "x" * 101}])
    def test_a_token_needs_a_name(self, user, body):
        _, client = signed_in()
        response = client.post("/api/auth/tokens/", body, format="json")
        assert response.status_code == 400
        assert "name" in response.json()
        assert AuthToken.objects.count() == 1


class TestIdleExpiry:
    def test_a_token_unused_past_the_idle_days_is_refused(self, user):
        _, client = signed_in()
        old = timezone.now() - datetime.timedelta(days=30, minutes=1)
        AuthToken.objects.update(last_used_at=old)
        assert client.get("/api/auth/me/").status_code == 401

    def test_a_token_used_within_the_idle_days_works_and_its_use_is_recorded(self, user):
        _, client = signed_in()
        recent = timezone.now() - datetime.timedelta(days=29)
        AuthToken.objects.update(last_used_at=recent)
        assert client.get("/api/auth/me/").status_code == 200
        assert AuthToken.objects.get().last_used_at > timezone.now() - datetime.timedelta(minutes=1)

    @override_settings(AUTH_TOKEN_IDLE_DAYS=0)
    def test_idle_days_zero_means_never(self, user):
        _, client = signed_in()
        AuthToken.objects.update(last_used_at=timezone.now() - datetime.timedelta(days=3650))
        assert client.get("/api/auth/me/").status_code == 200
        assert client.get("/api/auth/tokens/").json()["results"][0]["expires_at"] is None

    def test_last_use_is_written_at_most_once_an_hour(self, user, django_assert_num_queries):
        _, client = signed_in()
        half_hour_ago = timezone.now() - datetime.timedelta(minutes=30)
        AuthToken.objects.update(last_used_at=half_hour_ago)
        with django_assert_num_queries(2):  # the token (with its user), the default book: no write
            assert client.get("/api/auth/me/").status_code == 200
        assert AuthToken.objects.get().last_used_at == half_hour_ago


class TestPasswordChange:
    def test_changing_the_password_ends_every_other_session_and_token(self, user):
        tokens, client = signed_in()
        other_tokens, other_token_client = signed_in()
        integration = client.post("/api/auth/tokens/", {"name": "sync"}).json()["token"]
        v1 = APIClient().post("/api/token/", {"username": "asha", "password": PASSWORD}).json()

        response = client.post(
            "/api/auth/password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
        )
        assert response.status_code == 204
        assert client.get("/api/auth/me/").status_code == 200, "the session that changed it"
        assert other_token_client.get("/api/auth/me/").status_code == 401
        assert bearer(other_tokens).get("/api/auth/me/").status_code == 401
        assert bearer(v1).get("/api/auth/me/").status_code == 401
        anon = APIClient()
        assert anon.post("/api/auth/refresh/", {"refresh": v1["refresh"]}).status_code == 401
        assert anon.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}).status_code == 200
        anon.credentials(HTTP_AUTHORIZATION=f"Token {integration}")
        assert anon.get("/api/auth/me/").status_code == 401
        assert signed_in(password=NEW_PASSWORD)[0]["token"]
        assert (
            APIClient()
            .post("/api/auth/login/", {"username": "asha", "password": PASSWORD})
            .status_code
            == 401
        )

    def test_a_jwt_client_keeps_its_own_session(self, user):
        tokens, _ = signed_in()
        client = bearer(tokens)
        body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
        assert client.post("/api/auth/password/", body).status_code == 204
        assert client.get("/api/auth/me/").status_code == 200

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"old_password": "wrong-password", "new_password": NEW_PASSWORD}, "old_password"),
            ({"old_password": PASSWORD, "new_password": "short"}, "new_password"),
            ({"old_password": PASSWORD, "new_password": "password123"}, "new_password"),
            ({"old_password": PASSWORD}, "new_password"),
        ],
    )
    def test_a_wrong_old_or_weak_new_password_changes_nothing(self, user, body, field):
        _, client = signed_in()
        signed_in()
        response = client.post("/api/auth/password/", body)
        assert response.status_code == 400
        assert field in response.json()
        user.refresh_from_db()
        assert user.check_password(PASSWORD)
        assert AuthToken.objects.count() == 2


AUTH_ROUTES = [
    ("get", "/api/auth/me/"),
    ("post", "/api/auth/logout/"),
    ("post", "/api/auth/password/"),
    ("get", "/api/auth/tokens/"),
    ("post", "/api/auth/tokens/"),
]


@pytest.mark.parametrize("fate", ["deleted", "deactivated"])
@pytest.mark.parametrize("credential", ["access", "token"])
def test_a_gone_users_credentials_are_a_401_on_every_auth_route(fate, credential):
    make_user("doomed")
    tokens, _ = signed_in("doomed")
    doomed = User.objects.get(username="doomed")
    if fate == "deleted":
        doomed.delete()
    else:
        User.objects.filter(pk=doomed.pk).update(is_active=False)
    client = APIClient()
    keyword = "Bearer" if credential == "access" else "Token"
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {tokens[credential]}")
    for method, path in AUTH_ROUTES:
        response = getattr(client, method)(path, {"name": "x"}, format="json")
        assert response.status_code == 401, (method, path)
        assert "detail" in response.json()
    anon = APIClient()
    for route in ["/api/auth/refresh/", "/api/token/refresh/"]:
        response = anon.post(route, {"refresh": tokens["refresh"]})
        assert response.status_code == 401
        assert "detail" in response.json()
    login = anon.post("/api/auth/login/", {"username": "doomed", "password": PASSWORD})
    assert login.status_code == 401


def test_the_database_refuses_a_second_token_with_the_same_hash(user):
    from django.db import IntegrityError, transaction

    signed_in()
    stored = AuthToken.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthToken.objects.create(user=user, kind="integration", name="copy", digest=stored.digest)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthToken.objects.create(user=user, kind="bogus", name="x", digest="0" * 64)


def test_purging_deletes_only_what_can_never_work_again(user, other_user):
    from django.core.management import call_command

    from common.models import ThrottleBucket
    from common.throttling import take

    _, alive = signed_in()
    signed_in("bilal")
    idle, _ = signed_in()
    AuthToken.objects.filter(digest=digest(idle["token"])).update(
        last_used_at=timezone.now() - datetime.timedelta(days=31)
    )
    User.objects.filter(pk=other_user.pk).update(is_active=False)
    take("spent", limit=10, period=0.001)
    take("counting", limit=10, period=3600)

    call_command("purge_expired_credentials", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert AuthToken.objects.count() == 1
    assert alive.get("/api/auth/me/").status_code == 200
    kept = set(ThrottleBucket.objects.values_list("key", flat=True))
    assert "counting" in kept and "spent" not in kept
