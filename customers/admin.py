"""Customers in Django's admin, read-mostly: totals are the ledger's to keep."""

from django.contrib import admin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "book", "phone", "total_credit", "total_debit", "archived_at"]
    search_fields = ["name", "phone"]
    readonly_fields = ["total_credit", "total_debit", "entry_count", "last_entry_date"]
