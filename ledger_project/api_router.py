"""The API's one router: every ViewSet of /api/, mounted again at /app/ for the v1 clients."""

from rest_framework.routers import DefaultRouter
from rest_framework_nested.routers import NestedSimpleRouter

from accounts.views import AuthTokenViewSet
from jobs.views import JobViewSet
from ledger.views import CustomerEntryViewSet, CustomerLedgerViewSet, DashboardViewSet, EntryViewSet

router = DefaultRouter()
router.include_format_suffixes = False  # formats are chosen with ?format=, one URL per resource
router.register("auth/tokens", AuthTokenViewSet, basename="token")
router.register("customers", CustomerLedgerViewSet, basename="customer")
router.register("entries", EntryViewSet, basename="entry")
router.register("summary", DashboardViewSet, basename="dashboard")
router.register("jobs", JobViewSet, basename="job")

# /customers/{customer_pk}/entries/ (and .../entries/import/): one customer's entries.
customer_router = NestedSimpleRouter(router, "customers", lookup="customer")
customer_router.register("entries", CustomerEntryViewSet, basename="customer-entry")

urlpatterns = [*router.urls, *customer_router.urls]
