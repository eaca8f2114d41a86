"""Django's CommonMiddleware, with redirects to the trailing slash that keep a write a write."""

from django.http.response import HttpResponseRedirectBase
from django.middleware import common
from django.utils.http import escape_leading_slashes


class SlashRedirect(HttpResponseRedirectBase):
    """A 308 to the URL with its slash, in JSON: the client sends the same method and body
    again (a 301 is followed as a GET by most clients, and the write is silently lost)."""

    status_code = 308

    def __init__(self, redirect_to, *args, **kwargs):
        super().__init__(redirect_to, *args, content_type="application/json", **kwargs)
        self.content = (
            b'{"detail": "This URL ends with a slash; the request was redirected there."}'
        )


class CommonMiddleware(common.CommonMiddleware):
    response_redirect_class = SlashRedirect

    def get_full_path_with_slash(self, request):
        # Django raises for a write in DEBUG because its 301 would lose the body; a 308 keeps it.
        return escape_leading_slashes(request.get_full_path(force_append_slash=True))
