"""Routes of the auth API, mounted at /api/auth/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import views

router = SimpleRouter(use_regex_path=False)
router.register("tokens", views.AuthTokenViewSet, basename="token")

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("refresh/", views.RefreshView.as_view(), name="token-refresh"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordView.as_view(), name="password"),
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
