"""Writes to books (their profile, archiving, the default book), each recorded in the book's
activity trail. Members and invitations are in books.members, tokens in books.tokens."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from books.activity import diff, record, snapshot
from books.exceptions import DefaultBookArchive, NotAMember
from books.members import record_member
from books.models import Book, Membership, MembershipStatus, Role

PROFILE = (
    "name",
    "address",
    "phone",
    "email",
    "currency",
    "locale",
    "time_zone",
    "payment_details",
)


def profile_defaults() -> dict:
    """A new book's currency, locale and time zone, from settings."""
    return {
        "currency": settings.DEFAULT_CURRENCY,
        "locale": settings.DEFAULT_LOCALE,
        "time_zone": settings.DEFAULT_TIME_ZONE,
    }


@transaction.atomic
def create_book(*, owner, name: str, default: bool = False, **profile) -> Book:
    """Open a book with `owner` as its first owner (and, with `default`, their default book)."""
    book = Book.objects.create(name=name, **{**profile_defaults(), **profile})
    membership = Membership.objects.create(
        book=book, user=owner, role=Role.OWNER, is_default=default
    )
    changes = diff({}, snapshot(book, PROFILE))
    record(book_id=book.pk, actor=owner, action="book.created", target=book, changes=changes)
    record_member(
        membership, owner, "member.joined", {"role": [None, Role.OWNER], "status": [None, "active"]}
    )
    return book


def create_first_book(user) -> Book:
    """The book a new account starts with: theirs, their default, named after them."""
    return create_book(owner=user, name=user.get_full_name() or user.username, default=True)


@transaction.atomic
def update_book(*, book: Book, by=None, **fields) -> Book:
    """Change the book's profile."""
    before = snapshot(book, PROFILE)
    changed = [name for name in fields if name in PROFILE]
    for name in changed:
        setattr(book, name, fields[name])
    book.save(update_fields=[*changed, "updated_at"])
    changes = diff(before, snapshot(book, PROFILE))
    if changes:
        record(book_id=book.pk, actor=by, action="book.updated", target=book, changes=changes)
    return book


@transaction.atomic
def archive_book(*, book: Book, by) -> Book:
    """Close the book: it leaves its members' lists and refuses changes until restored."""
    if Membership.objects.filter(book=book, user=by, is_default=True).exists():
        raise DefaultBookArchive()
    if book.archived_at is None:
        book.archived_at = timezone.now()
        book.save(update_fields=["archived_at", "updated_at"])
        changes = {"archived": [False, True]}
        record(book_id=book.pk, actor=by, action="book.archived", target=book, changes=changes)
    return book


@transaction.atomic
def restore_book(*, book: Book, by=None) -> Book:
    """Open an archived book again."""
    if book.archived_at is not None:
        book.archived_at = None
        book.save(update_fields=["archived_at", "updated_at"])
        changes = {"archived": [True, False]}
        record(book_id=book.pk, actor=by, action="book.restored", target=book, changes=changes)
    return book


@transaction.atomic
def set_default_book(*, user, book: Book) -> None:
    """Make `book` the one the user's routes without a book act on."""
    mine = Membership.objects.select_for_update().filter(user=user)
    if not mine.filter(book=book, status=MembershipStatus.ACTIVE).exists():
        raise NotAMember()
    mine.filter(is_default=True).exclude(book=book).update(is_default=False)
    mine.filter(book=book).update(is_default=True)
