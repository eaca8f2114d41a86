"""Writes for accounts: registering, signing in, refreshing, signing out, changing a password
and resetting a forgotten one."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.authentication import SESSION_CLAIM, claim_id, find_live
from accounts.models import AuthToken, digest, new_secret
from common.numbers import MAX_ID, whole_number

User = get_user_model()

# The claim our JWTs carry beside SimpleJWT's and the session's (SESSION_CLAIM): whether the
# refresh token rotates (true from /api/auth/; false from the v1 routes, whose clients reuse one).
ROTATE_CLAIM = "rot"


@transaction.atomic
def register_user(*, username: str, password: str, email: str = "") -> User:
    """Create a merchant's account; the caller has validated the username and password."""
    return User.objects.create_user(username=username, password=password, email=email)


def start_session(user: User, *, rotate: bool = True) -> dict[str, str]:
    """Sign the user in: a new session, answered as its JWT pair and its opaque token.

    `rotate=False` issues a refresh token that can be used again and again for its whole
    life, as the v1 clients expect; the policy travels in the token itself.
    """
    refresh = RefreshToken.for_user(user)
    secret = new_secret()
    session = AuthToken.objects.create(
        user=user,
        kind=AuthToken.Kind.SESSION,
        digest=digest(secret),
        refresh_jti=refresh["jti"],
    )
    refresh[SESSION_CLAIM] = session.pk
    refresh[ROTATE_CLAIM] = rotate
    return {"access": str(refresh.access_token), "refresh": str(refresh), "token": secret}


def read_refresh_token(raw: str) -> RefreshToken:
    """A refresh token whose signature and expiry hold, else a 401."""
    try:
        return RefreshToken(raw)
    except TokenError as exc:
        raise AuthenticationFailed(str(exc), code="token_not_valid") from None


def session_of_refresh(refresh: RefreshToken) -> AuthToken:
    """The live session whose one usable refresh token this is, else a 401."""
    return find_live(
        pk=claim_id(refresh.get(SESSION_CLAIM)),
        user_id=claim_id(refresh.get("user_id")),
        kind=AuthToken.Kind.SESSION,
        refresh_jti=refresh.get("jti"),
    )


def refresh_session(raw: str) -> dict[str, str]:
    """Exchange the session's refresh token for a new access token.

    A rotating session also answers a new refresh token and refuses the old one from then on.
    The swap is a conditional UPDATE, so of two concurrent refreshes with one token exactly one
    succeeds. A non-rotating (v1) session answers the same refresh token again.
    """
    refresh = read_refresh_token(raw)
    session = session_of_refresh(refresh)
    if not refresh.get(ROTATE_CLAIM, True):
        return {"access": str(refresh.access_token), "refresh": raw}
    used = refresh["jti"]
    refresh.set_jti()
    refresh.set_iat()
    refresh.set_exp()
    swapped = AuthToken.objects.filter(pk=session.pk, refresh_jti=used).update(
        refresh_jti=refresh["jti"], last_used_at=timezone.now()
    )
    if not swapped:
        raise AuthenticationFailed("This refresh token was already used.", code="token_not_valid")
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def end_sessions(*, user: User, ids) -> None:
    """Revoke these credentials of the user: their tokens and JWTs never work again."""
    AuthToken.objects.filter(user=user, pk__in=[i for i in ids if i is not None]).delete()


@transaction.atomic
def change_password(*, user: User, new_password: str, keep: int | None) -> None:
    """Set a new password and end every other session and token of the user (not `keep`)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    AuthToken.objects.filter(user=user).exclude(pk=keep).delete()


def reset_link(user: User, link: str) -> str:
    """The user's reset link: `link` with their uid and a token that works once, for
    PASSWORD_RESET_TIMEOUT seconds (Django's token generator: setting a password spends it)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return link.replace("{uid}", uid).replace("{token}", token)


def user_of_reset_link(uid: str, token: str) -> User | None:
    """The account a reset link was made for, if it is still good."""
    try:
        pk = whole_number(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, UnicodeDecodeError):  # not base64, or not text
        return None
    if pk is None or not 0 < pk <= MAX_ID:  # not an id an account can have
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def purge_expired_credentials() -> int:
    """Delete the credentials that can never work again; answer how many went."""
    live = AuthToken.objects.live().values("pk")
    deleted, _ = AuthToken.objects.exclude(pk__in=live).delete()
    return deleted


def create_token(*, user: User, name: str) -> tuple[AuthToken, str]:
    """A named token for an integration; answer it and its secret (shown this once)."""
    secret = new_secret()
    token = AuthToken.objects.create(
        user=user, kind=AuthToken.Kind.INTEGRATION, name=name, digest=digest(secret)
    )
    return token, secret
