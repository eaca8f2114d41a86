"""How a request proves who sent it: an opaque `Token`, or a JWT of a session that still exists."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import AuthToken, digest
from common.numbers import MAX_ID, whole_number

# The claim of our JWTs that names their session (services.py adds the rotation policy's).
SESSION_CLAIM = "sid"
# A credential's last use is written when the one on record is older than this: once an hour
# at most, so reads stay reads.
LAST_USE_PRECISION = timedelta(hours=1)


def find_live(**lookup) -> AuthToken:
    """The live credential matching `lookup`, with its user; note its use; else a 401."""
    # A slice rather than first(): no ORDER BY for a lookup that finds one row at most.
    token = next(iter(AuthToken.objects.live(**lookup).select_related("user")[:1]), None)
    if token is None:
        raise AuthenticationFailed(
            _("This credential was revoked, has expired, or its user is inactive."),
            code="token_not_valid",
        )
    note_use(token)
    return token


def note_use(token: AuthToken) -> None:
    """Record that the credential was just used, if the record is more than an hour old."""
    now = timezone.now()
    if now - token.last_used_at < LAST_USE_PRECISION:
        return
    # Conditional, so concurrent requests write it once between them.
    AuthToken.objects.filter(pk=token.pk, last_used_at__lt=now - LAST_USE_PRECISION).update(
        last_used_at=now
    )
    token.last_used_at = now


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <token>`: a session's or an integration's opaque token.

    request.auth is the AuthToken row. The token is looked up by its hash.
    """

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send `Authorization: Token <token>`, one token."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid token.")) from None
        token = find_live(digest=digest(secret))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class SessionJWTAuthentication(JWTAuthentication):
    """SimpleJWT's Bearer access tokens, honoured only while their session (`sid`) exists.

    request.auth is the access token; its `sid` names the session.
    """

    def get_user(self, validated_token):
        token = find_live(
            pk=claim_id(validated_token.get(SESSION_CLAIM)),
            user_id=claim_id(validated_token.get("user_id")),
        )
        return token.user


def claim_id(value) -> int:
    """A claim that must be an id: anything else (a forged or pre-session token) is a 401."""
    number = whole_number(str(value)) if isinstance(value, (int, str)) else None
    if isinstance(value, bool) or number is None or number > MAX_ID:
        raise AuthenticationFailed(_("This token belongs to no session; log in again."))
    return number


def session_of(request) -> int | None:
    """The id of the AuthToken the request was authenticated with (None for a browser session)."""
    auth = request.auth
    if isinstance(auth, AuthToken):
        return auth.pk
    if auth is not None and hasattr(auth, "get"):
        return claim_id(auth.get(SESSION_CLAIM))
    return None
