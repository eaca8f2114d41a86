"""Recompute every customer's totals from its entries and report any drift from the kept ones."""

from django.core.management.base import BaseCommand, CommandError

from ledger.dues import dues_drift
from ledger.selectors import ledger_drift


class Command(BaseCommand):
    help = (
        "Recompute every customer's running totals, daily totals and open dues from its entries; "
        "print any that differ and exit non-zero if one does."
    )

    def handle(self, *args, **options):
        drifts = list(ledger_drift())
        for drift in drifts:
            kept, recomputed = drift.kept, drift.recomputed
            what = f"day {drift.day}" if drift.day else "running totals"
            self.stdout.write(
                f"customer {drift.customer_id} ({what}): kept credit={kept.total_credit} "
                f"debit={kept.total_debit} count={kept.entry_count} last={kept.last_entry_date}; "
                f"entries say credit={recomputed.total_credit} debit={recomputed.total_debit} "
                f"count={recomputed.entry_count} last={recomputed.last_entry_date}"
            )
        dues = list(dues_drift())
        for customer, read, replayed in dues:
            self.stdout.write(
                f"customer {customer.pk} (dues): open by its dues {_by_day(read)}, "
                f"due {customer.due}; "
                f"entries say {_by_day(replayed)}"
            )
        if drifts or dues:
            raise CommandError(
                f"{len(drifts)} total(s) and {len(dues)} customer(s)' dues drifted from the "
                "entries."
            )
        self.stdout.write(
            self.style.SUCCESS("No drift: every customer's totals and dues match its entries")
        )


def _by_day(rows) -> str:
    return ", ".join(f"{amount} due {day}" for day, amount in rows) or "nothing"
