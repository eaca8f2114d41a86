"""Settings for the test suite: the real ones, with a fixed key and a fast password hasher."""

import os

# Test-only values, set before the real settings read the environment.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("THROTTLE_LOGIN_RATE", "10000/min")
os.environ.setdefault("THROTTLE_REGISTER_RATE", "10000/min")
os.environ.setdefault("THROTTLE_REFRESH_RATE", "10000/min")
os.environ.setdefault("THROTTLE_EXPORT_RATE", "10000/min")
os.environ.setdefault("THROTTLE_IMPORT_RATE", "10000/min")

from ledger_project.settings import *  # noqa: F403
from ledger_project.settings import BASE_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not SQLite's in-memory default: the concurrency tests need several connections to it.
if DATABASES["default"]["ENGINE"] == "common.sqlite":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".pytest-db.sqlite3")}

# Serve assets from the apps' folders, so tests need no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
