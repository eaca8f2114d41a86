"""The auth routes: register, login, refresh, logout and me."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import services
from accounts.serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    LogoutSerializer,
    MeSerializer,
    RefreshResponseSerializer,
    RegisteredSerializer,
    RegisterSerializer,
)
from common.schema import ERRORS_400, ERRORS_401, ERRORS_429


class RegisterView(APIView):
    """Create a merchant's account and answer its first token pair."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        request=RegisterSerializer,
        responses={201: RegisteredSerializer, **ERRORS_400, **ERRORS_429},
        tags=["auth"],
        auth=[],
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.register_user(**serializer.validated_data)
        body = {"id": user.pk, "username": user.username, **services.tokens_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(
    responses={200: LoginResponseSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_429},
    tags=["auth"],
    auth=[],
)
class LoginView(TokenObtainPairView):
    """Exchange a username and password for an access and a refresh token."""

    serializer_class = LoginSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


@extend_schema(
    responses={200: RefreshResponseSerializer, **ERRORS_400, **ERRORS_401, **ERRORS_429},
    tags=["auth"],
    auth=[],
)
class RefreshView(TokenRefreshView):
    """Exchange a refresh token for a new pair; the refresh token sent can never be used again."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "refresh"


class LogoutView(APIView):
    """Void one of the caller's refresh tokens for good."""

    @extend_schema(
        request=LogoutSerializer,
        responses={205: OpenApiResponse(description="Logged out."), **ERRORS_400, **ERRORS_401},
        tags=["auth"],
    )
    def post(self, request):
        serializer = LogoutSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        serializer.validated_data["refresh"].blacklist()
        return Response(status=status.HTTP_205_RESET_CONTENT)


@extend_schema(responses={200: MeSerializer, **ERRORS_401}, tags=["auth"])
class MeView(generics.RetrieveAPIView):
    """The signed-in merchant."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user
