"""Why a statement link does not open: each becomes the plain page that says so."""

from common.exceptions import DomainError


class LinkUnavailable(DomainError):
    """A statement link that cannot be opened."""

    status = 404
    default_message = "This link is not valid. Ask the business for a new one."


class LinkExpired(LinkUnavailable):
    """The link's time is up."""

    status = 410
    default_message = "This link has expired. Ask the business for a new one."


class LinkRevoked(LinkUnavailable):
    """The business withdrew the link."""

    status = 410
    default_message = "This link has been withdrawn by the business."
