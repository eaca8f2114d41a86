"""Content negotiation that answers an unknown `?format=` with a 400 naming it, not a 404."""

from django.http import Http404
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE, None) == "":
            raise ValidationError({"format": ["Give a format, or leave the parameter out."]})
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        try:
            return super().filter_renderers(renderers, format)
        except Http404:
            known = ", ".join(sorted({r.format for r in renderers if r.format != "api"}))
            raise ValidationError(
                {"format": [f"Unknown format {format!r}; use {known}."]}
            ) from None
