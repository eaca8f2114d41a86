"""The book routes (a user's books, one book's profile, archiving), and the account routes that
learn of books: registering opens the first book, and /api/auth/me/ names the default one."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import views as accounts_views
from accounts.serializers import RegisteredSerializer
from books import selectors, services
from books.filters import ActivityFilter, BookFilter
from books.models import Activity, Book, Membership, MembershipStatus, Role, TokenScope
from books.serializers import (
    ActivitySerializer,
    BookRegisterSerializer,
    BookSerializer,
    BookTokenCreatedSerializer,
    BookTokenSerializer,
    ClaimSerializer,
    InvitationSerializer,
    InviteSerializer,
    MemberSerializer,
    MeSerializer,
    PersonalTokenCreatedSerializer,
    PersonalTokenCreateSerializer,
    PersonalTokenSerializer,
)
from common.filters import KnownParametersFilter, StrictOrderingFilter
from common.schema import (
    ERRORS_400,
    ERRORS_401,
    ERRORS_403,
    ERRORS_404,
    ERRORS_409,
    ERRORS_429,
    LIST_ERRORS,
)
from common.scoping import TenantScopedMixin

BOOK_ERRORS = {**ERRORS_401, **ERRORS_403, **ERRORS_404}


@extend_schema_view(
    list=extend_schema(responses={200: BookSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(responses={201: BookSerializer, **ERRORS_400, **ERRORS_401}),
    retrieve=extend_schema(responses={200: BookSerializer, **BOOK_ERRORS}),
    partial_update=extend_schema(
        description="Change the book's profile (owners).",
        responses={200: BookSerializer, **ERRORS_400, **BOOK_ERRORS, **ERRORS_409},
    ),
    destroy=extend_schema(
        description=(
            "Archive the book (owners): it leaves the list and refuses changes until restored; "
            "nothing is destroyed. Your default book cannot be archived (409)."
        ),
        responses={204: None, **BOOK_ERRORS, **ERRORS_409},
    ),
)
@extend_schema(tags=["books"])
class BookViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's books: the businesses they are a member of, with their role in each."""

    serializer_class = BookSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3
    book_url_kwarg = "pk"  # the permission check finds the book, and the caller's role in it
    roles = {"retrieve": Role.VIEWER}  # every change of a book is its owners'
    archived_actions = ("restore",)
    filter_backends = [KnownParametersFilter, StrictOrderingFilter, DjangoFilterBackend]
    filterset_class = BookFilter
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Book.objects.none()
        return selectors.books_of(self.request.user)

    def get_object(self):
        book = self.request.tenant  # found, and the caller's role checked, by books.access
        book.role = self.request.role
        return book

    def perform_create(self, serializer):
        book = services.create_book(owner=self.request.user, **serializer.validated_data)
        book.role = Role.OWNER
        serializer.instance = book

    def perform_update(self, serializer):
        services.update_book(
            book=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.archive_book(book=instance, by=self.request.user)

    @extend_schema(request=None, responses={200: BookSerializer, **BOOK_ERRORS})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None, **kwargs):
        """Open an archived book again (owners)."""
        book = services.restore_book(book=self.get_object(), by=request.user)
        return Response(self.get_serializer(book).data, status=status.HTTP_200_OK)


@extend_schema_view(
    post=extend_schema(
        request=BookRegisterSerializer,
        responses={201: RegisteredSerializer, **ERRORS_400, **ERRORS_429},
        tags=["auth"],
        auth=[],
    )
)
class RegisterView(accounts_views.RegisterView):
    """Create an account with its first book (theirs, their default) and answer its first
    session; with an invitation code, the invitation waits in the new account's invitations."""

    serializer_class = BookRegisterSerializer

    def register(self, *, invitation=None, **fields):
        with transaction.atomic():
            user = super().register(**fields)
            services.create_first_book(user)
            if invitation is not None:
                services.claim_invitation(membership=invitation, user=user)
        return user


@extend_schema(methods=["GET"], responses={200: MeSerializer, **ERRORS_401}, tags=["auth"])
@extend_schema(
    methods=["PATCH"],
    responses={200: MeSerializer, **ERRORS_400, **ERRORS_401},
    tags=["auth"],
)
class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user: their name, email and default book."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        book = serializer.validated_data.pop("default_book", None)
        with transaction.atomic():
            serializer.save()
            if book is not None:
                services.set_default_book(user=self.request.user, book=book)


@extend_schema_view(
    list=extend_schema(responses={200: MemberSerializer(many=True), **LIST_ERRORS, **ERRORS_403}),
    retrieve=extend_schema(responses={200: MemberSerializer, **BOOK_ERRORS}),
    create=extend_schema(
        request=InviteSerializer,
        description="Invite a user by username (owners): they join when they accept.",
        responses={201: MemberSerializer, **ERRORS_400, **BOOK_ERRORS, **ERRORS_409},
    ),
    partial_update=extend_schema(
        description="Change a member's role (owners). The last owner cannot step down (409).",
        responses={200: MemberSerializer, **ERRORS_400, **BOOK_ERRORS, **ERRORS_409},
    ),
    destroy=extend_schema(
        description=(
            "Remove a member or withdraw an invitation (owners), or leave the book (any member, "
            "their own membership). The last owner cannot leave (409)."
        ),
        responses={204: None, **BOOK_ERRORS, **ERRORS_409},
    ),
)
@extend_schema(tags=["books"])
class MemberViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The book's members and the people invited to it, with their roles."""

    model = Membership
    serializer_class = MemberSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3
    roles = {"list": Role.MANAGER, "retrieve": Role.MANAGER}  # changes: the owners'

    def role_needed(self):
        # Anyone may leave: their own membership needs no more than being a member.
        if self.action == "destroy" and self.kwargs.get("pk") == str(self.request.membership.pk):
            return Role.VIEWER
        return None

    def scope(self, queryset):
        return queryset.select_related("user", "invited_by").order_by("pk")

    def create(self, request, *args, **kwargs):
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "email" in data:
            link = settings.INVITATION_URL or (
                request.build_absolute_uri(reverse("api:register")) + "?invitation={token}"
            )
            membership = services.invite_by_email(
                book=self.tenant, email=data["email"], role=data["role"], by=request.user, link=link
            )
        else:
            membership = services.invite(
                book=self.tenant, user=data["username"], role=data["role"], by=request.user
            )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        role = serializer.validated_data.get("role", serializer.instance.role)
        services.change_role(membership=serializer.instance, role=role, by=self.request.user)

    def perform_destroy(self, instance):
        services.remove_member(membership=instance, by=self.request.user)


@extend_schema_view(
    list=extend_schema(responses={200: InvitationSerializer(many=True), **LIST_ERRORS}),
)
@extend_schema(tags=["auth"])
class InvitationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's pending invitations to books."""

    serializer_class = InvitationSerializer
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Membership.objects.none()
        return (
            Membership.objects.filter(user=self.request.user, status=MembershipStatus.INVITED)
            .select_related("book", "invited_by")
            .order_by("-pk")
        )

    @extend_schema(request=None, responses={200: InvitationSerializer, **ERRORS_401, **ERRORS_404})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Join the book with the role offered."""
        membership = services.accept_invitation(membership=self.get_object())
        return Response(InvitationSerializer(membership).data)

    @extend_schema(
        request=ClaimSerializer, responses={201: InvitationSerializer, **ERRORS_400, **ERRORS_401}
    )
    @action(detail=False, methods=["post"])
    def claim(self, request):
        """Make an invitation by email yours, with the code its mail carries; then accept it."""
        serializer = ClaimSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.claim_invitation(
            membership=serializer.validated_data["invitation"], user=request.user
        )
        return Response(InvitationSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None, **ERRORS_401, **ERRORS_404})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Turn the invitation down."""
        services.decline_invitation(membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(responses={200: ActivitySerializer(many=True), **LIST_ERRORS, **ERRORS_403}),
)
@extend_schema(tags=["books"])
class ActivityViewSet(TenantScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The book's activity trail, newest first: every change to its customers, profile and
    members, who made it and when (owners and managers)."""

    model = Activity
    serializer_class = ActivitySerializer
    roles = {"list": Role.MANAGER}
    filter_backends = [KnownParametersFilter, DjangoFilterBackend]
    filterset_class = ActivityFilter

    def scope(self, queryset):
        return queryset.order_by("-id")


@extend_schema_view(
    list=extend_schema(responses={200: PersonalTokenSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(
        request=PersonalTokenCreateSerializer,
        description=(
            "A named token for an integration, acting as you; optionally limited to one book "
            "(routes without a book then act in it) and to a highest role. It dies with your "
            "membership of that book or your password. A limited token changes nothing outside "
            "its book (403)."
        ),
        responses={201: PersonalTokenCreatedSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_403},
    ),
    destroy=extend_schema(
        description="Revoke the token (or end the login session) for good.",
        responses={204: None, **ERRORS_401, **ERRORS_403, **ERRORS_404},
    ),
)
@extend_schema(tags=["auth"])
class PersonalTokenViewSet(accounts_views.AuthTokenViewSet):
    """The caller's live credentials (login sessions and named tokens), with each named token's
    limits."""

    serializer_class = PersonalTokenSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("scope")

    def create(self, request, *args, **kwargs):
        serializer = PersonalTokenCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, secret = services.create_personal_token(
            user=request.user, name=data["name"], book=data.get("book"), role=data.get("role", "")
        )
        body = PersonalTokenSerializer(token).data | {"token": secret}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        responses={200: BookTokenSerializer(many=True), **LIST_ERRORS, **ERRORS_403}
    ),
    create=extend_schema(
        description=(
            "A token that belongs to the book, for an integration (owners): it acts with its "
            "role (viewer, clerk or manager) in this book only, whoever joins or leaves, until "
            "an owner revokes it."
        ),
        responses={201: BookTokenCreatedSerializer, **ERRORS_400, **BOOK_ERRORS},
    ),
    destroy=extend_schema(
        description="Revoke the book token for good (owners).",
        responses={204: None, **BOOK_ERRORS},
    ),
)
@extend_schema(tags=["books"])
class BookTokenViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The book's tokens for integrations (owners)."""

    model = TokenScope
    serializer_class = BookTokenSerializer
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3
    roles = {"list": Role.OWNER}

    def scope(self, queryset):
        return (
            queryset.filter(book_token=True, token__isnull=False)
            .select_related("token__user")
            .order_by("-token_id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = services.create_book_token(
            book=self.tenant,
            name=serializer.validated_data["token"]["name"],
            role=serializer.validated_data["role"],
            by=request.user,
        )
        body = BookTokenSerializer(token.scope).data | {"token": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.revoke_book_token(scope=instance, by=self.request.user)
