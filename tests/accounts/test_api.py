"""Register, login, refresh, logout, me; and every protected route without a good token."""

import datetime
import hashlib

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import AuthToken
from jobs import runner
from tests.factories import PASSWORD, access_token, book_of, make_user, post
from tests.routes import PROTECTED_ROUTES

User = get_user_model()
pytestmark = pytest.mark.django_db


def login(client, username="asha", password=PASSWORD):
    return client.post("/api/auth/login/", {"username": username, "password": password})


class TestRegister:
    def test_registering_answers_the_account_and_a_token_pair(self, anon):
        response = anon.post(
            "/api/auth/register/",
            {"username": "meera", "password": "correct horse battery", "email": "m@example.com"},
        )
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "username", "access", "refresh", "token"}
        user = User.objects.get(pk=body["id"])
        assert (user.username, user.email) == ("meera", "m@example.com")
        assert AccessToken(body["access"])["user_id"] == str(user.pk)
        for header in (f"Bearer {body['access']}", f"Token {body['token']}"):
            assert anon.get("/api/auth/me/", HTTP_AUTHORIZATION=header).json()["id"] == user.pk

    def test_usernames_are_unique_regardless_of_case(self, anon, user):
        response = anon.post(
            "/api/auth/register/", {"username": "ASHA", "password": "correct horse battery"}
        )
        assert response.status_code == 400
        assert "username" in response.json()
        assert User.objects.count() == 1

    @pytest.mark.parametrize(
        ("password", "reason"),
        [("short1", "too short"), ("password123", "too common"), ("83749218374", "numeric")],
    )
    def test_django_password_validators_apply(self, anon, password, reason):
        response = anon.post("/api/auth/register/", {"username": "meera", "password": password})
        assert response.status_code == 400
        assert reason in " ".join(response.json()["password"])
        assert not User.objects.exists()

    def test_password_similar_to_username_is_refused(self, anon):
        response = anon.post(
            "/api/auth/register/", {"username": "meerakhan", "password": "meerakhan1"}
        )
        assert response.status_code == 400
        assert "password" in response.json()

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"password": "correct horse battery"}, "username"),
            ({"username": "meera"}, "password"),
            ({"username": "", "password": "correct horse battery"}, "username"),
            ({"username": "has space", "password": "correct horse battery"}, "username"),
            ({"username": "x" * 151, "password": "correct horse battery"}, "username"),
            ({"username": ["a"], "password": "correct horse battery"}, "username"),
            ({"username": "meera", "password": "correct horse battery", "email": "no"}, "email"),
        ],
    )
    def test_bad_registration_is_a_field_level_400(self, anon, body, field):
        response = anon.post("/api/auth/register/", body)
        assert response.status_code == 400
        assert field in response.json()
        assert not User.objects.exists()

    def test_malformed_json_is_a_400(self, anon):
        response = anon.post(
            "/api/auth/register/", data="{not json", content_type="application/json"
        )
        assert response.status_code == 400
        assert "detail" in response.json()


class TestLogin:
    def test_login_answers_access_refresh_and_token(self, anon, user):
        response = login(anon)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"access", "refresh", "token"}
        assert body["token"] != body["access"] and "." not in body["token"]
        assert AccessToken(body["access"])["sid"] == AuthToken.objects.get().pk

    def test_a_password_with_spaces_at_its_ends_logs_in_as_registered(self, anon):
        password = "  spaced out password  "
        registered = anon.post("/api/auth/register/", {"username": "meera", "password": password})
        assert registered.status_code == 201
        assert login(anon, username="meera", password=password).status_code == 200
        assert login(anon, username="meera", password=password.strip()).status_code == 401

    def test_a_blank_password_is_a_401_not_a_crash(self, anon, user):
        assert login(anon, password=" ").status_code == 401

    def test_login_ignores_the_case_of_the_username(self, anon, user):
        assert login(anon, username="ASHA").status_code == 200

    def test_bad_credentials_are_a_401(self, anon, user):
        response = login(anon, password="wrong-password")
        assert response.status_code == 401
        assert "detail" in response.json()

    def test_missing_fields_are_a_400(self, anon):
        response = anon.post("/api/auth/login/", {})
        assert response.status_code == 400
        assert set(response.json()) == {"username", "password"}

    def test_v1_token_route_is_the_same_login(self, anon, user):
        response = anon.post("/api/token/", {"username": "asha", "password": PASSWORD})
        assert response.status_code == 200
        refreshed = anon.post("/api/token/refresh/", {"refresh": response.json()["refresh"]})
        assert refreshed.status_code == 200

    @pytest.mark.parametrize(("keyword", "field"), [("Bearer", "access"), ("Token", "token")])
    def test_each_credential_authenticates_with_its_keyword(self, anon, user, keyword, field):
        anon.credentials(HTTP_AUTHORIZATION=f"{keyword} {login(anon).json()[field]}")
        response = anon.get("/api/auth/me/")
        assert response.status_code == 200
        assert response.json() == {
            "id": user.pk,
            "username": "asha",
            "first_name": "",
            "last_name": "",
            "email": "",
            "default_book": book_of(user).pk,
        }

    @pytest.mark.parametrize(("keyword", "field"), [("Bearer", "token"), ("Token", "access")])
    def test_a_credential_under_the_other_keyword_is_refused(self, anon, user, keyword, field):
        anon.credentials(HTTP_AUTHORIZATION=f"{keyword} {login(anon).json()[field]}")
        assert anon.get("/api/auth/me/").status_code == 401

    def test_the_opaque_token_is_stored_only_as_its_hash(self, anon, user):
        token = login(anon).json()["token"]
        stored = AuthToken.objects.get()
        assert token not in {stored.digest, stored.name, stored.refresh_jti}
        assert stored.digest == hashlib.sha256(token.encode()).hexdigest()


class TestRefreshAndLogout:
    def test_refresh_rotates_and_the_old_refresh_token_is_refused_forever(self, anon, user):
        first = login(anon).json()["refresh"]
        response = anon.post("/api/auth/refresh/", {"refresh": first})
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"access", "refresh"} and body["refresh"] != first
        again = anon.post("/api/auth/refresh/", {"refresh": first})
        assert again.status_code == 401
        assert anon.post("/api/auth/refresh/", {"refresh": body["refresh"]}).status_code == 200

    def test_a_v1_refresh_token_is_reused_for_its_whole_life(self, anon, user):
        tokens = anon.post("/api/token/", {"username": "asha", "password": PASSWORD}).json()
        for route in ["/api/token/refresh/", "/api/token/refresh/", "/api/auth/refresh/"]:
            response = anon.post(route, {"refresh": tokens["refresh"]})
            assert response.status_code == 200
            assert response.json()["refresh"] == tokens["refresh"]
            bearer = f"Bearer {response.json()['access']}"
            assert anon.get("/api/auth/me/", HTTP_AUTHORIZATION=bearer).status_code == 200

    def test_an_api_auth_refresh_token_rotates_on_the_v1_route_too(self, anon, user):
        first = login(anon).json()["refresh"]
        assert anon.post("/api/token/refresh/", {"refresh": first}).status_code == 200
        assert anon.post("/api/token/refresh/", {"refresh": first}).status_code == 401

    def test_a_forged_non_rotating_claim_is_refused(self, anon, user):
        tokens = login(anon).json()
        forged = jwt.decode(tokens["refresh"], options={"verify_signature": False})
        forged["rot"] = False
        raw = jwt.encode(forged, "some-other-signing-key-that-is-long-enough", algorithm="HS256")
        assert anon.post("/api/auth/refresh/", {"refresh": raw}).status_code == 401

    @pytest.mark.parametrize("send_refresh", [True, False])
    def test_logout_ends_the_session_access_token_included(self, anon, user, send_refresh):
        tokens = login(anon).json()
        anon.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        body = {"refresh": tokens["refresh"]} if send_refresh else {}
        assert anon.post("/api/auth/logout/", body).status_code == 205
        assert anon.get("/api/auth/me/").status_code == 401
        assert anon.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
        anon.credentials(HTTP_AUTHORIZATION=f"Token {tokens['token']}")
        assert anon.get("/api/auth/me/").status_code == 401

    def test_logout_with_a_token_ends_that_token_only(self, anon, user):
        mine, elsewhere = login(anon).json(), login(anon).json()
        anon.credentials(HTTP_AUTHORIZATION=f"Token {mine['token']}")
        assert anon.post("/api/auth/logout/").status_code == 205
        assert anon.get("/api/auth/me/").status_code == 401
        anon.credentials(HTTP_AUTHORIZATION=f"Token {elsewhere['token']}")
        assert anon.get("/api/auth/me/").status_code == 200

    def test_logging_out_another_users_refresh_token_is_refused(self, anon, user, other_user):
        theirs = login(anon, username="bilal").json()["refresh"]
        anon.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}")
        response = anon.post("/api/auth/logout/", {"refresh": theirs})
        assert response.status_code == 400
        assert "refresh" in response.json()
        assert APIClient().post("/api/auth/refresh/", {"refresh": theirs}).status_code == 200

    def test_a_jwt_of_no_session_is_refused(self, anon, user):
        anon.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        assert anon.get("/api/auth/me/").status_code == 401
        stray = str(RefreshToken.for_user(user))
        assert anon.post("/api/auth/refresh/", {"refresh": stray}).status_code == 401

    def test_logout_with_a_garbage_token_is_a_400(self, client):
        response = client.post("/api/auth/logout/", {"refresh": "garbage"})
        assert response.status_code == 400

    def test_an_access_token_is_not_a_refresh_token(self, anon, user):
        response = anon.post("/api/auth/refresh/", {"refresh": access_token(user)})
        assert response.status_code == 401

    def test_access_tokens_live_minutes(self, user):
        lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
        assert datetime.timedelta(minutes=1) <= lifetime <= datetime.timedelta(minutes=60)

    def test_concurrent_refreshes_with_one_token_rotate_it_once(self, anon, user):
        """The swap is conditional: the second of two refreshes racing with one token loses."""
        from accounts import services

        first = login(anon).json()["refresh"]
        services.refresh_session(first)
        with pytest.raises(AuthenticationFailed):
            services.refresh_session(first)
        assert AuthToken.objects.count() == 1


def forged_tokens(user):
    now = datetime.datetime.now(tz=datetime.UTC)
    claims = {"token_type": "access", "user_id": str(user.pk), "jti": "x" * 32}
    expired = AccessToken.for_user(user)
    expired.set_exp(from_time=now - datetime.timedelta(hours=2), lifetime=datetime.timedelta(0))
    return {
        "garbage": "not-a-jwt",
        "expired": str(expired),
        "other key": jwt.encode(
            {**claims, "exp": now + datetime.timedelta(minutes=5)},
            "some-other-signing-key-that-is-long-enough",
            algorithm="HS256",
        ),
        "alg none": jwt.encode(
            {**claims, "exp": now + datetime.timedelta(minutes=5)}, None, algorithm="none"
        ),
    }


@pytest.fixture
def route_ids(user):
    from tests.factories import make_customer

    customer = make_customer(user)
    entry = post(customer)
    job = runner.start(tenant=book_of(user), user=user, kind="import", params={})
    return {"c": customer.pk, "e": entry.pk, "j": job.pk}


@pytest.mark.parametrize(("method", "path"), PROTECTED_ROUTES)
def test_every_protected_route_refuses_no_token_and_bad_tokens(user, route_ids, method, path):
    url = path.format(**route_ids)
    client = APIClient()
    assert getattr(client, method)(url).status_code == 401, "no token"
    for name, token in forged_tokens(user).items():
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = getattr(client, method)(url)
        assert response.status_code == 401, name
        assert "detail" in response.json()


def test_a_good_token_does_get_in(user, route_ids):
    """The 401s above are about the token: the same routes answer a real one."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}")
    assert client.get(f"/api/customers/{route_ids['c']}/").status_code == 200


def test_a_deactivated_users_live_access_token_stops_working_at_once(user):
    token = access_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/auth/me/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/auth/me/").status_code == 401


def test_a_deleted_users_token_is_refused(db):
    doomed = make_user("doomed")
    token = access_token(doomed)
    doomed.delete()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/auth/me/").status_code == 401


class TestSessionLogin:
    def test_browsable_api_works_after_a_session_login_with_csrf(self, user):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        page = browser.get("/api-auth/login/")
        assert page.status_code == 200
        csrf = page.cookies["csrftoken"].value
        response = browser.post(
            "/api-auth/login/",
            {"username": "asha", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        )
        assert response.status_code == 302
        listing = browser.get("/api/customers/", HTTP_ACCEPT="text/html")
        assert listing.status_code == 200
        assert b"Customer" in listing.content

        # Session-authenticated writes need the CSRF token, as usual.
        refused = browser.post("/api/customers/", {"name": "X"}, content_type="application/json")
        assert refused.status_code == 403
        allowed = browser.post(
            "/api/customers/",
            {"name": "X"},
            content_type="application/json",
            HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
        )
        assert allowed.status_code == 201

    def test_logout_ends_a_browser_session_too(self, user):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        csrf = browser.get("/api-auth/login/").cookies["csrftoken"].value
        browser.post(
            "/api-auth/login/",
            {"username": "asha", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        )
        token = browser.cookies["csrftoken"].value
        response = browser.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 205
        assert browser.get("/api/auth/me/").status_code == 401


class TestThrottling:
    @pytest.fixture(autouse=True)
    def tight_rates(self, monkeypatch):
        from django.core.cache import cache

        cache.clear()
        rates = {"login": "3/min", "register": "2/min", "refresh": "3/min"}
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
        yield
        cache.clear()

    def test_login_is_throttled_per_client_address_with_retry_after(self, user):
        client = APIClient(REMOTE_ADDR="10.0.0.1")
        statuses = [login(client, password="wrong").status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        response = login(client)
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert "detail" in response.json()
        # Another address has its own allowance.
        assert login(APIClient(REMOTE_ADDR="10.0.0.2")).status_code == 200

    def test_x_forwarded_for_does_not_pick_a_new_bucket(self, user):
        client = APIClient(REMOTE_ADDR="10.0.0.3")
        for _ in range(3):
            login(client, password="wrong")
        spoofed = client.post(
            "/api/auth/login/",
            {"username": "asha", "password": PASSWORD},
            HTTP_X_FORWARDED_FOR="192.0.2.77",
        )
        assert spoofed.status_code == 429

    def test_register_is_throttled(self):
        client = APIClient(REMOTE_ADDR="10.0.0.4")
        bodies = [{"username": f"user{n}", "password": "correct horse battery"} for n in range(3)]
        statuses = [client.post("/api/auth/register/", b).status_code for b in bodies]
        assert statuses == [201, 201, 429]

    def test_refresh_is_throttled(self, user):
        client = APIClient(REMOTE_ADDR="10.0.0.5")
        statuses = [
            client.post("/api/auth/refresh/", {"refresh": "garbage"}).status_code for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
