"""Writes to books and their memberships, each recorded in the book's activity trail (by the
user named `by`, or the member themself for their own answers)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import services as account_services
from accounts.models import AuthToken
from books.activity import diff, record, snapshot
from books.exceptions import (
    AlreadyMember,
    DefaultBookArchive,
    InvalidInvitation,
    LastOwner,
    NotAMember,
)
from books.models import Book, Membership, MembershipStatus, Role, TokenScope

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
    _record_member(
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
    membership = Membership.objects.create(
        book=book, user=user, role=role, status=MembershipStatus.INVITED, invited_by=by
    )
    _record_member(
        membership, by, "member.invited", {"role": [None, role], "status": [None, "invited"]}
    )
    return membership


@transaction.atomic
def invite_by_email(*, book: Book, email: str, role: str, by, link: str) -> Membership:
    """Invite someone without an account yet, by email: the job worker mails them a code (in
    `link`, where {token} stands) to register with, or to claim with an account they have."""
    from books.tasks import send_invitation  # the task module imports this one

    if Membership.objects.filter(book=book, user=None, email__iexact=email).exists():
        raise AlreadyMember("This email address is already invited to this book.")
    membership = Membership.objects.create(
        book=book, user=None, email=email, role=role, status=MembershipStatus.INVITED, invited_by=by
    )
    _record_member(
        membership, by, "member.invited", {"role": [None, role], "status": [None, "invited"]}
    )
    send_invitation.enqueue(membership.pk, link)
    return membership


INVITATION_SALT = "books.invitation"


def invitation_code(membership: Membership) -> str:
    """The code an invitation by email carries: signed, so it needs no storing, and good for
    INVITATION_DAYS; it names an invitation still waiting for its user."""
    return signing.dumps(membership.pk, salt=INVITATION_SALT)


def invitation_of_code(code: str) -> Membership:
    """The open invitation by email a code names, else InvalidInvitation."""
    try:
        pk = signing.loads(code, salt=INVITATION_SALT, max_age=settings.INVITATION_DAYS * 86400)
    except signing.BadSignature:
        raise InvalidInvitation() from None
    membership = (
        Membership.objects.select_related("book")
        .filter(pk=pk, user=None, status=MembershipStatus.INVITED)
        .first()
    )
    if membership is None:
        raise InvalidInvitation()
    return membership


@transaction.atomic
def claim_invitation(*, membership: Membership, user) -> Membership:
    """Make an invitation by email the user's: it waits in their invitations to be accepted."""
    claimed = Membership.objects.select_for_update().filter(pk=membership.pk, user=None).first()
    if claimed is None:
        raise InvalidInvitation()
    if Membership.objects.filter(book_id=claimed.book_id, user=user).exists():
        raise AlreadyMember()
    claimed.user = user
    claimed.save(update_fields=["user", "updated_at"])
    _record_member(claimed, user, "member.claimed", {"email": [claimed.email, claimed.email]})
    return claimed


@transaction.atomic
def accept_invitation(*, membership: Membership) -> Membership:
    """Join the book; it becomes the user's default if they have none."""
    has_default = Membership.objects.filter(user=membership.user, is_default=True).exists()
    membership.status = MembershipStatus.ACTIVE
    membership.is_default = not has_default
    membership.save(update_fields=["status", "is_default", "updated_at"])
    _record_member(membership, membership.user, "member.joined", {"status": ["invited", "active"]})
    return membership


@transaction.atomic
def decline_invitation(*, membership: Membership) -> None:
    """Turn the invitation down; it is gone."""
    _record_member(membership, membership.user, "member.declined", {"status": ["invited", None]})
    membership.delete()


@transaction.atomic
def change_role(*, membership: Membership, role: str, by=None) -> Membership:
    """Give a member another role; the book's last owner cannot step down."""
    _lock(membership.book)
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(membership)
    before, membership.role = membership.role, role
    membership.save(update_fields=["role", "updated_at"])
    if before != role:
        _record_member(membership, by, "member.role_changed", {"role": [before, role]})
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, by=None) -> None:
    """Take a member (or an invitation) out of the book: from their next request on, the book
    is not theirs to see. The last owner cannot leave. If it was their default book, their
    oldest other book becomes the default."""
    _lock(membership.book)
    if membership.role == Role.OWNER:
        _keep_an_owner(membership)
    # Their personal tokens limited to this book die with the membership (an invitation by
    # email not yet claimed has no user, and no tokens).
    AuthToken.objects.filter(
        user_id=membership.user_id, scope__book_id=membership.book_id, scope__book_token=False
    ).delete()
    leaving = by is not None and membership.user_id is not None and by.pk == membership.user_id
    _record_member(
        membership,
        by,
        "member.left" if leaving else "member.removed",
        {"role": [membership.role, None], "status": [membership.status, None]},
    )
    membership.delete()
    if membership.is_default:
        other = (
            Membership.objects.filter(user=membership.user, status=MembershipStatus.ACTIVE)
            .order_by("pk")
            .first()
        )
        if other is not None:
            Membership.objects.filter(pk=other.pk).update(is_default=True)


@transaction.atomic
def create_personal_token(*, user, name: str, book: Book | None = None, role: str = ""):
    """A named token of the user's, limited (if asked) to one book and at most one role; answer
    it and its secret (shown this once)."""
    token, secret = account_services.create_token(user=user, name=name)
    if book is not None or role:
        TokenScope.objects.create(token=token, book=book, role=role)
    return token, secret


@transaction.atomic
def create_book_token(*, book: Book, name: str, role: str, by):
    """A token that belongs to the book, for an integration: it acts with `role` in this book
    only, whoever joins or leaves, until an owner revokes it. Its user is an account made for
    it (no password: no one signs in as it), a member of this book alone."""
    username = f"token:{slugify(name)[:100] or 'token'}:{secrets.token_hex(4)}"
    integration = get_user_model().objects.create_user(username=username, password=None)
    Membership.objects.create(
        book=book,
        user=integration,
        role=role,
        status=MembershipStatus.ACTIVE,
        is_default=True,
        invited_by=by,
    )
    token, secret = account_services.create_token(user=integration, name=name)
    TokenScope.objects.create(token=token, book=book, role=role, book_token=True)
    changes = {"name": [None, name], "role": [None, role], "username": [None, username]}
    record(book_id=book.pk, actor=by, action="token.created", target=token, changes=changes)
    return token, secret


@transaction.atomic
def revoke_book_token(*, scope: TokenScope, by) -> None:
    """End a book token for good: its account leaves the book and can never act again (the
    entries it posted keep naming it)."""
    token = scope.token
    changes = {"name": [token.name, None], "role": [scope.role, None]}
    record(book_id=scope.book_id, actor=by, action="token.revoked", target=token, changes=changes)
    integration = token.user
    Membership.objects.filter(user=integration).delete()
    AuthToken.objects.filter(user=integration).delete()
    integration.is_active = False
    integration.save(update_fields=["is_active"])


def _record_member(membership: Membership, actor, action: str, changes: dict) -> None:
    """Record a change to a membership; `username` names the member (before and after: None
    where they were not yet, or are no longer, in the book)."""
    name = membership.user.username if membership.user_id else membership.email
    before, after = changes.get("status", [membership.status, membership.status])
    changes = {"username": [before and name, after and name], **changes}
    record(
        book_id=membership.book_id,
        actor=actor,
        action=action,
        target=membership,
        changes=changes,
    )


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
