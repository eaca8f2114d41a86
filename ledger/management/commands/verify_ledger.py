"""Recompute every customer's totals from its entries and report any drift from the kept ones."""

from django.core.management.base import BaseCommand, CommandError

from ledger.selectors import ledger_drift


class Command(BaseCommand):
    help = (
        "Recompute every customer's running totals and daily totals from its entries; print any "
        "that differ and exit non-zero if one does."
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
        if drifts:
            raise CommandError(f"{len(drifts)} total(s) drifted from the entries.")
        self.stdout.write(self.style.SUCCESS("No drift: every customer's totals match its entries"))
