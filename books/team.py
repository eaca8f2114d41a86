"""A book's team: its members and invitations (and the caller's own invitations), and the tokens
integrations use (the caller's personal ones, and a book's own)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import views as accounts_views
from books import members, tasks, tokens
from books.models import Membership, MembershipStatus, Role, TokenScope
from books.serializers import (
    BookTokenCreatedSerializer,
    BookTokenSerializer,
    ClaimSerializer,
    InvitationSerializer,
    InviteSerializer,
    MemberSerializer,
    PersonalTokenCreatedSerializer,
    PersonalTokenCreateSerializer,
    PersonalTokenSerializer,
)
from common.schema import (
    ERRORS_400,
    ERRORS_401,
    ERRORS_403,
    ERRORS_404,
    ERRORS_409,
    LIST_ERRORS,
)
from common.scoping import TenantScopedMixin

BOOK_ERRORS = {**ERRORS_401, **ERRORS_403, **ERRORS_404}


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
            with transaction.atomic():  # the invitation and its mail, together or not at all
                membership = members.invite_by_email(
                    book=self.tenant, email=data["email"], role=data["role"], by=request.user
                )
                tasks.queue_invitation(membership, link)
        else:
            membership = members.invite(
                book=self.tenant, user=data["username"], role=data["role"], by=request.user
            )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        role = serializer.validated_data.get("role", serializer.instance.role)
        members.change_role(membership=serializer.instance, role=role, by=self.request.user)

    def perform_destroy(self, instance):
        members.remove_member(membership=instance, by=self.request.user)


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
        membership = members.accept_invitation(membership=self.get_object())
        return Response(InvitationSerializer(membership).data)

    @extend_schema(
        request=ClaimSerializer, responses={201: InvitationSerializer, **ERRORS_400, **ERRORS_401}
    )
    @action(detail=False, methods=["post"])
    def claim(self, request):
        """Make an invitation by email yours, with the code its mail carries; then accept it."""
        serializer = ClaimSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = members.claim_invitation(
            membership=serializer.validated_data["invitation"], user=request.user
        )
        return Response(InvitationSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None, **ERRORS_401, **ERRORS_404})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Turn the invitation down."""
        members.decline_invitation(membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        token, secret = tokens.create_personal_token(
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
        token, secret = tokens.create_book_token(
            book=self.tenant,
            name=serializer.validated_data["token"]["name"],
            role=serializer.validated_data["role"],
            by=request.user,
        )
        body = BookTokenSerializer(token.scope).data | {"token": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        tokens.revoke_book_token(scope=instance, by=self.request.user)
