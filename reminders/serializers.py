"""Request and response shapes of the reminder routes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.serializers import JSONBooleanField, TextField
from customers.models import Kind
from reminders import texts
from reminders.models import Channel, Reminder, ReminderSettings

# What automatic reminders may go by (not "none": they would reach no one).
AUTOMATIC_CHANNELS = [Channel.EMAIL.value, Channel.WEBHOOK.value]


def _template(text: str) -> str:
    wrong = texts.problems(text)
    if wrong:
        raise serializers.ValidationError(wrong)
    return text


class ReminderCreateSerializer(serializers.Serializer):
    """How to send it (none: only compose the text, to paste into any messenger), and a text
    for this one instead of the book's (the same placeholders)."""

    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.NONE)
    message = TextField(required=False, max_length=texts.MAX_LENGTH, validators=[_template])


class ReminderSerializer(serializers.ModelSerializer):
    """A reminder as composed, and what became of it: composed (channel none), queued (the
    worker is mailing it), sent, or failed (`error` says why)."""

    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Reminder
        fields = [
            "id",
            "customer",
            "channel",
            "automatic",
            "subject",
            "text",
            "to",
            "status",
            "error",
            "sent_at",
            "created_at",
            "created_by",
            "link",
        ]
        read_only_fields = fields


_TEXTS = {
    "type": "object",
    "properties": {
        language: {"type": "string", "maxLength": texts.MAX_LENGTH} for language in texts.LANGUAGES
    },
    "additionalProperties": False,
}


@extend_schema_field(
    {
        "type": "object",
        "properties": {kind: _TEXTS for kind in Kind.values},
        "additionalProperties": False,
        "description": "{kind: {language: text}}. An empty text puts back the default.",
    }
)
class TemplatesField(serializers.DictField):
    """{kind: {language: text}}: the book's own texts (an empty one puts back the default)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        errors, value = {}, {}
        for kind, by_language in data.items():
            if kind not in Kind.values:
                errors[kind] = [f"Not a kind of party; use {' or '.join(Kind.values)}."]
                continue
            if not isinstance(by_language, dict):
                errors[kind] = ["Give {language: text}."]
                continue
            value[kind] = {}
            for language, text in by_language.items():
                if language not in texts.LANGUAGES:
                    errors[f"{kind}.{language}"] = [
                        f"Not a language with reminders; use one of {', '.join(texts.LANGUAGES)}."
                    ]
                elif not isinstance(text, str):
                    errors[f"{kind}.{language}"] = ["Give the text, or an empty one."]
                elif text and texts.problems(text):
                    errors[f"{kind}.{language}"] = texts.problems(text)
                else:
                    value[kind][language] = text or ""
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def to_representation(self, own):
        return texts.effective(own)


class ReminderSettingsSerializer(serializers.ModelSerializer):
    """The book's automatic reminders. `templates` answers every text the book uses, by kind
    of party and language (its own where it has one); `placeholders` what a text may say."""

    enabled = JSONBooleanField(required=False)
    every_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    min_overdue_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    channel = serializers.ChoiceField(choices=AUTOMATIC_CHANNELS, required=False)
    templates = TemplatesField(required=False)
    placeholders = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)  # null: never set

    class Meta:
        model = ReminderSettings
        fields = [
            "enabled",
            "every_days",
            "min_overdue_days",
            "channel",
            "templates",
            "placeholders",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def get_placeholders(self, _) -> dict[str, str]:
        return texts.PLACEHOLDERS
