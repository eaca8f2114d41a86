"""The book routes (a user's books, one book's profile, archiving, its activity trail), and the
account routes that learn of books: registering opens the first book, and /api/auth/me/ names
the default one. A book's team (members, invitations, tokens) is in books.team."""

from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import views as accounts_views
from accounts.serializers import RegisteredSerializer
from books import members, selectors, services
from books.access import token_scope
from books.filters import ActivityFilter, BookFilter
from books.models import Activity, Book, Role
from books.serializers import (
    ActivitySerializer,
    BookRegisterSerializer,
    BookSerializer,
    MeSerializer,
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
        books = selectors.books_of(self.request.user)
        scope = token_scope(self.request)
        if scope is not None and scope.book_id is not None:
            books = books.filter(pk=scope.book_id)  # a token limited to a book sees it alone
        return books

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
                members.claim_invitation(membership=invitation, user=user)
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
