"""Request and response shapes of the ledger routes."""

from functools import cached_property

from django import forms
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.filters import StrictBooleanField, refuse_unknown
from common.scoping import TenantRelatedField, tenant_of
from common.serializers import (
    AmountField,
    DateField,
    MoneyField,
    TextField,
)
from customers.models import Customer
from ledger.dues import BUCKETS
from ledger.models import Entry, EntryType


class EntrySerializer(serializers.ModelSerializer):
    """A posted entry, who posted it, and the links of a reversal in both directions."""

    amount = MoneyField()
    reversed_by = serializers.SerializerMethodField()
    created_by = serializers.CharField(
        source="created_by_name", read_only=True, help_text="The username of who posted it."
    )

    class Meta:
        model = Entry
        fields = [
            "id",
            "customer",
            "type",
            "amount",
            "note",
            "entry_date",
            "due_date",
            "created_at",
            "reverses",
            "reversed_by",
            "created_by",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reversed_by(self, entry) -> int | None:
        return entry.reversed_by_id

    def to_representation(self, entry):
        # The hot path of every entry list: the answer the declared fields give (two-place
        # amount, ISO dates, created_at in the current time zone with Z for UTC), built
        # directly: DRF's generic walk over the fields cost more than the query did. `entry` is
        # an Entry or a row of selectors.entry_rows(); both have these attributes.
        return {
            "id": entry.id,
            "customer": entry.customer_id,
            "type": entry.type,
            "amount": f"{entry.amount:.2f}",
            "note": entry.note,
            "entry_date": entry.entry_date.isoformat(),
            "due_date": entry.due_date and entry.due_date.isoformat(),
            "created_at": self._timestamp(entry.created_at),
            "reverses": entry.reverses_id,
            "reversed_by": entry.reversed_by_id,
            "created_by": entry.created_by_name,
        }

    @cached_property
    def _timestamp(self):
        """DateTimeField's formatting, with the time zone looked up once per serializer."""
        zone = timezone.get_current_timezone()

        def timestamp(moment):
            text = moment.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return timestamp


class PostedEntrySerializer(EntrySerializer):
    """A newly posted entry, with any warnings its posting met (a warn credit limit passed)."""

    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def to_representation(self, entry):
        return {**super().to_representation(entry), "warnings": getattr(entry, "warnings", [])}


class NestedEntryCreateSerializer(serializers.Serializer):
    """A new entry for the customer named in the URL."""

    type = serializers.ChoiceField(choices=EntryType.choices)
    amount = AmountField()
    entry_date = DateField(required=False, help_text="Defaults to today.")
    due_date = DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For an entry that opens a due (a customer's credit, a supplier's debit): "
        "when it falls due. Default: entry_date plus the party's payment_terms_days.",
    )
    note = TextField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        attrs.setdefault("entry_date", tenant_of(self.context["request"]).today())
        return attrs


class EntryCreateSerializer(NestedEntryCreateSerializer):
    """A new entry; `customer` must be one of the book's customers."""

    customer = TenantRelatedField(Customer)


class ReverseEntrySerializer(serializers.Serializer):
    """Optional note and date of the reversing entry (by default, the original's date)."""

    note = TextField(max_length=500, required=False, allow_blank=True, default="")
    entry_date = DateField(required=False, allow_null=True, default=None)


class SummarySerializer(serializers.Serializer):
    """A customer's totals: over the whole history, or up to `as_of`."""

    customer = serializers.IntegerField()
    total_credit = MoneyField()
    total_debit = MoneyField()
    balance = MoneyField()
    entry_count = serializers.IntegerField()
    last_entry_date = serializers.DateField(allow_null=True)


# Open amounts by how many days past their due date ("current": not yet due); the names are
# the buckets' own ("1-30"), which no Python attribute can spell, hence a class made by type().
AgeingBucketsSerializer = type(
    "AgeingBucketsSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Open amounts by days past their due date (current: not yet due).",
        "__module__": __name__,
        **{name: MoneyField() for _, name in BUCKETS},
    },
)


class AgeingSerializer(serializers.Serializer):
    """What a customer (or supplier) has open as of a day, and how long overdue."""

    customer = serializers.IntegerField()
    kind = serializers.CharField()
    as_of = serializers.DateField()
    due = MoneyField(help_text="All that is open: current + overdue.")
    overdue = MoneyField(help_text="What fell due before as_of and is still open.")
    oldest_due_date = serializers.DateField(
        allow_null=True, help_text="The oldest due date with something still open."
    )
    buckets = AgeingBucketsSerializer()


class SidesSerializer(serializers.Serializer):
    receivable = MoneyField(help_text="Customers': you will get.")
    payable = MoneyField(help_text="Suppliers': you will give.")


class AgeingSidesSerializer(serializers.Serializer):
    receivable = AgeingBucketsSerializer()
    payable = AgeingBucketsSerializer()


class ByKindSerializer(serializers.Serializer):
    customer = SidesSerializer()
    supplier = SidesSerializer()


class DashboardSerializer(serializers.Serializer):
    """The book at a glance."""

    total_receivable = MoneyField(help_text="Sum of positive balances: you will get.")
    total_payable = MoneyField(
        help_text="Sum of negative balances, as a positive number: you will give."
    )
    net = MoneyField(help_text="total_receivable - total_payable.")
    customer_count = serializers.IntegerField(help_text="Customers in the active list.")
    customers_with_dues = serializers.IntegerField(help_text="Customers who owe you.")
    overdue = SidesSerializer(help_text="What fell due before today and is still open.")
    ageing = AgeingSidesSerializer(
        help_text="What is open, by days overdue: customers' (receivable), suppliers' (payable)."
    )
    by_kind = ByKindSerializer(help_text="total_receivable and total_payable by kind.")


class ImportResultSerializer(serializers.Serializer):
    """How many entries an import posted (or, in a dry run, would post)."""

    imported = serializers.IntegerField()
    valid_rows = serializers.IntegerField(required=False, help_text="Dry run only.")
    dry_run = serializers.BooleanField(required=False)


class StatementLineSerializer(serializers.Serializer):
    """One entry of a statement, with the balance just after it."""

    id = serializers.IntegerField()
    entry_date = serializers.DateField()
    type = serializers.ChoiceField(choices=EntryType.choices)
    amount = MoneyField()
    note = serializers.CharField()
    balance = MoneyField()


class StatementSerializer(serializers.Serializer):
    """A page of a statement: the period's figures, the balance the page opens with, its
    entries, and the link to the next page (null on the last)."""

    customer = serializers.IntegerField(source="customer.pk")
    customer_name = serializers.CharField(source="customer.name")
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    opening_balance = MoneyField()
    total_credit = MoneyField()
    total_debit = MoneyField()
    closing_balance = MoneyField()
    entry_count = serializers.IntegerField()
    page_opening_balance = MoneyField(help_text="The balance before this page's first entry.")
    entries = StatementLineSerializer(many=True, read_only=True)
    next = serializers.URLField(allow_null=True, help_text="The next page, or null.")


class StrictBooleanQueryField(serializers.Field):
    """A yes/no query value: true, false, 1 or 0; anything else is a 400, never "no"."""

    def to_internal_value(self, data):
        try:
            value = StrictBooleanField().to_python(data)
        except forms.ValidationError:
            value = None
        if value is None:
            raise serializers.ValidationError("Enter true or false.")
        return value


class StrictQuerySerializer(serializers.Serializer):
    """The query parameters of the routes on one object, each read strictly: a malformed one
    is a 400 naming it."""

    as_of = DateField(required=False)
    start_date = DateField(required=False)
    end_date = DateField(required=False)
    dry_run = StrictBooleanQueryField(required=False)

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"end_date": ["end_date must be on or after start_date."]}
            )
        return attrs

    @classmethod
    def values(cls, request, *names, also=()) -> dict:
        """The named parameters, parsed; one the route does not take (`names`, `also`, which
        the view reads itself, and `format`) is a 400 too."""
        refuse_unknown(request, {*names, *also})
        given = {name: request.query_params[name] for name in names if name in request.query_params}
        serializer = cls(data=given)
        serializer.is_valid(raise_exception=True)
        return {name: serializer.validated_data.get(name) for name in names}

    @classmethod
    def read(cls, request, name):
        return cls.values(request, name)[name]

    @classmethod
    def period(cls, request, *, also=()) -> dict:
        """`start_date` and `end_date` (either may be None), the end not before the start."""
        return cls.values(request, "start_date", "end_date", also=also)
