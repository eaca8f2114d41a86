"""Where a webhook may send: an http(s) URL whose host resolves only to public addresses.

A host that resolves to a private, loopback, link-local or otherwise non-global address is
refused (the server must not be a way into its own network) unless the operator allows it
(WEBHOOK_ALLOW_PRIVATE). The check runs when the webhook is saved and again before every
attempt, and the attempt connects to the very address checked (the URL's host still names it,
as Host and TLS server name), so a name that changes what it resolves to cannot slip past.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from webhooks.exceptions import AddressRefused

PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """A URL pinned to the address it was checked at."""

    url: str  # the URL with the host replaced by the address
    host: str  # the Host header
    server_name: str  # the TLS server name (https)


def check(url: str) -> Target:
    """The URL, pinned to a public address of its host; AddressRefused saying why not."""
    parts = urlsplit(url)
    if parts.scheme not in PORTS or not parts.hostname:
        raise AddressRefused("A webhook's URL must be an http or https URL with a host.")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(
            "A webhook's URL must not carry a user name or password; the signature "
            "proves who sent it."
        )
    try:
        port = parts.port or PORTS[parts.scheme]
    except ValueError:
        raise AddressRefused("The URL's port is not a number from 1 to 65535.") from None
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressRefused(f"The host {parts.hostname!r} cannot be resolved.") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if not settings.WEBHOOK_ALLOW_PRIVATE and not all(a.is_global for a in addresses):
        raise AddressRefused(
            f"The host {parts.hostname!r} resolves to a private or reserved address; "
            "webhooks are sent to public addresses only."
        )
    address = addresses[0]
    netloc = f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"
    return Target(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host=parts.netloc,
        server_name=parts.hostname,
    )
