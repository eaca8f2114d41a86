"""Ledger entries (append-only) and the idempotency keys of the requests that posted them."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q

from common.fields import BookForeignKey, BookOneToOneField, MoneyField
from common.money import MAX_ENTRY_AMOUNT
from common.scoping import TenantOwned, TenantQuerySet
from customers.models import Customer


class EntryType(models.TextChoices):
    CREDIT = "credit", "Credit"  # the customer owes the merchant more
    DEBIT = "debit", "Debit"  # the customer paid


class Entry(TenantOwned):
    """One line of a customer's ledger. Never edited or deleted: a mistake is reversed.

    The book is kept on the row as well as the customer, so every query filters by book
    directly (and the table can be distributed by book). `created_by` is the member who posted it.
    """

    # No single-column indexes on the book and customer: the composite indexes below start with
    # them. Nor on the author: no read looks entries up by who posted them. The book needs no
    # foreign key constraint of its own: the posting trigger refuses an entry whose book is not
    # its customer's (ledger/sql/), and the customer's book is a foreign key; a constraint
    # here would be checked again for every row an import writes.
    book = models.ForeignKey(
        "books.Book",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = BookForeignKey(
        Customer, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    type = models.CharField(max_length=6, choices=EntryType.choices)
    amount = MoneyField()
    note = models.CharField(max_length=500, blank=True)
    entry_date = models.DateField()
    # When what it opens falls due (ledger.dues): set on a credit of a customer, or a debit of a
    # supplier; null on payments and reversals.
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reverses = BookOneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    # Who posted it, as a book's archive recorded them, for an entry restored from one (its
    # created_by is who restored it); null otherwise. Nullable so adding it remade no table.
    recorded_by = models.CharField(max_length=150, null=True, blank=True)  # noqa: DJ001

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["-entry_date", "-id"]
        # Every query filters by book, so every index starts with it: the database can then
        # answer from the index alone (counts, ranges) without fetching rows to check the owner.
        indexes = [
            # A customer's history in date order: lists and statements.
            models.Index(
                fields=["book", "customer", "entry_date", "id"],
                name="ledger_entry_book_history_idx",
            ),
            # The same by type: lists filtered by type (and dates).
            models.Index(
                fields=["book", "customer", "type", "entry_date", "id"],
                name="ledger_entry_book_type_idx",
            ),
            # The whole book by date: the flat list and its date filters.
            models.Index(fields=["book", "entry_date", "id"], name="ledger_entry_book_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_ENTRY_AMOUNT),
                name="ledger_entry_amount_in_range",
            ),
            models.CheckConstraint(
                condition=Q(type__in=EntryType.values), name="ledger_entry_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=F("entry_date")),
                name="ledger_entry_due_not_before_entry",
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.amount} on {self.entry_date}"

    @property
    def created_by_name(self) -> str:
        """Who posted it: the name an archive recorded, else the username (a list's rows have
        it too)."""
        return self.recorded_by or self.created_by.username

    @property
    def reversed_by_id(self) -> int | None:
        """The id of the entry that reversed this one, if any (a list's rows have it too)."""
        reversal = getattr(self, "reversed_by", None)  # a missing reversal is an AttributeError
        return reversal.pk if reversal is not None else None


class DailyTotal(TenantOwned):
    """A customer's credits, debits and entry count on one day, kept by the database's trigger
    on the entries table (ledger/sql/) with every entry row. Balances as of a day and
    statements' opening balances add up at most one row per day of history, however many
    entries it holds."""

    book = models.ForeignKey(
        "books.Book", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = BookForeignKey(
        Customer, on_delete=models.PROTECT, related_name="daily_totals", db_index=False
    )
    day = models.DateField()
    credit = MoneyField(default=0)
    debit = MoneyField(default=0)
    entry_count = models.BigIntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["book", "customer", "day"], name="ledger_dailytotal_book_day_uniq"
            ),
            models.CheckConstraint(
                condition=Q(credit__gte=0) & Q(debit__gte=0) & Q(entry_count__gte=0),
                name="ledger_dailytotal_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.day}"


class Due(TenantOwned):
    """What one entry opened (a customer's credit, a supplier's debit), and when it falls due.
    The posting trigger adds the row with its entry and removes it when the entry is reversed;
    nothing updates it. Payments settle the oldest dues first, so what is still open is always
    the newest dues adding up to what the party owes: ledger.dues reads it from the newest due
    back, never replaying the history and never writing a settlement."""

    # Written only by the posting trigger, from the entry row itself (whose own keys hold the
    # book, customer and entry): no foreign key constraints to check again per row of an import.
    book = models.ForeignKey(
        "books.Book",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    customer = BookForeignKey(
        Customer,
        on_delete=models.DO_NOTHING,
        related_name="dues",
        db_index=False,
        db_constraint=False,
    )
    entry = BookOneToOneField(
        Entry, on_delete=models.DO_NOTHING, related_name="due", db_constraint=False
    )
    due_date = models.DateField()
    entry_date = models.DateField()
    amount = MoneyField()

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            # Settlement order (oldest due date, then entry date, then entry): what is open is
            # read backwards along it, from the newest due (ledger.dues); what falls due from a
            # day on is a range of it (overdue, the list's filters and ordering, reminders).
            # Each due's amount is in the index too, so these reads never visit the table.
            models.Index(
                fields=["book", "customer", "due_date", "entry_date", "entry", "amount"],
                name="ledger_due_order_amount_idx",
            ),
            # The book's dues from a day on (the dashboard's ageing reads the last 90 days').
            models.Index(
                fields=["book", "due_date", "customer", "amount"], name="ledger_due_book_day_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_due_amount_positive"),
        ]

    def __str__(self):
        return f"{self.amount} due {self.due_date}"


class IdempotencyKey(TenantOwned):
    """The answer given to a write made with an Idempotency-Key, replayed when the key comes again.

    Written in the same transaction as the entries the request posted: either both exist or neither.
    A key is the caller's own within the book.
    """

    book = models.ForeignKey(
        "books.Book", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["book", "user", "key"], name="ledger_idempotency_book_user_key_uniq"
            )
        ]

    def __str__(self):
        return self.key


class StagedEntry(models.Model):
    """A row of an import waiting to be published (ledger.posting): not an entry yet, seen by no
    read and counted in no total. An import stages its rows in short transactions, then
    publishes them as entries in one statement, so the file goes in all at once or not at all,
    and holds SQLite's one write lock only briefly at a time."""

    batch = models.CharField(max_length=40)
    type = models.CharField(max_length=6)
    amount = models.BigIntegerField()  # cents, checked already
    note = models.TextField(blank=True)
    entry_date = models.DateField()
    due_date = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "id"], name="ledger_staged_batch_idx")]

    def __str__(self):
        return f"{self.batch} {self.type} {self.amount}"
