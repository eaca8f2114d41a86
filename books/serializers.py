"""Request and response shapes of the book routes and of the caller's account with its books."""

from functools import cache
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import AuthTokenSerializer, RegisterSerializer
from books.exceptions import InvalidInvitation
from books.members import invitation_of_code
from books.models import Activity, Book, Membership, Role, TokenScope
from books.selectors import books_of
from common.scoping import WholeIdRelatedField
from common.serializers import EmailTextField, TextField, phone_validator


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class BookSerializer(serializers.ModelSerializer):
    """A book's profile, and the caller's role in it."""

    name = TextField(max_length=255)
    address = TextField(max_length=500, required=False, allow_blank=True)
    phone = TextField(max_length=32, required=False, allow_blank=True, validators=[phone_validator])
    email = EmailTextField(max_length=254, required=False, allow_blank=True)
    currency = TextField(
        max_length=3, required=False, help_text="ISO 4217, e.g. INR (default: DEFAULT_CURRENCY)."
    )
    locale = TextField(
        max_length=35, required=False, help_text="BCP 47, e.g. en-IN (default: DEFAULT_LOCALE)."
    )
    time_zone = TextField(
        max_length=64,
        required=False,
        help_text="IANA, e.g. Asia/Kolkata (default: DEFAULT_TIME_ZONE); its days are the book's.",
    )
    payment_details = TextField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="How customers pay: a UPI id or bank details, printed on statements.",
    )
    role = serializers.ChoiceField(
        choices=Role.choices, read_only=True, help_text="The caller's role in the book."
    )
    archived = serializers.BooleanField(source="is_archived", read_only=True)

    class Meta:
        model = Book
        fields = [
            "id",
            "name",
            "address",
            "phone",
            "email",
            "currency",
            "locale",
            "time_zone",
            "payment_details",
            "role",
            "archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_currency(self, value: str) -> str:
        code = value.upper()
        if code not in list_currencies():
            raise serializers.ValidationError("Use an ISO 4217 currency code, e.g. INR.")
        return code

    def validate_locale(self, value: str) -> str:
        return known_locale(value)

    def validate_time_zone(self, value: str) -> str:
        if value not in time_zones():
            raise serializers.ValidationError("Use an IANA time zone, e.g. Asia/Kolkata.")
        return value


class MyBookField(WholeIdRelatedField):
    """One of the caller's books, by id."""

    def get_queryset(self):
        return books_of(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class DefaultBookField(MyBookField):
    """The user's default book, by id; chosen among the books they are an active member of."""

    def use_pk_only_optimization(self):
        return False

    def get_attribute(self, user):
        membership = Membership.objects.filter(user=user, is_default=True).only("book_id").first()
        return membership and Book(pk=membership.book_id)


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user, and the book their routes without a book act on."""

    first_name = TextField(max_length=150, required=False, allow_blank=True)
    last_name = TextField(max_length=150, required=False, allow_blank=True)
    email = EmailTextField(max_length=254, required=False, allow_blank=True)
    default_book = DefaultBookField(
        required=False,
        allow_null=True,
        help_text="The book /api/customers/, /api/entries/, /api/summary/ (and the v1 and v2 "
        "routes) act on: one of the caller's books.",
    )

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "email", "default_book"]
        read_only_fields = ["id", "username"]

    def validate_default_book(self, book):
        if book is None:
            raise serializers.ValidationError("Choose one of your books.")
        return book


class MemberSerializer(serializers.ModelSerializer):
    """A member of the book (or someone invited to it) and their role."""

    username = serializers.CharField(
        source="user.username",
        read_only=True,
        allow_null=True,
        help_text="Null for an invitation by email nobody has claimed yet.",
    )
    email = serializers.CharField(
        read_only=True, help_text="Where an invitation by email went (else empty)."
    )
    invited_by = serializers.CharField(
        source="invited_by.username", read_only=True, allow_null=True
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "status", "invited_by", "created_at"]
        read_only_fields = ["id", "status", "created_at"]


class InviteSerializer(serializers.Serializer):
    """Whom to invite, by username or, for someone without an account yet, by email; and with
    which role."""

    username = TextField(max_length=150, required=False)
    email = EmailTextField(max_length=254, required=False)
    role = serializers.ChoiceField(choices=Role.choices)

    def validate(self, attrs):
        if ("username" in attrs) == ("email" in attrs):
            raise serializers.ValidationError(
                {"username": ["Give a username, or an email for someone without an account."]}
            )
        return attrs

    def validate_username(self, value):
        try:
            user = get_user_model().objects.get_by_natural_key(value)
        except get_user_model().DoesNotExist:
            user = None
        # A book token's account has no password and belongs to its own book alone.
        if user is None or not user.is_active or not user.has_usable_password():
            raise serializers.ValidationError("No user has this username.")
        return user


class BookBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "name"]


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation to a book, as its invitee sees it."""

    book = BookBriefSerializer(read_only=True)
    invited_by = serializers.CharField(
        source="invited_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = Membership
        fields = ["id", "book", "role", "status", "invited_by", "created_at"]
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    """One change to the book: who made it, when, and each field's value before and after."""

    actor = serializers.CharField(
        source="actor_name", help_text="The username of who made it (empty: the system)."
    )
    changes = serializers.DictField(
        child=serializers.ListField(allow_empty=False, min_length=2, max_length=2),
        help_text="{field: [before, after]}.",
    )

    class Meta:
        model = Activity
        fields = ["id", "at", "actor", "action", "object_type", "object_id", "changes"]
        read_only_fields = fields


class PersonalTokenSerializer(AuthTokenSerializer):
    """A credential of the caller's, with the limits a named token may carry."""

    book = serializers.IntegerField(
        source="scope.book_id",
        read_only=True,
        allow_null=True,
        help_text="The one book it acts in (null: any of yours).",
    )
    role = serializers.ChoiceField(
        source="scope.role",
        choices=Role.choices,
        read_only=True,
        allow_null=True,
        allow_blank=True,
        help_text="The highest role it acts with (null or empty: yours).",
    )

    class Meta(AuthTokenSerializer.Meta):
        fields = [*AuthTokenSerializer.Meta.fields, "book", "role"]


class PersonalTokenCreateSerializer(serializers.Serializer):
    """A named token to make: its name, and optionally the one book it acts in and the highest
    role it acts with (never more than the caller's own there)."""

    name = TextField(max_length=100)
    book = MyBookField(queryset=Book.objects.none(), required=False, allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class PersonalTokenCreatedSerializer(PersonalTokenSerializer):
    """A named token just made: the only answer that carries its secret."""

    token = serializers.CharField(read_only=True, help_text="Shown this once; keep it safe.")

    class Meta(PersonalTokenSerializer.Meta):
        fields = [*PersonalTokenSerializer.Meta.fields, "token"]


BOOK_TOKEN_ROLES = [(role, label) for role, label in Role.choices if role != Role.OWNER]


class BookTokenSerializer(serializers.ModelSerializer):
    """A book's token for an integration: its name, role and the account it acts as."""

    id = serializers.IntegerField(source="token_id", read_only=True)
    name = TextField(source="token.name", max_length=100)
    role = serializers.ChoiceField(choices=BOOK_TOKEN_ROLES)
    username = serializers.CharField(
        source="token.user.username",
        read_only=True,
        help_text="What its entries' created_by and the activity trail call it.",
    )
    created_at = serializers.DateTimeField(source="token.created_at", read_only=True)
    last_used_at = serializers.DateTimeField(source="token.last_used_at", read_only=True)
    expires_at = serializers.DateTimeField(
        source="token.expires_at",
        read_only=True,
        allow_null=True,
        help_text="The idle deadline: the token dies unless used before then (null: never).",
    )

    class Meta:
        model = TokenScope
        fields = ["id", "name", "role", "username", "created_at", "last_used_at", "expires_at"]


class BookTokenCreatedSerializer(BookTokenSerializer):
    """A book token just made: the only answer that carries its secret."""

    token = serializers.CharField(read_only=True, help_text="Shown this once; keep it safe.")

    class Meta(BookTokenSerializer.Meta):
        fields = [*BookTokenSerializer.Meta.fields, "token"]


class ClaimSerializer(serializers.Serializer):
    """The code of an invitation by email, to make it the caller's."""

    invitation = TextField(max_length=500, help_text="The code the invitation mail carries.")

    def validate_invitation(self, code):
        try:
            return invitation_of_code(code)
        except InvalidInvitation as exc:
            raise serializers.ValidationError(exc.message) from None


class BookRegisterSerializer(RegisterSerializer):
    """A new account; with an invitation code, the invitation waits in its invitations."""

    invitation = TextField(
        max_length=500, required=False, help_text="An invitation mail's code, if one brought you."
    )

    def validate_invitation(self, code):
        return ClaimSerializer().validate_invitation(code)


def known_locale(value: str) -> str:
    """A BCP 47 locale Babel knows, in its canonical spelling (en-IN); else a 400."""
    try:
        locale = Locale.parse(value.replace("_", "-"), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        raise serializers.ValidationError("Use a known locale, e.g. en-IN or hi-IN.") from None
    return "-".join(part for part in (locale.language, locale.script, locale.territory) if part)
