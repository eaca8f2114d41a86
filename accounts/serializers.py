"""Request and response shapes of the auth routes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from common.serializers import EmailTextField, TextField, UsernameField

User = get_user_model()


class RegisterSerializer(serializers.Serializer):
    """A new merchant: a username unique regardless of case, a password Django accepts."""

    username = UsernameField(
        r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={"invalid": "Use letters, digits and @/./+/-/_ only."},
    )
    password = TextField(write_only=True, max_length=128, trim_whitespace=False)
    email = EmailTextField(required=False, allow_blank=True, default="")

    def validate_username(self, value):
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs.get("email", ""))
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from None
        return attrs


class RegisteredSerializer(serializers.Serializer):
    """The answer to a registration: the new account and its first token pair."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginSerializer(TokenObtainPairSerializer):
    """SimpleJWT's login, also answering `token` (= access) for the v2 clients.

    Credentials are taken exactly as sent: registration keeps a password's spaces, so login
    must not trim them away (SimpleJWT's fields would).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = TextField(trim_whitespace=False)
        self.fields["password"] = TextField(
            trim_whitespace=False, write_only=True, style={"input_type": "password"}
        )

    def validate(self, attrs):
        data = super().validate(attrs)
        data["token"] = data["access"]
        return data


class LoginResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token = serializers.CharField(help_text="The access token again, for v2 clients.")


class RefreshResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(help_text="The new refresh token; the one sent is now void.")


class LogoutSerializer(serializers.Serializer):
    """The refresh token to void; it must be the caller's own."""

    refresh = TextField()

    def validate_refresh(self, value):
        try:
            token = RefreshToken(value)
        except TokenError as exc:
            raise serializers.ValidationError(str(exc)) from None
        user_id = token.payload.get("user_id")
        if str(user_id) != str(self.context["request"].user.pk):
            raise serializers.ValidationError("This refresh token belongs to another user.")
        return token


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email"]
