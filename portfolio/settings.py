"""
Settings for SoMe Portfolio: one module, read from the environment.

Every variable is documented in `.env.example`. With no environment at all the
defaults give a working local site on SQLite with DEBUG on. With DEBUG off the
site refuses to start without a SECRET_KEY and turns on the HTTPS protections.
"""

import base64
import datetime as dt
import hashlib
import os
import re
import sys
import zoneinfo
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env_log_level(name: str, default: str) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a log level; use {', '.join(LOG_LEVELS)}.")
    return level


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's machine: DEBUG is on and no key was given.
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The public address of the site, printed in every frozen dossier (its verification address and QR code), so that a
# reader holding only the PDF knows where to check it. Required with DEBUG off: a wrong one would be printed forever.
SITE_URL = (env_str("SITE_URL") or ("http://127.0.0.1:8000" if DEBUG else "")).rstrip("/")
if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} must be the site's public address, e.g. https://portfolio.example.edu "
        "(required when DEBUG is off)."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "simple_history",
    "axes",
    "csp",
    "accounts",
    "metrics",
    "portfolio.privacy",
    "portfolio.dossiers",
    "portfolio.comparisons",
    "portfolio.records",
    "portfolio.demo",
    "portfolio.imports",
]
# The benchmark commands are for development: their app is installed when BENCHMARKS is on (the default with
# DEBUG on) or when one of them is being run; a production site does not carry them.
_COMMAND = sys.argv[1] if len(sys.argv) > 1 else ""
BENCHMARKS = env_bool("BENCHMARKS", DEBUG) or _COMMAND.startswith("benchmark_")
if BENCHMARKS:
    INSTALLED_APPS.append("portfolio.benchmarks")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portfolio.middleware.permissions_policy",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Who made a change: history records of admin, page and API writes name the signed-in user.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: it turns a sign-in refused for a locked username into the "locked" answer.
    "axes.middleware.AxesMiddleware",
]
# The admin shows each object's history; reverting to an old record would bring back an old verification.
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "portfolio.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

WSGI_APPLICATION = "portfolio.wsgi.application"

# SQLite by default (nothing to install); PostgreSQL in production and in CI,
# e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/some_portfolio
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A request waits at most this long for one SQL statement (on a locked table, say) before it fails, instead of
# holding a worker. Management commands (migrate, imports, seed_demo, ...) run with no limit: their long
# statements are expected, and nobody is waiting on a page. Read on PostgreSQL; 0 turns it off.
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 5000)
RUNNING_A_COMMAND = Path(sys.argv[0]).name in {"manage.py", "django-admin"} and _COMMAND != "runserver"
if DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis")):
    # PostgreSQL compiles a query to machine code (JIT) once its estimated cost is high, as for the comparison's
    # read of every post; on that read the compilation took 170 ms of 640 ms and saved nothing. Our queries are
    # short: without JIT they run at once. A `jit` setting in DATABASE_URL's `?options=` takes precedence.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in _options.get("options", ""):
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    if DB_STATEMENT_TIMEOUT_MS > 0 and not RUNNING_A_COMMAND and "statement_timeout" not in _options.get("options", ""):
        _options["options"] = f"{_options.get('options', '')} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: a locked username is refused before its password is checked.
    "portfolio.logins.LoginAttemptsBackend",
    # Django's ModelBackend, loading a session's user with the scope stamp (accounts/scope_stamp.py).
    "accounts.authentication.StampedModelBackend",
]
# Password guessing (`portfolio/logins.py`): the 6th wrong password in a row for one username, on any of the three
# sign-ins (site, admin, API token), answers "locked"; the count lives in the database, shared by every worker.
# Locking by username alone stops a guesser who changes address; the price is that anyone can lock a login for a
# while, which an admin lifts with `manage.py axes_reset_username <username>`.
# The wrong password that locks: the 6th in a row (the first five answer "wrong password" as before).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 6)
AXES_LOCK_OUT_AT_FAILURE = True
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Its advice (add the client's address) fits a lock per address and browser; ours is per username, which a new
# address or User-Agent does not reset. Adding the address would let a guesser start afresh from each one.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portfolio.logins.locked_out"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
# The site's own time zone: "today" and a post's publication day are read in it.
TIME_ZONE = env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone name.")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed file names need `collectstatic`; development serves files as they are.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "media/"
# Uploaded images (screenshots of highlighted posts): the largest file and side accepted (`portfolio/lib/images.py`).
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 5_000_000)
IMAGE_MAX_SIDE = env_int("IMAGE_MAX_SIDE", 4000)
# How long Tesseract may read one screenshot (seconds, each of its two readings): a picture not read in time is
# recorded as such and asks for a person's look, so a worker is never held by one upload.
OCR_TIMEOUT_SECONDS = env_int("OCR_TIMEOUT_SECONDS", 60)
# The cache every worker shares: the API's throttles count in it. In the database by default (the table is made by
# `manage.py createcachetable`, which `make run` and `make serve` run), in Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
    )
}

# Background work (large imports, PDFs, freezing) runs as Celery tasks: on workers through the broker named by
# CELERY_BROKER_URL (Redis, e.g. redis://127.0.0.1:6379/0), or in the web process itself when none is set, so a
# fresh machine needs nothing more. `portfolio/celery.py` is the Celery app; docs/scale.md tells how to run workers.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged once it has finished, so a worker that dies mid-task leaves it to be run again; every task
# is written to be safe to run twice (an import of the same file changes nothing the second time).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "UTC"
# One queue per kind of work, so that a long import never holds up a PDF: `celery -A portfolio worker -Q imports`
# on one machine, `-Q documents` on another (docs/scale.md).
CELERY_TASK_ROUTES = {"metrics.tasks.*": {"queue": "imports"}, "portfolio.dossiers.tasks.*": {"queue": "documents"}}

# Imported analytics files are kept (every number traces back to its row); larger files are refused.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# What one import file may hold, so that any file is read in bounded time and memory; `metrics/importers/limits.py`
# says what each one bounds and why its default is far above any real export. A file past one is refused whole.
IMPORT_MAX_WHOLE_BYTES = env_int("IMPORT_MAX_WHOLE_BYTES", 32 * 1024 * 1024)
IMPORT_MAX_ZIP_MEMBERS = env_int("IMPORT_MAX_ZIP_MEMBERS", 1_000)
IMPORT_MAX_ZIP_RATIO = env_int("IMPORT_MAX_ZIP_RATIO", 200)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_000_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 1_000)
IMPORT_MAX_ROW_CHARS = env_int("IMPORT_MAX_ROW_CHARS", 1_000_000)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 2_000_000)
IMPORT_MAX_CAPTION_CHARS = env_int("IMPORT_MAX_CAPTION_CHARS", 65_536)
# Files larger than this are imported by a worker, with progress on the page (smaller ones within the request).
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 5 * 1024 * 1024)
# What a preview counts as a caption that needs a second look before it is stored (a dotted path: the rule
# lives in a portfolio app, which the metrics app does not import).
IMPORT_CAPTION_CHECK = "portfolio.privacy.rules.caption_flags"
# Every upload passes this handler first: it stops a file as soon as it is larger than the view receiving it
# allows (`metrics.uploads.upload_limit`), before the rest is read, kept in memory or written to disk.
FILE_UPLOAD_HANDLERS = [
    "metrics.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# HTTPS protections: on whenever DEBUG is off, each can be turned off behind a
# proxy that already does the job.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a proxy, the reviewer-link access log reads the client's address from X-Forwarded-For.
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", False)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# What a page may load and run (django-csp): this site's own files only, no inline script or style. The two
# exceptions are precise: a nonce for the tags of the API's documentation page (Swagger UI's set-up), and the one
# style attribute every chart's <svg> carries (portfolio/lib/charts.py), allowed by its hash. A frozen dossier
# page sends its own policy (portfolio/dossiers/frozen_document.py), which this one leaves alone.
CHART_SVG_STYLE = "display:block;max-width:100%;height:auto;break-inside:avoid;page-break-inside:avoid"
_CHART_SVG_STYLE_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(CHART_SVG_STYLE.encode()).digest()).decode() + "'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_HASHES, _CHART_SVG_STYLE_HASH],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.StampedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portfolio.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "portfolio.api_filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portfolio.api_schema.AutoSchema",
    # Many usernames tried from one address against the token endpoint (one username is locked after a few wrong
    # passwords, `portfolio/logins.py`); other endpoints need a login first. Counted in the shared cache.
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("TOKEN_THROTTLE_RATE", "20/minute"),
        # The draft check runs many patterns per request; a person checks a few drafts a minute, not hundreds.
        "privacy_check": env_str("PRIVACY_CHECK_THROTTLE_RATE", "60/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Every error of the API answers JSON; a refused write is logged once, whichever view refused it.
    "EXCEPTION_HANDLER": "portfolio.errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SoMe Portfolio API",
    "DESCRIPTION": (
        "Institutions, faculty, social-media accounts, posts and dated metric snapshots. "
        "Authenticate with `Authorization: Token <key>` (POST /api/v1/auth/token/). "
        "Rates are fractions (0.0474 = 4.74%); null means not computable. "
        "Another institution's objects answer 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The documentation pages load their assets from this site, so they work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The schema and its documentation page are public: they describe the API, not anyone's data.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}

# Logs go to the console, one line each: time, level, logger, message. The site's own loggers (accounts, metrics,
# portfolio) log at LOG_LEVEL; libraries only from WARNING, so that their step-by-step INFO does not bury ours
# (WeasyPrint reports every step of every PDF, "Step 2 - Fetching and parsing CSS", and fontTools each font subset).
LOG_LEVEL = env_log_level("LOG_LEVEL", "INFO")


def _not_a_404(record) -> bool:
    # Django logs every 4xx answer with its path. A 404 is the normal answer to another institution's id and to
    # a dead reviewer link, whose path carries its token: neither is news, and a token stays out of the log.
    return getattr(record, "status_code", None) != 404


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "filters": {"not_a_404": {"()": "django.utils.log.CallbackFilter", "callback": _not_a_404}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        **{name: {"level": LOG_LEVEL} for name in ("accounts", "metrics", "portfolio")},
        # Named so that Django's own console handler goes: every line then comes once, through the one above.
        "django": {"level": "WARNING"},
        "django.request": {"level": "WARNING", "filters": ["not_a_404"]},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
