"""The books' background work: the mails of invitations by email."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from books.members import invitation_code
from books.models import Membership, MembershipStatus

INVITATION_SUBJECT = "{inviter} invited you to {book} on Mini Ledger"
INVITATION_BODY = """Hello,

{inviter} invited you to keep the book "{book}" with them on Mini Ledger, as {role}.

To join, create your account within {days} days here:

{link}

Your invitation code (registering with it, or with an account already, POST it as
{{"invitation": "<code>"}} to /api/auth/invitations/claim/):

{code}

Then accept the invitation (it is listed at /api/auth/invitations/). If you were not expecting
this, ignore this mail: nothing happens.
"""


@task()
def send_invitation(membership_id: int, link: str) -> bool:
    """Mail an invitation by email its code (made here, so it is never stored in the queue);
    answer whether a mail went (not for an invitation withdrawn or claimed meanwhile)."""
    invitation = (
        Membership.objects.select_related("book", "invited_by")
        .filter(pk=membership_id, user=None, status=MembershipStatus.INVITED)
        .first()
    )
    if invitation is None:
        return False
    code = invitation_code(invitation)
    inviter = invitation.invited_by.username if invitation.invited_by else "Someone"
    body = INVITATION_BODY.format(
        inviter=inviter,
        book=invitation.book.name,
        role=invitation.role,
        days=settings.INVITATION_DAYS,
        link=link.replace("{token}", code),
        code=code,
    )
    subject = INVITATION_SUBJECT.format(inviter=inviter, book=invitation.book.name)
    send_mail(subject, body, None, [invitation.email])
    return True


def queue_invitation(invitation: Membership, link: str) -> None:
    """Queue the mail of an invitation by email (send_invitation), in the caller's transaction:
    the invitation and its mail are made together or not at all. `link` is the page the mail
    links to, with {token} where the code goes."""
    send_invitation.enqueue(invitation.pk, link)
