"""Sending a composed reminder (email: the worker's task send_mail), and what it becomes: sent
(and told to the book's webhooks as reminder.sent) or failed, saying why."""

from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ledger.events import party
from reminders.models import Channel, Reminder, Status
from webhooks.outbox import emit


@task()
def send_mail(reminder_id: int) -> str | None:
    """Mail a queued email reminder to its address (the worker's task); answer its status."""
    reminder = (
        Reminder.objects.select_related("customer", "book")
        .filter(pk=reminder_id, status=Status.QUEUED, channel=Channel.EMAIL)
        .first()
    )
    if reminder is None:
        return None
    try:
        mail.send_mail(reminder.subject, reminder.text, None, [reminder.to])
    except Exception as exc:  # the mail server refused it or could not be reached
        failed(reminder, f"{type(exc).__name__}: {exc}")
        return Status.FAILED
    with transaction.atomic():
        sent(reminder)
    return Status.SENT


def sent(reminder: Reminder) -> bool:
    """Mark the reminder sent and tell the book's webhooks (reminder.sent), in the caller's
    transaction; answer whether it was. A webhook reminder with no webhook to receive it is
    not."""
    event = emit(
        book_id=reminder.book_id,
        type="reminder.sent",
        data={
            "reminder": {
                "id": reminder.pk,
                "channel": reminder.channel,
                "automatic": reminder.automatic,
                "subject": reminder.subject,
                "text": reminder.text,
                "to": reminder.to,
            },
            "customer": {
                **party(reminder.customer),
                "phone": reminder.customer.phone,
                "email": reminder.customer.email,
            },
        },
    )
    if event is None and reminder.channel == Channel.WEBHOOK:
        return False
    reminder.status, reminder.sent_at = Status.SENT, timezone.now()
    Reminder.objects.filter(pk=reminder.pk).update(status=reminder.status, sent_at=reminder.sent_at)
    return True


def failed(reminder: Reminder, error: str) -> None:
    Reminder.objects.filter(pk=reminder.pk).update(status=Status.FAILED, error=error[:1000])
