"""Why a reminder cannot be sent."""

from common.exceptions import DomainError


class NothingDue(DomainError):
    status = 409
    default_message = "Nothing is due from this party: there is nothing to remind them of."


class NoEmail(DomainError):
    status = 400
    default_message = "This party has no email address; add one, or choose another channel."


class NoWebhook(DomainError):
    status = 409
    default_message = (
        "No enabled webhook of this book receives reminder.sent; add one, or choose another "
        "channel."
    )


class AlreadyReminded(DomainError):
    status = 409
    default_message = "This party has had a reminder today already; one a day is the most they get."
