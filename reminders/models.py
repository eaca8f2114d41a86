"""Reminders: each one composed for a customer (and how it went), and a book's settings for
sending them automatically."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from common.fields import BookForeignKey
from common.scoping import TenantOwned, TenantQuerySet


class Channel(models.TextChoices):
    NONE = "none"  # composed only: the merchant pastes it into a messenger
    EMAIL = "email"  # to the customer's email address, by the worker
    WEBHOOK = "webhook"  # a reminder.sent event to the book's webhooks


class Status(models.TextChoices):
    COMPOSED = "composed"  # channel none: nothing to send
    QUEUED = "queued"  # the worker will send it
    SENT = "sent"
    FAILED = "failed"


# What counts toward "one reminder per customer per day": sent, or about to be.
COUNTED = Q(status__in=[Status.QUEUED, Status.SENT]) & ~Q(channel=Channel.NONE)


class Reminder(TenantOwned):
    """One reminder to a customer: its text as composed, the channel, and what became of it.
    The database holds that a customer gets at most one (sent or queued) a day, in the book's
    days."""

    book = models.ForeignKey(
        "books.Book", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = BookForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="reminders"
    )
    link = BookForeignKey(
        "links.StatementLink", on_delete=models.PROTECT, null=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    automatic = models.BooleanField(default=False)
    day = models.DateField()  # the book's day it was made on
    subject = models.CharField(max_length=200)
    text = models.TextField()
    to = models.CharField(max_length=254, blank=True)  # the address, for email
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["book", "customer", "day"], name="reminders_customer_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "day"], condition=COUNTED, name="reminders_one_a_day"
            ),
        ]

    def __str__(self):
        return f"reminder {self.pk} to customer {self.customer_id}"


class ReminderSettings(models.Model):
    """A book's automatic reminders: whether they run, every how many days a customer gets one
    while overdue by at least `min_overdue_days`, by which channel, and the book's own texts
    (over the defaults: reminders.texts)."""

    book = models.OneToOneField(
        "books.Book", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    enabled = models.BooleanField(default=False)
    every_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    min_overdue_days = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    templates = models.JSONField(default=dict)  # {kind: {language: text}}
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(every_days__gte=1, every_days__lte=365)
                & Q(min_overdue_days__gte=1, min_overdue_days__lte=3650),
                name="reminder_settings_ranges",
            ),
            models.CheckConstraint(
                condition=~Q(channel="none"), name="reminder_settings_channel_sends"
            ),
        ]

    def __str__(self):
        return f"reminder settings of book {self.book_id}"
