"""The base of every app's domain errors: a broken product rule, answered with its own status."""


class DomainError(Exception):
    """A request broke a rule of the product; `status` is the HTTP answer it deserves."""

    status = 400
    default_message = "The request breaks a rule of the ledger."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message

    def extra(self) -> dict:
        """More fields for the error answer, beside `detail`."""
        return {}
