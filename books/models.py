"""A book (one business's khata) and the people who may act in it, each with a role."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from common.scoping import TenantOwned, TenantQuerySet


class Role(models.TextChoices):
    """What a member may do; each role may do everything the roles below it may."""

    VIEWER = "viewer"
    CLERK = "clerk"
    MANAGER = "manager"
    OWNER = "owner"


RANK = {role: rank for rank, role in enumerate(Role.values)}


def may(role: str, needed: str) -> bool:
    """Whether a member with `role` may do what needs `needed`."""
    return RANK[role] >= RANK[needed]


class Book(models.Model):
    """One business's khata: its customers, entries and everything hanging from them belong to
    it, and only its members see them. The time zone says when a day starts ("today", due dates,
    reminders); currency and locale say how its amounts and dates are shown."""

    name = models.CharField(max_length=255)
    address = models.CharField(max_length=500, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    currency = models.CharField(max_length=3)  # ISO 4217
    locale = models.CharField(max_length=35)  # a BCP 47 tag, e.g. en-IN
    time_zone = models.CharField(max_length=64)  # IANA, e.g. Asia/Kolkata
    payment_details = models.CharField(max_length=500, blank=True)  # a UPI id or bank details
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def today(self):
        """Today's date where the business is."""
        return timezone.localdate(timezone=ZoneInfo(self.time_zone))


class MembershipStatus(models.TextChoices):
    INVITED = "invited"  # asked to join; sees nothing of the book until accepting
    ACTIVE = "active"


class Membership(TenantOwned):
    """A user's place in a book: their role, whether they have joined (an invitation is a
    membership not yet accepted), and whether the book is the one their routes without a book
    (/api/customers/, the v1 and v2 clients) act on. An invitation by email to someone without
    an account yet has no user until they register (or sign in) with its code."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="memberships"
    )
    email = models.EmailField(blank=True)  # where an invitation by email went
    role = models.CharField(max_length=8, choices=Role.choices)
    status = models.CharField(
        max_length=8, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    is_default = models.BooleanField(default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["book", "user"], name="books_membership_book_user_uniq"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="books_membership_one_default"
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="books_membership_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MembershipStatus.values),
                name="books_membership_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(status=MembershipStatus.ACTIVE),
                name="books_membership_default_is_active",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False)
                | (Q(status=MembershipStatus.INVITED) & ~Q(email="")),
                name="books_membership_user_or_email_invitation",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "book",
                condition=Q(user__isnull=True),
                name="books_membership_one_email_invitation",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} in book {self.book_id} as {self.role} ({self.status})"


class Activity(TenantOwned):
    """One change to a book: to a customer, the book's profile, a member or a token. Who made
    it, when, and what changed ({field: [before, after]}). Append-only: the database refuses
    an UPDATE or a DELETE of a row (books/migrations/0003)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    # The trail outlives the accounts in it: deleting a user leaves their records (and the name
    # they had) as they were, so no constraint ties a record to a live account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # Who, as the trail shows it: the username then, or the book token's name.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)  # e.g. customer.updated, member.invited
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField(null=True)
    changes = models.JSONField(default=dict)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["book", "-id"], name="books_activity_book_newest")]

    def __str__(self):
        return f"{self.action} {self.object_type} {self.object_id} by {self.actor_name}"


class TokenScope(TenantOwned):
    """What a named token may do in books, past its user's own say.

    A personal token limited by its user: to one book (`book`; routes without a book then act
    in it) and at most one role (`role`, blank: the user's own). A book token (`book_token`):
    the credential of an integration that belongs to the book, not to a person; its user is an
    account made for it alone, a member of this book only, which no one can sign in as.
    """

    token = models.OneToOneField(
        "accounts.AuthToken", on_delete=models.CASCADE, primary_key=True, related_name="scope"
    )
    book = models.ForeignKey(Book, on_delete=models.CASCADE, null=True, related_name="+")
    role = models.CharField(max_length=8, choices=Role.choices, blank=True)
    book_token = models.BooleanField(default=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[*Role.values, ""]), name="books_tokenscope_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(book_token=False) | (Q(book__isnull=False) & ~Q(role="")),
                name="books_tokenscope_book_token_has_book_and_role",
            ),
        ]

    def __str__(self):
        return f"scope of token {self.token_id}: book {self.book_id}, role {self.role or 'any'}"
