"""Request and response shapes of the auth routes."""

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed

from accounts import services
from accounts.authentication import SESSION_CLAIM, claim_id
from accounts.models import AuthToken
from common.serializers import EmailTextField, TextField, UsernameField

User = get_user_model()

# Credentials are taken exactly as sent: registration keeps a password's spaces, so login and
# a password change must not trim them away.
PASSWORD = {"max_length": 128, "trim_whitespace": False, "write_only": True}


def check_new_password(password: str, user) -> None:
    """Apply Django's password validators, as a 400 on the field that carries the password."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(list(exc.messages)) from None


class RegisterSerializer(serializers.Serializer):
    """A new merchant: a username unique regardless of case, a password Django accepts."""

    username = UsernameField(
        r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={"invalid": "Use letters, digits and @/./+/-/_ only."},
    )
    password = TextField(**PASSWORD)
    email = EmailTextField(required=False, allow_blank=True, default="")

    def validate_username(self, value):
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs.get("email", ""))
        try:
            check_new_password(attrs["password"], candidate)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"password": exc.detail}) from None
        return attrs


class SessionSerializer(serializers.Serializer):
    """A new session: a JWT pair for JWT clients and an opaque token for Token clients."""

    access = serializers.CharField(help_text="Bearer access token; lives minutes.")
    refresh = serializers.CharField(help_text="Exchanged at refresh/ for a new access token.")
    token = serializers.CharField(
        help_text="Opaque token for `Authorization: Token <token>`; lives until revoked or "
        "unused for AUTH_TOKEN_IDLE_DAYS."
    )


class RegisteredSerializer(SessionSerializer):
    """The answer to a registration: the new account and its first session."""

    id = serializers.IntegerField()
    username = serializers.CharField()


class LoginSerializer(serializers.Serializer):
    """A username (any case) and password; answers the user, or a 401 for bad credentials."""

    username = TextField(max_length=150, trim_whitespace=False)
    password = TextField(**PASSWORD, style={"input_type": "password"})

    def validate(self, attrs):
        user = authenticate(
            self.context["request"], username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            raise AuthenticationFailed("No active account found with the given credentials")
        return {"user": user}


class RefreshSerializer(serializers.Serializer):
    refresh = TextField()


class RefreshResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(
        help_text="From /api/auth/: a new refresh token, and the one sent is now void. From the "
        "v1 routes: the same refresh token, usable again until it expires."
    )


class LogoutSerializer(serializers.Serializer):
    """Optionally, a refresh token of the caller's to end its session too."""

    refresh = TextField(required=False)

    def validate_refresh(self, value):
        """Answer the id of the refresh token's session."""
        try:
            refresh = services.read_refresh_token(value)
            owner, session = claim_id(refresh.get("user_id")), claim_id(refresh.get(SESSION_CLAIM))
        except AuthenticationFailed as exc:
            raise serializers.ValidationError(str(exc.detail)) from None
        if owner != self.context["request"].user.pk:
            raise serializers.ValidationError("This refresh token belongs to another user.")
        return session


class PasswordChangeSerializer(serializers.Serializer):
    old_password = TextField(**PASSWORD)
    new_password = TextField(**PASSWORD)

    def validate_old_password(self, value):
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError("The current password is not correct.")
        return value

    def validate_new_password(self, value):
        check_new_password(value, self.context["request"].user)
        return value


class PasswordResetSerializer(serializers.Serializer):
    email = EmailTextField(help_text="The email address of the account.")


class PasswordResetConfirmSerializer(serializers.Serializer):
    """A reset link's uid and token, and the new password; an altered, used or expired link
    is one error, which says nothing of the account."""

    uid = TextField(max_length=64)
    token = TextField(max_length=128)
    new_password = TextField(**PASSWORD)

    INVALID = "This reset link is invalid, used or expired; ask for a new one."

    def validate(self, attrs):
        user = services.user_of_reset_link(attrs["uid"], attrs["token"])
        if user is None:
            raise serializers.ValidationError({"token": [self.INVALID]})
        try:
            check_new_password(attrs["new_password"], user)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"new_password": exc.detail}) from None
        return {**attrs, "user": user}


class AuthTokenSerializer(serializers.ModelSerializer):
    """A credential of the caller's: a login session or a named token. Never its secret."""

    expires_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="The idle deadline: the token dies unless used before then (null: never).",
    )
    name = TextField(max_length=100)

    class Meta:
        model = AuthToken
        fields = ["id", "name", "kind", "created_at", "last_used_at", "expires_at"]
        read_only_fields = ["id", "kind", "created_at", "last_used_at"]


class AuthTokenCreatedSerializer(AuthTokenSerializer):
    """A named token just made: the only answer that carries its secret."""

    token = serializers.CharField(read_only=True, help_text="Shown this once; keep it safe.")

    class Meta(AuthTokenSerializer.Meta):
        fields = [*AuthTokenSerializer.Meta.fields, "token"]
