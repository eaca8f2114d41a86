"""The accounts' background work: mails, and the periodic tasks (settings.PERIODIC_TASKS)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django_tasks import task

from accounts.services import purge_expired_credentials, reset_link
from common.throttling import purge_spent

RESET_SUBJECT = "Reset your Mini Ledger password"
RESET_BODY = """Hello {username},

Someone (we hope you) asked to reset the password of your Mini Ledger account, {username}.
To choose a new one, open this link within {minutes} minutes:

{link}

It works once. Setting a new password signs you out everywhere else.
If you did not ask for this, ignore this mail: your password stays as it is.
"""


@task()
def send_password_reset(user_id: int, link: str) -> bool:
    """Mail the user a password reset link (made here, so its token is never stored in the
    queue); answer whether a mail went."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    body = RESET_BODY.format(
        username=user.username,
        minutes=settings.PASSWORD_RESET_TIMEOUT // 60,
        link=reset_link(user, link),
    )
    send_mail(RESET_SUBJECT, body, None, [user.email])
    return True


@task()
def purge_credentials() -> dict:
    """Delete dead sessions and tokens, and throttle counters whose allowance is full again."""
    return {"credentials": purge_expired_credentials(), "throttle_counters": purge_spent()}


def queue_password_resets(*, email: str, link: str) -> None:
    """Queue a reset mail to each active account with this email and a password (the worker
    sends it: send_password_reset). `link` is the page the mail links to, with
    {uid} and {token} in it. Whether any account matched is never told."""
    # Django's own choice of who may reset: active, with a password, and the address equal
    # however Unicode folds case (not only the database's case-insensitive match).
    for user in PasswordResetForm().get_users(email):
        send_password_reset.enqueue(user.pk, link)
