"""Mini Ledger's Django project: configuration only (settings, URLs, WSGI/ASGI)."""
