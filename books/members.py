"""Writes to a book's members and invitations, each recorded in the book's activity trail (by
the user named `by`, or the member themself for their own answers). A book always keeps an
owner; membership changes of one book take its row lock, one at a time."""

from django.conf import settings
from django.core import signing
from django.db import transaction

from accounts.models import AuthToken
from books.activity import record
from books.exceptions import AlreadyMember, InvalidInvitation, LastOwner
from books.models import Book, Membership, MembershipStatus, Role


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
    record_member(
        membership, by, "member.invited", {"role": [None, role], "status": [None, "invited"]}
    )
    return membership


@transaction.atomic
def invite_by_email(*, book: Book, email: str, role: str, by) -> Membership:
    """Invite someone without an account yet, by email (books.tasks mails them its code, to
    register with, or to claim with an account they have)."""
    if Membership.objects.filter(book=book, user=None, email__iexact=email).exists():
        raise AlreadyMember("This email address is already invited to this book.")
    membership = Membership.objects.create(
        book=book, user=None, email=email, role=role, status=MembershipStatus.INVITED, invited_by=by
    )
    record_member(
        membership, by, "member.invited", {"role": [None, role], "status": [None, "invited"]}
    )
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
    record_member(claimed, user, "member.claimed", {"email": [claimed.email, claimed.email]})
    return claimed


@transaction.atomic
def accept_invitation(*, membership: Membership) -> Membership:
    """Join the book; it becomes the user's default if they have none."""
    has_default = Membership.objects.filter(user=membership.user, is_default=True).exists()
    membership.status = MembershipStatus.ACTIVE
    membership.is_default = not has_default
    membership.save(update_fields=["status", "is_default", "updated_at"])
    record_member(membership, membership.user, "member.joined", {"status": ["invited", "active"]})
    return membership


@transaction.atomic
def decline_invitation(*, membership: Membership) -> None:
    """Turn the invitation down; it is gone."""
    record_member(membership, membership.user, "member.declined", {"status": ["invited", None]})
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
        record_member(membership, by, "member.role_changed", {"role": [before, role]})
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
    record_member(
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


def record_member(membership: Membership, actor, action: str, changes: dict) -> None:
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
