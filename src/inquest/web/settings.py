"""Django settings for the workbench, read from the environment (see ``inquest.web.config``).

Variables: ``INQUEST_DATA_DIR``, ``INQUEST_DATABASE_URL``, ``INQUEST_SECRET_KEY``,
``INQUEST_DEBUG``, ``INQUEST_ALLOWED_HOSTS``, ``INQUEST_CSRF_TRUSTED_ORIGINS``, ``INQUEST_HTTPS``,
``INQUEST_STATIC_ROOT``, ``INQUEST_TIME_ZONE``. docs/deployment/workbench.md describes each.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from inquest.web import config

_ENV = os.environ
WEB_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir(_ENV)

SECRET_KEY = config.secret_key(_ENV, DATA_DIR)
DEBUG = config.env_bool(_ENV, "INQUEST_DEBUG", default=False)
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
    "inquest.web.access",
    "inquest.web.audit",
    "inquest.web.registry",
    "inquest.web.witnesses",
    "inquest.web.runs",
    "inquest.web.linking",
    "inquest.web.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

DATABASES = {"default": config.database(_ENV, DATA_DIR)}
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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

_HTTPS = config.env_bool(_ENV, "INQUEST_HTTPS", default=False)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if _HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
