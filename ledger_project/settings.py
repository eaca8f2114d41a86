"""Settings for Mini Ledger, read from the environment; every variable is in the README's table."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Read a whole-number environment variable, refusing anything else with a clear message."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


# Core

DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A one-line stop, not a traceback: the operator needs to know what to set.
        raise SystemExit(
            "DJANGO_SECRET_KEY is not set: export a long random value "
            "(`make run` keeps one in .secret_key for local use)."
        )
    SECRET_KEY = "insecure-key-for-local-debugging-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "common",  # before drf_spectacular: its templates override the docs pages'
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "books",
    "customers",
    "ledger",
    "archives",
    "links",
    "reminders",
    "webhooks",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ledger_project.urls"
WSGI_APPLICATION = "ledger_project.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Several gunicorn workers write to one file: WAL lets readers go on while one writes,
        # IMMEDIATE takes the write lock at BEGIN (no deadlocking lock upgrades), and the
        # timeout makes a writer wait its turn instead of failing with "database is locked".
        # synchronous=FULL syncs every commit: an acknowledged entry survives a power cut too.
        # temp_store=MEMORY keeps statement journals in memory: every INSERT into the entries
        # table runs the posting trigger, so SQLite journals it to undo it alone, and a temp
        # file per row tripled an import's time. cache_size: 64 MiB of pages per connection
        # at most (SQLite's default is 2 MiB), so an import's million rows, their dues and
        # the indexes they go into are written without reading the same pages back again and
        # again while it holds the one write lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY; "
            f"PRAGMA cache_size=-{env_int('SQLITE_CACHE_KIB', 65536)}"
        ),
    }
    DATABASES["default"]["ENGINE"] = "common.sqlite"  # Django's, with writers queued
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
    # Each worker keeps its connection: opening one (and reading the schema) cost more than
    # a whole /api/auth/me/ request. There is no server whose connections this could use up.
    DATABASES["default"]["CONN_MAX_AGE"] = None
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections, not Django
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": 1,
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 4),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        },
    }

# Cache: shared by every worker process (and every app server on one database), so anything
# that uses Django's cache sees one cache. (Throttles count in their own table: common.throttling.)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    },
}

# Auth

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_ACCESS_SECONDS", 300)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    # Refresh is accounts.services.refresh_session: rotation is each session's own policy.
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# Opaque tokens (`Authorization: Token ...`) die after this many days unused; 0: never.
AUTH_TOKEN_IDLE_DAYS = env_int("AUTH_TOKEN_IDLE_DAYS", 30)

# A password reset link works this long (and once: setting a password spends it).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
# The page a reset mail links to, with {uid} and {token} in it; empty: the API's own confirm
# route on the host the request came to (one of ALLOWED_HOSTS).
PASSWORD_RESET_URL = os.environ.get("PASSWORD_RESET_URL", "")

# An invitation by email carries a code good for this many days; the mail links to
# INVITATION_URL with the code at {token} (empty: the API's register route, ?invitation=).
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
# How long a customer's statement link works unless its maker says otherwise.
STATEMENT_LINK_DAYS = env_int("STATEMENT_LINK_DAYS", 30)
INVITATION_URL = os.environ.get("INVITATION_URL", "")

# Email: through the SMTP server EMAIL_HOST names; without one, mails are written to the job
# worker's log (the console backend), so a fresh `make run` needs no mail server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mini Ledger <noreply@localhost>")

# REST framework

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "accounts.authentication.SessionJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in, and a member of the book acted in with the role the action needs.
    "DEFAULT_PERMISSION_CLASSES": ["books.access.BookAccess"],
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.DecimalJSONParser",
        "rest_framework.parsers.FormParser",
        "common.parsers.LimitedMultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "common.filters.KnownParametersFilter",
        "common.filters.FilterSetBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.PageNumberPagination",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "common.negotiation.StrictContentNegotiation",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "common.schema.BookSchema",
    "EXCEPTION_HANDLER": "common.exception_handlers.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": os.environ.get("THROTTLE_LOGIN_RATE", "10/min"),
        "register": os.environ.get("THROTTLE_REGISTER_RATE", "10/hour"),
        "refresh": os.environ.get("THROTTLE_REFRESH_RATE", "30/min"),
        "password_reset": os.environ.get("THROTTLE_PASSWORD_RESET_RATE", "5/hour"),
        # Per user, on the routes that read or write a whole ledger at once.
        "export": os.environ.get("THROTTLE_EXPORT_RATE", "30/min"),
        "import": os.environ.get("THROTTLE_IMPORT_RATE", "20/min"),
        # Per client address, on the public statement link pages.
        "link": os.environ.get("THROTTLE_LINK_RATE", "30/min"),
    },
    # Client addresses come from REMOTE_ADDR unless the operator says how many proxies to trust;
    # trusting X-Forwarded-For by default would let any client pick its own throttle bucket.
    "NUM_PROXIES": env_int("DJANGO_NUM_PROXIES", 0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mini Ledger API",
    "DESCRIPTION": "Customer ledgers (khata) for small merchants: customers, credits, debits, "
    "balances and statements, one merchant's data invisible to every other.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two "status" choice sets (a job's, a membership's) and two "role" ones (any role; a book
    # token's, which is never owner).
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "jobs.models.JobStatus",
        "MembershipStatusEnum": "books.models.MembershipStatus",
        "RoleEnum": "books.models.Role",
        "BookTokenRoleEnum": "books.serializers.BOOK_TOKEN_ROLES",
        "PartyKindEnum": "customers.models.Kind",
        "TokenKindEnum": "accounts.models.AuthToken.Kind",
        "CreditLimitPolicyEnum": "customers.models.LimitPolicy",
        "ReminderChannelEnum": "reminders.models.Channel",
        "AutomaticReminderChannelEnum": "reminders.serializers.AUTOMATIC_CHANNELS",
    },
    "PREPROCESSING_HOOKS": ["common.schema.exclude_earlier_clients_routes"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.schema.document_no_null_characters",
        "common.schema.document_server_limits",
    ],
    # Request bodies are JSON (and text/csv for the import); the form parsers exist for the
    # browsable API's HTML forms and are not part of the documented contract.
    "PARSER_WHITELIST": ["common.parsers.DecimalJSONParser"],
}

# Internationalisation

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# What a new book starts with (registration's first book, and a new book that does not say):
# its currency (ISO 4217), locale (BCP 47) and time zone (IANA; "today" is the book's).
DEFAULT_CURRENCY = os.environ.get("DEFAULT_CURRENCY", "INR")
DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "en-IN")
DEFAULT_TIME_ZONE = os.environ.get("DEFAULT_TIME_ZONE", "Asia/Kolkata")

# Static files (admin, browsable API and the docs), served by the app itself through WhiteNoise

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A page whose asset is missing from the manifest still renders (the asset 404s): no 500s.
WHITENOISE_MANIFEST_STRICT = False

# Security: DJANGO_HTTPS=1 is the production switch (behind a proxy that terminates TLS and
# sets X-Forwarded-Proto); without it the server speaks plain HTTP, as `make run` on loopback does.

HTTPS = env_bool("DJANGO_HTTPS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "common.views.csrf_failure"

# Logging: everything to stderr, where gunicorn and any process manager collect it

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # fontTools reports every font it subsets for a PDF, at INFO: hundreds of lines a PDF.
    "loggers": {"fontTools": {"level": "WARNING"}},
}

# Jobs: long work runs on a durable queue in the database (django-tasks' database backend), in
# the job workers gunicorn starts beside itself (JOB_WORKERS; 0 to run `manage.py run_jobs` as
# services of their own). See jobs/.

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Where a job's input (an uploaded file) waits for its worker; on a shared disk when the job
# workers run on other machines than the app servers.
JOB_FILES_DIR = os.environ.get("JOB_FILES_DIR") or str(BASE_DIR / "var" / "jobs")
# A running job's worker beats this often; a job whose worker has not beaten for
# JOB_STALE_SECONDS is taken to be abandoned, and queued again until JOB_MAX_ATTEMPTS.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 5)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 120)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 30)
# A CSV export of more rows than this is made by a job, and its file kept for its owner to
# download for EXPORT_KEEP_HOURS (a smaller one streams at once).
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 100_000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
# Periodic tasks: a task's dotted path, and every how many seconds it runs.
PERIODIC_TASKS = {
    "accounts.tasks.purge_credentials": 3600,
    "ledger.tasks.purge_idempotency_keys": 3600,
    "ledger.tasks.discard_abandoned_imports": 3600,
    "jobs.tasks.prune_finished": 3600,
    "webhooks.tasks.sweep": 60,
    "reminders.tasks.send_automatic": env_int("REMINDER_SWEEP_SECONDS", 3600),
}

# Webhooks: addresses in private, loopback or reserved ranges are refused unless this is set
# (a server must not be a way into its own network); an attempt waits this long for an answer,
# a failed one is tried again after each of these waits in turn (then the delivery has
# failed), and deliveries are kept this many days. After a secret is rotated, the old one
# still signs for WEBHOOK_SECRET_GRACE_HOURS.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE")
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_RETRY_SECONDS = [
    int(wait) for wait in env_list("WEBHOOK_RETRY_SECONDS", "5,300,1800,7200,18000,36000,36000")
]
WEBHOOK_SWEEP_SECONDS = 60
WEBHOOK_KEEP_DAYS = env_int("WEBHOOK_KEEP_DAYS", 30)
WEBHOOK_SECRET_GRACE_HOURS = env_int("WEBHOOK_SECRET_GRACE_HOURS", 24)

# The address customers reach this server at (statement links in automatic reminders, which
# no request carries); a reminder sent by hand uses the host the request came to when unset.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:8000").rstrip("/")

# Ledger

# How long an Idempotency-Key is remembered (at least 24 hours, as the API promises).
IDEMPOTENCY_KEY_RETENTION_HOURS = max(24, env_int("IDEMPOTENCY_KEY_RETENTION_HOURS", 48))

# The CSV import route streams its body, so it has its own limit instead of Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (which stays at its 2.5 MB default for every other route).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 256 * 1024 * 1024)
# A file up to this size is imported at once (201); a bigger one by a job (202): about 15,000
# rows, a quarter of a second's work.
IMPORT_SYNC_MAX_BYTES = env_int("IMPORT_SYNC_MAX_BYTES", 512 * 1024)

# A TrueType font for PDF statements (names in any script the font covers); by default the
# first of DejaVu Sans, Noto Sans or Liberation Sans found on the machine, else the PDF core
# font, which draws Latin-1 only.
PDF_FONT_PATH = os.environ.get("PDF_FONT_PATH", "")
# A PDF statement is for sending to a customer: past this many entries, ask for CSV instead.
STATEMENT_PDF_MAX_ENTRIES = env_int("STATEMENT_PDF_MAX_ENTRIES", 10_000)
PDF_FALLBACK_FONT_DIR = os.environ.get("PDF_FALLBACK_FONT_DIR", "")
