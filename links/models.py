"""A statement link: a signed URL a customer opens without an account to see their account."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from common.fields import BookForeignKey
from common.scoping import TenantOwned, TenantQuerySet


class StatementLink(TenantOwned):
    """One link to a customer's statement page. Its URL carries the link's id signed with the
    server's secret (links.services): it cannot be guessed or altered, and it works until it
    expires or a manager revokes it. Each opening is counted here and recorded in the activity
    trail."""

    book = models.ForeignKey(
        "books.Book", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = BookForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="statement_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    opened_count = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["book", "customer", "created_at"], name="links_book_customer_idx")
        ]

    def __str__(self):
        return f"link {self.pk} to customer {self.customer_id}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
