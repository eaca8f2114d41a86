"""Composing and sending reminders, by hand or automatically, and a book's reminder settings.

A reminder says what is due (ledger.dues: the party's ageing today, in the book's days), the
oldest unpaid due date, the business's name and a new statement link, in the party's language
(else the book's), from the book's text for it (reminders.texts). It goes by its channel: none
(composed, to paste into a messenger), email (the worker sends it: reminders.sending) or webhook
(a reminder.sent event, in the same transaction). A party gets at most one a day that is sent
or on its way; the database holds that (Reminder's constraint).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from books.activity import diff, record, snapshot
from customers.models import Customer, Kind
from ledger import dues
from ledger.pdf import Formats
from ledger.selectors import with_overdue
from links import services as links
from reminders import sending, texts
from reminders.exceptions import AlreadyReminded, NoEmail, NothingDue, NoWebhook
from reminders.models import COUNTED, Channel, Reminder, ReminderSettings, Status


def settings_of(book) -> ReminderSettings:
    """The book's reminder settings (the defaults until a manager changes them)."""
    return ReminderSettings.objects.filter(book=book).first() or ReminderSettings(book=book)


@transaction.atomic
def update_settings(*, book, by, **fields) -> ReminderSettings:
    """Change the book's settings; `templates` ({kind: {language: text}}) go over the book's
    own, and an empty text puts back the default."""
    current = settings_of(book)
    before = _shown(current)
    if "templates" in fields:
        current.templates = texts.with_changes(current.templates, fields.pop("templates"))
    for name, value in fields.items():
        setattr(current, name, value)
    current.save()
    changes = diff(before, _shown(current))
    if changes:
        record(
            book_id=book.pk,
            actor=by,
            action="reminder.settings_updated",
            target=book,
            changes=changes,
        )
    return current


def _shown(book_settings: ReminderSettings) -> dict:
    """The settings as the activity trail shows them (the book's own texts as they are)."""
    fields = ("enabled", "every_days", "min_overdue_days", "channel")
    return {**snapshot(book_settings, fields), "templates": book_settings.templates}


def remind(
    *,
    book,
    customer: Customer,
    by,
    channel: str,
    base_url: str,
    message: str | None = None,
    automatic: bool = False,
) -> Reminder:
    """Compose a reminder to the party and send it by `channel` (see the module); `message`
    replaces the book's text for this one (the same placeholders). `base_url` is where the
    statement link points (this server, as customers reach it)."""
    today = book.today()
    ageing = dues.ageing(customer, as_of=today)
    if not ageing.due:
        raise NothingDue()
    if channel == Channel.EMAIL and not customer.email:
        raise NoEmail()
    formats = Formats(customer)
    language = texts.language_of(formats.locale.language)
    kind = customer.kind
    template = message or texts.effective(settings_of(book).templates)[kind][language]
    try:
        with transaction.atomic():
            link = links.create_link(book=book, customer=customer, by=by)
            values = {
                "customer": customer.name,
                "business": book.name,
                "amount": formats.money(ageing.due),
                "overdue": formats.money(ageing.overdue),
                "due_date": formats.day(ageing.oldest_due_date),
                "link": base_url + reverse("statement-link", args=[links.token_of(link)]),
                "phone": book.phone,
            }
            reminder = Reminder.objects.create(
                book=book,
                customer=customer,
                link=link,
                channel=channel,
                automatic=automatic,
                day=today,
                subject=texts.fill(texts.SUBJECTS[kind][language], values),
                text=texts.fill(template, values),
                to=customer.email if channel == Channel.EMAIL else "",
                status=Status.COMPOSED if channel == Channel.NONE else Status.QUEUED,
                created_by=by,
            )
            if channel == Channel.WEBHOOK and not sending.sent(reminder):
                raise NoWebhook()
            if channel == Channel.EMAIL:
                sending.send_mail.enqueue(reminder.pk)
    except IntegrityError as exc:
        if Reminder.objects.filter(customer=customer, day=today).filter(COUNTED).exists():
            raise AlreadyReminded() from exc
        raise
    return reminder


def due_for_reminder(book, book_settings: ReminderSettings, *, today: datetime.date):
    """The book's customers an automatic reminder goes to today: active, reminders on, overdue
    by at least `min_overdue_days`, with an address for the channel, and neither reminded in
    the last `every_days` days nor tried automatically today. (Suppliers are reminded only by
    hand: what a book owes is not chased.)"""
    recent = Reminder.objects.filter(
        book_id=book.pk,
        customer_id=OuterRef("pk"),
        day__gt=today - datetime.timedelta(days=book_settings.every_days),
    ).filter(COUNTED)
    tried_today = Reminder.objects.filter(
        book_id=book.pk, customer_id=OuterRef("pk"), day=today, automatic=True
    )
    overdue_by = today - datetime.timedelta(days=book_settings.min_overdue_days - 1)
    customers = (
        Customer.objects.of(book).active().filter(kind=Kind.CUSTOMER, reminders_enabled=True)
    )
    if book_settings.channel == Channel.EMAIL:
        customers = customers.exclude(email="")
    return (
        with_overdue(customers, book, overdue_by)
        .filter(overdue_amount__gt=0)
        .exclude(Exists(recent))
        .exclude(Exists(tried_today))
        .select_related("book")
        .order_by("pk")
    )


def enabled_books():
    """The books that send automatic reminders (a cross-book read: the scheduler's only one)."""
    return (
        ReminderSettings.objects.filter(enabled=True, book__archived_at__isnull=True)
        .select_related("book")
        .order_by("book_id")
    )
