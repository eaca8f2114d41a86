"""A party's kind (customer or supplier), credit limit and its policy, payment terms, language
and reminders, and what of its payments counts against its dues (ledger 0013 fills it in)."""

from decimal import Decimal

from django.db import migrations, models

import common.fields


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_customers_belong_to_books")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="kind",
            field=models.CharField(
                choices=[("customer", "Customer"), ("supplier", "Supplier")],
                default="customer",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="credit_limit",
            field=common.fields.MoneyField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="customer",
            name="credit_limit_policy",
            field=models.CharField(
                choices=[("warn", "Warn"), ("block", "Block")], default="warn", max_length=5
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="payment_terms_days",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="customer",
            name="locale",
            field=models.CharField(blank=True, max_length=35),
        ),
        migrations.AddField(
            model_name="customer",
            name="reminders_enabled",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="customer",
            name="dues_paid",
            field=common.fields.MoneyField(default=Decimal("0.00"), editable=False),
        ),
        migrations.AddField(
            model_name="customer",
            name="dues_settled",
            field=common.fields.MoneyField(default=Decimal("0.00"), editable=False),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(kind__in=["customer", "supplier"]),
                name="customers_customer_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(credit_limit_policy__in=["warn", "block"]),
                name="customers_customer_limit_policy_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(credit_limit__isnull=True) | models.Q(credit_limit__gte=0),
                name="customers_customer_limit_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(payment_terms_days__lte=3650),
                name="customers_customer_terms_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(dues_paid__gte=0) & models.Q(dues_settled__gte=0),
                name="customers_customer_dues_not_negative",
            ),
        ),
    ]
