"""What a party has paid and settled is no longer kept: what is open is read from its dues and
its balance (ledger.dues). The entries' triggers are lifted meanwhile (ledger 0014)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_dues")]

    operations = [
        migrations.RemoveConstraint(
            model_name="customer", name="customers_customer_dues_not_negative"
        ),
        migrations.RemoveField(model_name="customer", name="dues_paid"),
        migrations.RemoveField(model_name="customer", name="dues_settled"),
    ]
