"""The root URLconf: the API at /api/, the v1 clients' routes again at /app/, docs and health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.views import LoginView, RefreshView
from books.views import RegisterView
from common import views as common_views
from common.throttling import throttled_login
from ledger_project import api_router
from links.views import statement_link

api = [
    path("auth/", include("books.urls")),
    path("auth/", include("accounts.urls")),
    *api_router.urlpatterns,
]

# v1 clients: the same views under /app/ (the customer's summary also at its v1 spelling,
# /summery/), JWT at /api/token/. Their refresh tokens do not rotate: they reuse one for its
# whole life.
v1 = [
    path("register/", RegisterView.as_view(rotate=False), name="register"),
    *api,
]

# The browsable API's session login and the admin's count in the API login routes' bucket.
browser_login = [
    path(
        "login/",
        throttled_login(auth_views.LoginView.as_view(template_name="rest_framework/login.html")),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
admin.site.login = throttled_login(admin.site.login)

urlpatterns = [
    path("api/", include((api, "api"))),
    path("api/token/", LoginView.as_view(rotate=False), name="v1-token"),
    path("api/token/refresh/", RefreshView.as_view(), name="v1-token-refresh"),
    path("app/", include((v1, "v1"))),
    path("healthz", common_views.HealthView.as_view(), name="healthz"),
    # A customer's statement page, opened by a signed link without an account.
    path("s/<str:token>/", statement_link, name="statement-link"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api-auth/", include((browser_login, "rest_framework"))),
    path("admin/", admin.site.urls),
]

handler400 = "common.views.bad_request"
handler403 = "common.views.permission_denied"
handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"
