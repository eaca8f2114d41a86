"""The books' domain errors; the API's exception handler answers each with its `status`."""

from common.exceptions import DomainError


class BookError(DomainError):
    """A request broke a rule of books and their members."""


class BookArchived(BookError):
    """An archived book is read-only until an owner restores it."""

    status = 409
    default_message = "This book is archived; an owner must restore it before it changes."


class DefaultBookArchive(BookError):
    """The caller's default book cannot be archived: their routes without a book act on it."""

    status = 409
    default_message = (
        "This is your default book; make another book your default (PATCH /api/auth/me/) "
        "before archiving it."
    )


class NotAMember(BookError):
    """Only a book's active members may be made to act in it."""

    status = 400
    default_message = "You are not a member of this book."


class AlreadyMember(BookError):
    """A user is a member of a book, or invited to it, once."""

    status = 409
    default_message = "This user is already a member of this book, or invited to it."


class LastOwner(BookError):
    """A book has at least one owner at all times."""

    status = 409
    default_message = (
        "A book needs at least one owner: make another member owner before this one steps "
        "down or leaves."
    )


class InvalidInvitation(BookError):
    """An invitation code must be one this server mailed, still open and not expired."""

    status = 400
    default_message = (
        "This invitation code is not valid: it has expired, was withdrawn or was used already."
    )
