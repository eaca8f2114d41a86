"""The periodic round of automatic reminders (a reminder's mail is reminders.sending.send_mail)."""

import logging

from django.conf import settings
from django_tasks import task

from common.exceptions import DomainError
from reminders import services

logger = logging.getLogger(__name__)


@task()
def send_automatic() -> dict:
    """Every book that sends automatic reminders: one to each customer due for one today, in
    the book's time zone (reminders.services.due_for_reminder). Reads across books, then works
    in one book at a time."""
    sent = skipped = 0
    for book_settings in services.enabled_books():
        book = book_settings.book
        for customer in services.due_for_reminder(book, book_settings, today=book.today()):
            try:
                services.remind(
                    book=book,
                    customer=customer,
                    by=None,
                    channel=book_settings.channel,
                    base_url=settings.PUBLIC_URL,
                    automatic=True,
                )
                sent += 1
            except DomainError as exc:  # e.g. reminded by hand a moment ago; no webhook now
                logger.info("No automatic reminder to customer %s: %s", customer.pk, exc)
                skipped += 1
    return {"reminded": sent, "skipped": skipped}
