"""The merchant's user account and the credentials it signs in with."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class CaseInsensitiveUserManager(UserManager):
    """Look users up by username regardless of case, so "Asha" logs in as "asha"."""

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A merchant. Usernames are unique regardless of case."""

    objects = CaseInsensitiveUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]


def digest(secret: str) -> str:
    """The hash a token is stored and looked up by; the secret itself is never stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """A fresh opaque token: 256 random bits, URL-safe, no dots (so never mistaken for a JWT)."""
    return secrets.token_urlsafe(32)


def idle_limit() -> timedelta | None:
    """How long a credential may go unused before it dies; None when AUTH_TOKEN_IDLE_DAYS is 0."""
    days = settings.AUTH_TOKEN_IDLE_DAYS
    return timedelta(days=days) if days else None


class AuthTokenQuerySet(models.QuerySet):
    def live(self, *, now=None, **lookup):
        """Credentials not idle past AUTH_TOKEN_IDLE_DAYS, of users who are still active (and
        matching `lookup`): one filter, since every request of the API runs it."""
        limit = idle_limit()
        if limit is not None:
            lookup["last_used_at__gte"] = (now or timezone.now()) - limit
        return self.filter(user__is_active=True, **lookup)


class AuthToken(models.Model):
    """One way a user is signed in: a login session or a named token for an integration.

    A login (or a registration) makes a session: the opaque `token` it answers is this row's
    secret, and the JWTs it answers carry this row's id (`sid`), so ending the session ends all
    of them at once. `refresh_jti` names the session's one usable refresh token: rotating it
    moves this field, and a refresh token that is not the one named here is refused. A named
    token has only its secret. Deleting the row revokes everything it stood for.
    """

    class Kind(models.TextChoices):
        SESSION = "session", "Login session"
        INTEGRATION = "integration", "Named token for an integration"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_tokens"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    refresh_jti = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Written at most once an hour (see LAST_USE_PRECISION), not on every request.
    last_used_at = models.DateTimeField(default=timezone.now)

    objects = AuthTokenQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "kind"], name="accounts_token_user_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["session", "integration"]),
                name="accounts_authtoken_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} of user {self.user_id}"

    @property
    def expires_at(self):
        """The idle deadline: when the token dies unless it is used before then."""
        limit = idle_limit()
        return None if limit is None else self.last_used_at + limit
