"""Writes to books and their memberships."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from books.exceptions import AlreadyMember, DefaultBookArchive, LastOwner, NotAMember
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
    Membership.objects.create(book=book, user=owner, role=Role.OWNER, is_default=default)
    return book


def create_first_book(user) -> Book:
    """The book a new account starts with: theirs, their default, named after them."""
    return create_book(owner=user, name=user.get_full_name() or user.username, default=True)


@transaction.atomic
def update_book(*, book: Book, **fields) -> Book:
    """Change the book's profile."""
    changed = [name for name in fields if name in PROFILE]
    for name in changed:
        setattr(book, name, fields[name])
    book.save(update_fields=[*changed, "updated_at"])
    return book


@transaction.atomic
def archive_book(*, book: Book, by) -> Book:
    """Close the book: it leaves its members' lists and refuses changes until restored."""
    if Membership.objects.filter(book=book, user=by, is_default=True).exists():
        raise DefaultBookArchive()
    if book.archived_at is None:
        book.archived_at = timezone.now()
        book.save(update_fields=["archived_at", "updated_at"])
    return book


@transaction.atomic
def restore_book(*, book: Book) -> Book:
    """Open an archived book again."""
    if book.archived_at is not None:
        book.archived_at = None
        book.save(update_fields=["archived_at", "updated_at"])
    return book


@transaction.atomic
def set_default_book(*, user, book: Book) -> None:
    """Make `book` the one the user's routes without a book act on."""
    mine = Membership.objects.select_for_update().filter(user=user)
    if not mine.filter(book=book, status=MembershipStatus.ACTIVE).exists():
        raise NotAMember()
    mine.filter(is_default=True).exclude(book=book).update(is_default=False)
    mine.filter(book=book).update(is_default=True)


@transaction.atomic
def add_member(*, book: Book, user, role: str, invited_by=None) -> Membership:
    """Make `user` an active member of the book with `role` (as accepting an invitation does)."""
    membership = invite(book=book, user=user, role=role, by=invited_by)
    return accept_invitation(membership=membership)


@transaction.atomic
def invite(*, book: Book, user, role: str, by) -> Membership:
    """Invite `user` to the book with `role`: they see nothing of it until they accept."""
    if Membership.objects.filter(book=book, user=user).exists():
        raise AlreadyMember()
    return Membership.objects.create(
        book=book, user=user, role=role, status=MembershipStatus.INVITED, invited_by=by
    )


@transaction.atomic
def accept_invitation(*, membership: Membership) -> Membership:
    """Join the book; it becomes the user's default if they have none."""
    has_default = Membership.objects.filter(user=membership.user, is_default=True).exists()
    membership.status = MembershipStatus.ACTIVE
    membership.is_default = not has_default
    membership.save(update_fields=["status", "is_default", "updated_at"])
    return membership


@transaction.atomic
def decline_invitation(*, membership: Membership) -> None:
    """Turn the invitation down; it is gone."""
    membership.delete()


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    """Give a member another role; the book's last owner cannot step down."""
    _lock(membership.book)
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(membership)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    """Take a member (or an invitation) out of the book: from their next request on, the book
    is not theirs to see. The last owner cannot leave. If it was their default book, their
    oldest other book becomes the default."""
    _lock(membership.book)
    if membership.role == Role.OWNER:
        _keep_an_owner(membership)
    membership.delete()
    if membership.is_default:
        other = (
            Membership.objects.filter(user=membership.user, status=MembershipStatus.ACTIVE)
            .order_by("pk")
            .first()
        )
        if other is not None:
            Membership.objects.filter(pk=other.pk).update(is_default=True)


def _lock(book: Book) -> None:
    """Take the book's row lock: membership changes of one book happen one at a time, so two
    owners stepping down at once cannot leave it with none."""
    Book.objects.select_for_update().filter(pk=book.pk).first()


def _keep_an_owner(leaving: Membership) -> None:
    owners = Membership.objects.filter(
        book_id=leaving.book_id, role=Role.OWNER, status=MembershipStatus.ACTIVE
    ).exclude(pk=leaving.pk)
    if leaving.status == MembershipStatus.ACTIVE and not owners.exists():
        raise LastOwner()
