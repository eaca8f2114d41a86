"""The ledger's domain errors; the API's exception handler answers each with its `status`."""

from common.exceptions import DomainError


class LedgerError(DomainError):
    """A request broke a rule of the ledger."""


class CustomerArchived(LedgerError):
    """Entries cannot be posted to an archived customer until it is restored."""

    status = 409
    default_message = "This customer is archived; restore it before posting entries."


class AlreadyReversed(LedgerError):
    """An entry can be reversed once only."""

    status = 409
    default_message = "This entry has already been reversed."


class ReversalOfReversal(LedgerError):
    """A reversal cannot itself be reversed; post a new entry instead."""

    status = 409
    default_message = "This entry is a reversal and cannot be reversed; post a new entry instead."


class CreditLimitExceeded(LedgerError):
    """A posting would take what a party owes past its credit limit, whose policy is block."""

    status = 409

    def __init__(self, *, credit_limit, balance_after):
        self.credit_limit, self.balance_after = credit_limit, balance_after
        super().__init__(
            f"This would take the balance to {balance_after:.2f}, past the credit limit of "
            f"{credit_limit:.2f}; nothing was posted."
        )

    def extra(self) -> dict:
        return {
            "credit_limit": f"{self.credit_limit:.2f}",
            "balance_after": f"{self.balance_after:.2f}",
        }


class TotalsOverflow(LedgerError):
    """The customer's running totals would leave the range the database can hold exactly."""

    status = 400
    default_message = "This entry would take the customer's totals beyond what can be kept exactly."


# The database's refusals of an entry (ledger/sql/posting.*.sql and the one-to-one reversal
# link), by a name its message carries, and the domain error each one means.
REFUSALS = {
    "ledger_entry_customer_archived": CustomerArchived,
    "ledger_customer_totals_overflow": TotalsOverflow,
    "reverses_id": AlreadyReversed,
}


def refusal_of(exc: Exception) -> LedgerError | None:
    """The domain error a database refusal of an entry means, if it is one of the ledger's."""
    message = str(exc)
    for name, error in REFUSALS.items():
        if name in message:
            return error()
    return None


class IdempotencyKeyInFlight(LedgerError):
    """A request with this Idempotency-Key is still being processed."""

    status = 409
    default_message = "A request with this Idempotency-Key is still in progress; retry shortly."


class IdempotencyKeyReused(LedgerError):
    """The Idempotency-Key was used before for a different request."""

    status = 422
    default_message = "This Idempotency-Key was already used for a different request."


class InvalidImport(LedgerError):
    """A CSV import has a bad row (or header); nothing of it is written."""

    status = 400

    def __init__(self, line: int, field: str | None, message: str):
        self.line, self.field, self.reason = line, field, message
        where = f"Line {line}: {field}: " if field else f"Line {line}: "
        super().__init__(where + message)

    def extra(self) -> dict:
        return {"line": self.line, "errors": {self.field or "non_field_errors": [self.reason]}}


class ImportTooLarge(LedgerError):
    """The CSV body is over the import size limit."""

    status = 413
    default_message = "The file is larger than the import limit."
