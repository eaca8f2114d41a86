"""Request and response shapes of the statement link routes."""

from django.urls import reverse
from rest_framework import serializers

from links import services
from links.models import StatementLink


class LinkCreateSerializer(serializers.Serializer):
    """How long the new link works (default STATEMENT_LINK_DAYS)."""

    days = serializers.IntegerField(min_value=1, max_value=365, required=False)


class LinkSerializer(serializers.ModelSerializer):
    """A statement link: its URL (which anyone holding it can open), until when, and how often
    it has been opened."""

    url = serializers.SerializerMethodField()
    revoked = serializers.BooleanField(read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = StatementLink
        fields = [
            "id",
            "url",
            "customer",
            "created_at",
            "expires_at",
            "revoked",
            "created_by",
            "opened_count",
            "last_opened_at",
        ]
        read_only_fields = fields

    def get_url(self, link) -> str:
        path = reverse("statement-link", args=[services.token_of(link)])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
