"""Fill ledger_dailytotal from the entries already posted, so balances by day agree with them."""

from django.db import migrations

BACKFILL = """
INSERT INTO ledger_dailytotal (user_id, customer_id, day, credit, debit, entry_count)
SELECT user_id, customer_id, entry_date,
       SUM(CASE WHEN type = 'credit' THEN amount ELSE 0 END),
       SUM(CASE WHEN type = 'debit' THEN amount ELSE 0 END),
       COUNT(*)
FROM ledger_entry
GROUP BY user_id, customer_id, entry_date
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_daily_totals_and_owner_first_indexes")]

    operations = [migrations.RunSQL(BACKFILL, "DELETE FROM ledger_dailytotal")]
