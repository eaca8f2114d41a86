"""The customers' domain errors; the API's exception handler answers each with its `status`."""

from common.exceptions import DomainError


class CustomerError(DomainError):
    """A request broke a rule about customers."""


class KindFixed(CustomerError):
    """A party's kind says which way its dues run: it cannot change once it has entries."""

    default_message = "This party has entries; its kind cannot change."
