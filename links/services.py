"""Making, revoking and opening statement links; each is recorded in the book's activity trail."""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from books.activity import record
from links.exceptions import LinkExpired, LinkRevoked, LinkUnavailable
from links.models import StatementLink

SALT = "links.statement"


def token_of(link: StatementLink) -> str:
    """The link's URL token: its id, signed with the server's secret key."""
    return signing.Signer(salt=SALT).sign(str(link.pk))


@transaction.atomic
def create_link(*, book, customer, by, days: int | None = None) -> StatementLink:
    """A new link to the customer's statement page, good for `days` (STATEMENT_LINK_DAYS)."""
    days = days or settings.STATEMENT_LINK_DAYS
    link = StatementLink.objects.create(
        book=book,
        customer=customer,
        created_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    record(
        book_id=book.pk,
        actor=by,
        action="link.created",
        target=link,
        changes={
            "customer": [None, customer.pk],
            "expires_at": [None, link.expires_at.isoformat()],
        },
    )
    return link


@transaction.atomic
def revoke_link(*, link: StatementLink, by) -> StatementLink:
    """Withdraw the link: from now on it opens only the page saying so."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(
            book_id=link.book_id,
            actor=by,
            action="link.revoked",
            target=link,
            changes={"revoked": [False, True]},
        )
    return link


def link_of(token: str) -> StatementLink:
    """The link a token names, if it may be opened; LinkUnavailable saying why not."""
    try:
        pk = int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise LinkUnavailable() from None
    link = StatementLink.objects.select_related("book", "customer").filter(pk=pk).first()
    if link is None:
        raise LinkUnavailable()
    if link.revoked_at is not None:
        raise LinkRevoked()
    if link.expires_at <= timezone.now():
        raise LinkExpired()
    return link


@transaction.atomic
def opened(link: StatementLink, *, address: str) -> None:
    """Count an opening of the link and record it in the trail (by no member: its customer)."""
    now = timezone.now()
    StatementLink.objects.filter(pk=link.pk).update(
        opened_count=F("opened_count") + 1, last_opened_at=now
    )
    record(
        book_id=link.book_id,
        actor=None,
        action="link.opened",
        target=link,
        changes={"address": [None, address]},
    )
