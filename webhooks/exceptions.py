"""Why a webhook cannot be made or an event cannot be sent where it asks."""

from common.exceptions import DomainError


class AddressRefused(DomainError):
    """A webhook's address that the server will not send to."""

    status = 400


class NotRedeliverable(DomainError):
    """A delivery still on its way: it is being tried already."""

    status = 409
    default_message = "This delivery is still pending; it will be tried again by itself."
