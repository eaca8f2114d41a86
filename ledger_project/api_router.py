"""The API's one router: every ViewSet of /api/, mounted again at /app/ for the v1 clients.

A book's routes are under /api/books/{book}/; the same ViewSets at the top level (/api/customers/,
/api/entries/, /api/summary/, /api/jobs/) act in the caller's default book.
"""

from django.urls import re_path
from rest_framework.routers import DefaultRouter
from rest_framework_nested.routers import NestedSimpleRouter

from archives.views import BookExportViewSet, BookImportViewSet
from books.team import BookTokenViewSet, InvitationViewSet, MemberViewSet, PersonalTokenViewSet
from books.views import ActivityViewSet, BookViewSet
from jobs.views import JobViewSet
from ledger.views import CustomerEntryViewSet, CustomerLedgerViewSet, DashboardViewSet, EntryViewSet
from links.views import LinkViewSet
from reminders.views import ReminderSettingsViewSet, ReminderViewSet
from webhooks.views import DeliveryViewSet, WebhookViewSet

router = DefaultRouter()
router.include_format_suffixes = False  # formats are chosen with ?format=, one URL per resource
router.register("auth/tokens", PersonalTokenViewSet, basename="token")
router.register("auth/invitations", InvitationViewSet, basename="invitation")
router.register("customers", CustomerLedgerViewSet, basename="customer")
router.register("entries", EntryViewSet, basename="entry")
router.register("summary", DashboardViewSet, basename="dashboard")
router.register("jobs", JobViewSet, basename="job")
router.register("books/import", BookImportViewSet, basename="book-import")
router.register("books", BookViewSet, basename="book")

# /customers/{customer_pk}/entries/ (and .../entries/import/): one customer's entries.
customer_router = NestedSimpleRouter(router, "customers", lookup="customer")
customer_router.register("entries", CustomerEntryViewSet, basename="customer-entry")
customer_router.register("links", LinkViewSet, basename="customer-link")
customer_router.register("reminders", ReminderViewSet, basename="customer-reminder")

# /books/{book_pk}/...: the same routes in a book named by the URL.
book_router = NestedSimpleRouter(router, "books", lookup="book")
book_router.register("customers", CustomerLedgerViewSet, basename="book-customer")
book_router.register("entries", EntryViewSet, basename="book-entry")
book_router.register("summary", DashboardViewSet, basename="book-dashboard")
book_router.register("jobs", JobViewSet, basename="book-job")
book_router.register("members", MemberViewSet, basename="book-member")
book_router.register("activity", ActivityViewSet, basename="book-activity")
book_router.register("tokens", BookTokenViewSet, basename="book-token")
book_router.register("export", BookExportViewSet, basename="book-export")
book_router.register("webhooks", WebhookViewSet, basename="book-webhook")
webhook_router = NestedSimpleRouter(book_router, "webhooks", lookup="webhook")
webhook_router.register("deliveries", DeliveryViewSet, basename="book-webhook-delivery")
book_customer_router = NestedSimpleRouter(book_router, "customers", lookup="customer")
book_customer_router.register("entries", CustomerEntryViewSet, basename="book-customer-entry")
book_customer_router.register("links", LinkViewSet, basename="book-customer-link")
book_customer_router.register("reminders", ReminderViewSet, basename="book-customer-reminder")

# /books/{book_pk}/reminder-settings/: one object per book, read and changed in place.
reminder_settings = ReminderSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [
    re_path(
        r"^books/(?P<book_pk>[0-9]+)/reminder-settings/$",
        reminder_settings,
        name="book-reminder-settings",
    ),
    *router.urls,
    *customer_router.urls,
    *book_router.urls,
    *book_customer_router.urls,
    *webhook_router.urls,
]
