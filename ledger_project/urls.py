"""The root URLconf: the API at /api/, the v1 clients' routes again at /app/, docs and health."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.views import LoginView, RefreshView, RegisterView
from common import views as common_views
from ledger.views import CustomerSummaryView

api = [
    path("auth/", include("accounts.urls")),
    path("", include("customers.urls")),
    path("", include("ledger.urls")),
]

# v1 clients (shared/seeds/000_*): the same views under /app/, JWT at /api/token/, and the
# summary at the spelling their document used.
v1 = [
    path("register/", RegisterView.as_view(), name="register"),
    path("customers/<int:customer_pk>/summery/", CustomerSummaryView.as_view()),
    *api,
]

urlpatterns = [
    path("api/", include((api, "api"))),
    path("api/token/", LoginView.as_view(), name="v1-token"),
    path("api/token/refresh/", RefreshView.as_view(), name="v1-token-refresh"),
    path("app/", include((v1, "v1"))),
    path("healthz", common_views.HealthView.as_view(), name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api-auth/", include("rest_framework.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "common.views.bad_request"
handler403 = "common.views.permission_denied"
handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"
