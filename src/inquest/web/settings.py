"""Django settings for the workbench, read from the environment (see ``inquest.web.ops.config``).

Variables: ``INQUEST_DATA_DIR``, ``INQUEST_DATABASE_URL``, ``INQUEST_SECRET_KEY``,
``INQUEST_DEBUG``, ``INQUEST_ALLOWED_HOSTS``, ``INQUEST_CSRF_TRUSTED_ORIGINS``, ``INQUEST_HTTPS``,
``INQUEST_STATIC_ROOT``, ``INQUEST_TIME_ZONE``, ``INQUEST_DEMO``, ``INQUEST_MAX_UPLOAD_BYTES``,
``INQUEST_UPLOAD_MAX_AGE_HOURS``, ``INQUEST_EVIDENCE_STORE``, ``INQUEST_MAX_EVIDENCE_BYTES``,
``INQUEST_MAX_EVIDENCE_UPLOAD_BYTES``, ``INQUEST_TIMESTAMP_AUTHORITIES``,
``INQUEST_TIMESTAMP_ON_INTAKE``, ``INQUEST_TIMESTAMP_RENEW_AFTER_DAYS``.
docs/deployment/workbench.md describes each.

Loading them tightens the process umask (no group or other bits) and refuses to start while
the data folder, the SQLite database or a key file is open to other accounts.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from inquest.private import restrict_umask
from inquest.web.ops import config

# Whatever this process writes (SQLite's journals, runs, uploads) is its owner's alone.
restrict_umask()
_ENV = os.environ
WEB_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir(_ENV)

SECRET_KEY = config.secret_key(_ENV, DATA_DIR)
DEBUG = config.env_bool(_ENV, "INQUEST_DEBUG", default=False)
# A demonstration on synthetic data (`inquest demo`): every page says so in a banner.
DEMO = config.env_bool(_ENV, "INQUEST_DEMO", default=False)
ALLOWED_HOSTS = config.env_list(
    _ENV, "INQUEST_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = config.env_list(_ENV, "INQUEST_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_otp",
    # Kept for its migrations: inquest_accounts moves its devices into sealed ones.
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "inquest.web.access",
    "inquest.web.audit",
    "inquest.web.accounts",
    "inquest.web.registry",
    "inquest.web.witnesses",
    "inquest.web.runs",
    "inquest.web.linking",
    "inquest.web.evidence",
    "inquest.web.site",
    "inquest.web.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "inquest.web.ops.hardening.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "inquest.web.accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "inquest.web.access.middleware.RoleCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "inquest.web.accounts.middleware.TwoFactorRequiredMiddleware",
    "inquest.web.audit.middleware.ShownObjectsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "inquest.web.ops.hardening.BidiControlsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "inquest.web.urls"
WSGI_APPLICATION = "inquest.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inquest.web.site.context.display_preferences",
                "inquest.web.site.context.demo",
            ],
        },
    },
]

DATABASES = {"default": config.database(_ENV, DATA_DIR)}
config.create_sqlite_file(DATABASES["default"])
config.check_private(_ENV, DATA_DIR, DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every handler redacts decrypted witness identities (inquest.web.witnesses.redaction).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_identities": {"()": "inquest.web.witnesses.redaction.RedactRevealed"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_identities"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fa", _("Persian"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
TIME_ZONE = config.time_zone(_ENV)
USE_I18N = True
USE_TZ = True

LOGIN_URL = "site:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"

STATIC_URL = "static/"
STATIC_ROOT = Path(_ENV.get("INQUEST_STATIC_ROOT", str(DATA_DIR / "static")))

# --- Security (docs/security/threat-model.md). `check --deploy` is clean with INQUEST_HTTPS=1.
_HTTPS = config.env_bool(_ENV, "INQUEST_HTTPS", default=False)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
# "__Host-" cookies are only accepted over HTTPS, for this host, on every path.
SESSION_COOKIE_NAME = "__Host-sessionid" if _HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if _HTTPS else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Idle timeout: a session unused for 30 minutes ends. A request renews it, at most once a
# minute (accounts.middleware.SessionRenewalMiddleware), not with a write on every page.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
    }
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify and are upgraded to argon2 at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: 5 failures for one user name from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "inquest/accounts/locked_out.html"
AXES_ENABLE_ADMIN = False
# Behind N reverse proxies, the client address is the N-th from the right of X-Forwarded-For
# (inquest.web.accounts.signin_failures.client_ip); 0 (the default) trusts no header.
INQUEST_TRUSTED_PROXIES = config.env_int(_ENV, "INQUEST_TRUSTED_PROXIES", default=0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "inquest.web.accounts.signin_failures.client_ip"
# axes stores and locks on a user's name, or a keyed hash of a typed name that is no user
# (it may be a password typed in the user box): never the typed text.
AXES_USERNAME_CALLABLE = "inquest.web.accounts.signin_failures.axes_username"
# A budget of failed sign-ins per window (inquest.web.accounts.signin_failures): past it,
# 429 before any password is checked; the audit log gets a few entries per address and window.
SIGNIN_WINDOW = timedelta(minutes=10)
SIGNIN_FAILURES_PER_ADDRESS = config.env_int(
    _ENV, "INQUEST_SIGNIN_FAILURES_PER_ADDRESS", default=20
)
SIGNIN_FAILURES_ALL_ADDRESSES = config.env_int(
    _ENV, "INQUEST_SIGNIN_FAILURES_ALL_ADDRESSES", default=500
)
# Two-factor (TOTP) for every role that may see above public (inquest.web.accounts.policy).
OTP_TOTP_ISSUER = "inquest"

# Uploads: bodies held in memory are small; a list file may be at most INQUEST_MAX_UPLOAD_BYTES
# (default 50 MiB), checked by inquest.web.registry.staging. Uploads are kept under the data folder,
# never under a served path.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
INQUEST_MAX_UPLOAD_BYTES = config.env_int(_ENV, "INQUEST_MAX_UPLOAD_BYTES", default=50 * 2**20)
# An upload not imported or cancelled within this many hours is deleted (registry.staging).
INQUEST_UPLOAD_MAX_AGE_HOURS = config.env_int(_ENV, "INQUEST_UPLOAD_MAX_AGE_HOURS", default=24)
# A list may decode to at most this many characters of text (inquest.io stops reading there);
# twice what an upload of INQUEST_MAX_UPLOAD_BYTES holds as CSV (docs/list-format.md, Limits).
INQUEST_MAX_LIST_TEXT_CHARS = config.env_int(
    _ENV, "INQUEST_MAX_LIST_TEXT_CHARS", default=128 * 2**20
)

# Evidence: originals in the engine's write-once store (inquest.evidence.open_store), by
# default a private folder of the data folder (so backups carry it); each original at most
# INQUEST_MAX_EVIDENCE_BYTES (command line) or INQUEST_MAX_EVIDENCE_UPLOAD_BYTES (browser).
INQUEST_EVIDENCE_STORE = (
    _ENV.get("INQUEST_EVIDENCE_STORE", "").strip() or (DATA_DIR / "evidence").as_uri()
)
INQUEST_MAX_EVIDENCE_BYTES = config.env_int(_ENV, "INQUEST_MAX_EVIDENCE_BYTES", default=50 * 2**30)
INQUEST_MAX_EVIDENCE_UPLOAD_BYTES = config.env_int(
    _ENV, "INQUEST_MAX_EVIDENCE_UPLOAD_BYTES", default=2 * 2**30
)
# Trusted timestamps: a YAML file listing the RFC 3161 authorities (empty: none; read by
# inquest.evidence.timestamps.load_authorities when first needed), whether every new item
# is timestamped at intake, and the age after which `inquest evidence retimestamp` renews.
INQUEST_TIMESTAMP_AUTHORITIES = _ENV.get("INQUEST_TIMESTAMP_AUTHORITIES", "").strip()
INQUEST_TIMESTAMP_ON_INTAKE = config.env_bool(_ENV, "INQUEST_TIMESTAMP_ON_INTAKE", default=False)
INQUEST_TIMESTAMP_RENEW_AFTER_DAYS = config.env_int(
    _ENV, "INQUEST_TIMESTAMP_RENEW_AFTER_DAYS", default=5 * 365
)

# The API's documentation page loads Swagger UI from the package (drf-spectacular-sidecar),
# never from a CDN.
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# The key first: its challenge makes an anonymous call a 401, not a 403 or an empty 200.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "inquest.web.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["inquest.web.api.permissions.SignedIn"],
    # every API view, the root and the docs page included, described the same way
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
