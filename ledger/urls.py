"""Routes of the ledger API, including the ones that hang under a customer."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from ledger import views

router = SimpleRouter(use_regex_path=False)
router.register("entries", views.EntryViewSet, basename="entry")

customer_entries = views.CustomerEntryViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    path("customers/<int:customer_pk>/entries/", customer_entries, name="customer-entries"),
    path(
        "customers/<int:customer_pk>/entries/import/",
        views.CustomerEntryImportView.as_view(),
        name="customer-entries-import",
    ),
    path(
        "customers/<int:customer_pk>/summary/",
        views.CustomerSummaryView.as_view(),
        name="customer-summary",
    ),
    path(
        "customers/<int:customer_pk>/statement/",
        views.CustomerStatementView.as_view(),
        name="customer-statement",
    ),
    path("summary/", views.DashboardView.as_view(), name="dashboard"),
    *router.urls,
]
