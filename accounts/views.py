"""The auth routes: register, login, refresh, logout, password (and its reset) and tokens."""

from django.conf import settings
from django.contrib.auth import logout, update_session_auth_hash
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, tasks
from accounts.authentication import session_of
from accounts.models import AuthToken
from accounts.serializers import (
    AuthTokenCreatedSerializer,
    AuthTokenSerializer,
    LoginSerializer,
    LogoutSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RefreshResponseSerializer,
    RefreshSerializer,
    RegisteredSerializer,
    RegisterSerializer,
    SessionSerializer,
)
from common.schema import ERROR, ERRORS_400, ERRORS_401, ERRORS_404, ERRORS_429, LIST_ERRORS
from common.throttling import ScopedThrottle


class SessionStartView(APIView):
    """A route that answers a new session; `rotate=False` when mounted for the v1 clients."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    rotate = True

    def get_authenticate_header(self, request):
        # No authenticators here, yet bad credentials are a 401 (DRF would answer 403).
        return 'Bearer realm="api"'


class RegisterView(SessionStartView):
    """Create a merchant's account and answer its first session."""

    throttle_scope = "register"
    serializer_class = RegisterSerializer

    def register(self, **fields):
        """Create the account (a subclass adds what a new account starts with)."""
        return services.register_user(**fields)

    @extend_schema(
        request=RegisterSerializer,
        responses={201: RegisteredSerializer, **ERRORS_400, **ERRORS_429},
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = self.register(**serializer.validated_data)
        session = services.start_session(user, rotate=self.rotate)
        body = {"id": user.pk, "username": user.username, **session}
        return Response(body, status=status.HTTP_201_CREATED)


class LoginView(SessionStartView):
    """Exchange a username and password for a session: a JWT pair and an opaque token."""

    throttle_scope = "login"

    @extend_schema(
        request=LoginSerializer,
        responses={200: SessionSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_429},
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response(
            services.start_session(serializer.validated_data["user"], rotate=self.rotate)
        )


class RefreshView(SessionStartView):
    """Exchange a refresh token for a new access token (and, from /api/auth/, a new refresh
    token: the one sent can never be used again)."""

    throttle_scope = "refresh"

    @extend_schema(
        request=RefreshSerializer,
        responses={200: RefreshResponseSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_429},
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.refresh_session(serializer.validated_data["refresh"]))


class LogoutView(APIView):
    """End the caller's session: its access, refresh and opaque tokens never work again.

    A JWT client may send its refresh token; that session ends too.
    """

    limited_tokens_may = True  # a token limited to a book may still end itself

    @extend_schema(
        request=LogoutSerializer,
        responses={205: OpenApiResponse(description="Logged out."), **ERRORS_400, **ERRORS_401},
        tags=["auth"],
    )
    def post(self, request):
        serializer = LogoutSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        current = session_of(request)
        services.end_sessions(
            user=request.user, ids=[current, serializer.validated_data.get("refresh")]
        )
        if current is None:  # a browser's session login
            logout(request)
        return Response(status=status.HTTP_205_RESET_CONTENT)


class PasswordView(APIView):
    """Change the caller's password; every other session and token of theirs ends."""

    throttle_classes = [ScopedThrottle]
    throttle_scope = "login"  # guessing the old password is guessing a login

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={
            204: OpenApiResponse(description="Changed."),
            **ERRORS_400,
            **ERRORS_401,
            **ERRORS_429,
        },
        tags=["auth"],
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.change_password(
            user=request.user,
            new_password=serializer.validated_data["new_password"],
            keep=session_of(request),
        )
        if session_of(request) is None:  # keep the browser that changed it signed in
            update_session_auth_hash(request, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    """Ask for a password reset link by email. The answer is the same whether or not an
    account has the address: it says nothing of who has an account."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetSerializer,
        responses={
            202: OpenApiResponse(
                ERROR, description="The same answer whether or not an account has the email."
            ),
            **ERRORS_400,
            **ERRORS_429,
        },
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = settings.PASSWORD_RESET_URL or (
            request.build_absolute_uri(reverse("api:password-reset-confirm"))
            + "?uid={uid}&token={token}"
        )
        tasks.queue_password_resets(email=serializer.validated_data["email"], link=link)
        detail = "If an account has this email address, a reset link is on its way to it."
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    """Set a new password with a reset link's uid and token; every session and token of the
    account ends, and the link is spent."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "login"  # guessing a token is guessing a login

    @extend_schema(
        request=PasswordResetConfirmSerializer,
        responses={204: OpenApiResponse(description="Set."), **ERRORS_400, **ERRORS_429},
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.change_password(user=data["user"], new_password=data["new_password"], keep=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(responses={200: AuthTokenSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(
        request=AuthTokenSerializer,
        responses={201: AuthTokenCreatedSerializer, **ERRORS_400, **ERRORS_401},
    ),
    destroy=extend_schema(
        description="Revoke the token (or end the login session) for good.",
        responses={204: None, **ERRORS_401, **ERRORS_404},
    ),
)
@extend_schema(tags=["auth"])
class AuthTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's live credentials: login sessions and named tokens for integrations."""

    serializer_class = AuthTokenSerializer
    lookup_value_regex = "[0-9]+"  # ASCII digits: "٣" must not find row 3

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return AuthToken.objects.none()
        return (
            AuthToken.objects.live().filter(user=self.request.user).order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = services.create_token(user=request.user, **serializer.validated_data)
        body = {**AuthTokenSerializer(token).data, "token": secret}
        return Response(AuthTokenCreatedSerializer(body).data, status=status.HTTP_201_CREATED)
