"""Luodi settings: one file, driven by LUODI_* environment variables, SQLite by default."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from luodi.core.env import env_bool, env_int, env_list, env_str, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("LUODI_DATA_DIR", "var")).resolve()

DEBUG = env_bool("LUODI_DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("LUODI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("LUODI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First, so that our registration/ templates (password reset) win over the admin's.
    "luodi.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tree_queries",
    "huey.contrib.djhuey",
    "luodi.core",
    "luodi.accounts",
    "luodi.orgs",
    "luodi.okrs",
    "luodi.checkins",
    "luodi.reports",
    "luodi.notify",
    "luodi.collab",
    "luodi.rhythm",
    "luodi.api",
    "luodi.demo",
    "luodi.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "luodi.web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "luodi.urls"
WSGI_APPLICATION = "luodi.wsgi.application"

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
                "luodi.web.context_processors.luodi",
            ],
        },
    },
]


def _database_config() -> dict:
    url = env_str("LUODI_DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = _SQLITE_OPTIONS
        elif "postgresql" in config["ENGINE"]:
            # PostgreSQL's JIT mistakes our recursive roll-up queries for huge ones and
            # spends seconds compiling queries that run in milliseconds.
            config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "luodi.sqlite3"),
        "OPTIONS": _SQLITE_OPTIONS,
    }


# WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
# check-ins queue instead of failing with "database is locked" halfway through.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}

DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STATICFILES_DIRS = [PACKAGE_DIR / "static"] if (PACKAGE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Re-read static files on change while developing (a half-read file broke a page once).
WHITENOISE_AUTOREFRESH = DEBUG

REDIS_URL = env_str("LUODI_REDIS_URL")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "luodi", "url": REDIS_URL}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "luodi",
        "filename": str(DATA_DIR / "huey.sqlite3"),
    }

# Mail: printed to the console unless an SMTP host is configured (or another backend named).
EMAIL_HOST = env_str("LUODI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LUODI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("LUODI_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("LUODI_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("LUODI_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("LUODI_EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = env_str(
    "LUODI_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("LUODI_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("LUODI_FROM_EMAIL", "luodi@localhost")
# Where people reach Luodi: absolute links in e-mails and chat messages.
LUODI_BASE_URL = env_str("LUODI_BASE_URL", "http://127.0.0.1:8000")
# An invitation link works once, for this many days.
INVITATION_DAYS = 14

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LUODI_LOG_LEVEL", "WARNING")},
}
