"""The archives' domain errors."""

from common.exceptions import DomainError


class InvalidArchive(DomainError):
    """A file given to restore is not a book archive this server can read; nothing is written."""

    status = 400
    default_message = "This is not a Mini Ledger book archive."
