"""Tendril Learn settings: one module, driven by environment variables.

Local development needs no variables at all (SQLite, in-memory cache, DEBUG on).
Production sets DJANGO_DEBUG=0 and at least DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    SECRET_KEY = "django-insecure-local-development-only-key-not-for-production"  # noqa: S105 (DEBUG only; production refuses to start without one)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin with the site's own sign-in (accounts/admin_site.py).
    "accounts.apps.TendrilAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "content_registry",
    # Inline {% partialdef %} fragments, rendered alone as "page.html#name" (htmx swaps, parts).
    "template_partials",
    "lessons",
    "quiz",
    "tutor",
    "progress",
    "allauth",
    "allauth.account",
    # After allauth.account, whose admin registration accounts/admin.py replaces.
    "accounts",
    "postmortems",
]

MIDDLEWARE = [
    "config.request_logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages marked public (the lesson page without a session) answered whole from the cache,
    # compressed as GZipMiddleware below made them, before any other middleware runs.
    "config.shared_pages.SharedPageCacheMiddleware",
    # Pages are compressed here because the app server (granian) serves them directly; Django
    # masks CSRF tokens and pads gzip output against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    # Errors under /api/ (a crash included) answered in JSON, keeping every header added below.
    "config.json_api.JsonApiErrorsMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security_headers.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Innermost, so every middleware above still adds its headers to the refusal.
    "config.malformed_requests.MalformedContentLengthMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL (as CI templates and .env files often leave it) means the default.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several server workers write to one file: wait for the lock instead of failing, take it
    # at the start of each transaction, and let readers go on while one worker writes (WAL).
    # The backend is Django's, waiting for that lock in short fair steps
    # (config/sqlite_backend/base.py).
    DATABASES["default"]["ENGINE"] = "config.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests run on Django's in-memory database (its default for SQLite), said outright so that
    # pytest-xdist, which does not know this backend is SQLite, gives each worker its own
    # instead of naming a file after the path of the real one.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis is an accelerator, not a dependency (config/cache.py, docs/operations.md): while it
    # is down, rate limits count per process and sessions are read from the database.
    _redis = {
        "BACKEND": "config.cache.FailoverRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tendril"),
    }
    CACHES = {
        "default": {**_redis, "OPTIONS": {"FALLBACK": "local"}},
        # A cached session lives at most 5 minutes in Redis (then it is read from the database
        # again), so a copy a process could not delete during an outage is not served for long.
        "sessions": {**_redis, "OPTIONS": {"FALLBACK": "none", "MAX_TIMEOUT": 300}},
    }
    # Sessions stay in the database and are read through the shared cache, so a returning
    # visitor's page costs no query. Not with the per-process cache: a worker could keep
    # serving a session another worker has ended.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Lesson figures live beside their lesson in content/; served (hashed, compressed) as static.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "lessons.figures.LessonFigureFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names need `collectstatic`, which production runs and DEBUG skips.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


def _static_file_headers(headers: object, path: str, url: str) -> None:
    # WhiteNoise answers static files before the security middlewares' headers apply; imported
    # here, when the first file is served, as settings cannot import the app's modules.
    from config.security_headers import add_static_file_headers

    add_static_file_headers(headers, path, url)  # type: ignore[arg-type]


WHITENOISE_ADD_HEADERS_FUNCTION = _static_file_headers
# Every page names static files by their hashed names ({% static %}, lesson figures, CSS url()s
# rewritten by collectstatic), so the unhashed copies are never asked for; WhiteNoise reads every
# file under STATIC_ROOT as each worker starts, and a large catalogue's figures are most of them.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Mail (password resets, address confirmations): the console while developing, SMTP in
# production from the environment (docs/accounts.md); the tests use Django's locmem outbox.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tendril Learn <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Lessons and quizzes are files, read by content_registry: an index of every lesson's front
# matter at start-up, each lesson in full on its first use, at most CONTENT_CACHE_SIZE whole
# lessons (and of each other kind) kept per process. CONTENT_RELOAD re-reads an edited file on
# the next request (on under DEBUG, so `make run` shows authors their change).
CONTENT_DIR = Path(os.environ.get("CONTENT_DIR", BASE_DIR / "content"))
CONTENT_CACHE_SIZE = int(os.environ.get("CONTENT_CACHE_SIZE", "64"))
CONTENT_RELOAD = env_bool("CONTENT_RELOAD", default=DEBUG)
# The content build cache: the catalogue's index (per file, by modification time and size) and
# each lesson folder's check results (by a digest of its files), both also keyed by the code
# that reads them, so a start-up or `migrate`/`check` does not parse unchanged lessons again.
# Empty turns it off.
CONTENT_BUILD_CACHE_DIR = os.environ.get(
    "CONTENT_BUILD_CACHE_DIR", str(BASE_DIR / ".cache" / "content")
)
# Tutor indexes config/wsgi.py builds before the first request (at most the tutor's
# INDEX_CACHE_SIZE); the rest are built on a lesson's first question. None by default: the first
# index loads the libraries and word lists every index shares (about 0.6 s of CPU and 50 MB per
# worker), which a worker nobody asks a question pays for nothing, and which would double every
# worker's start.
TUTOR_WARM_UP_LESSONS = int(os.environ.get("TUTOR_WARM_UP_LESSONS", "0"))

# No inline scripts or styles anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Production security: on by default whenever DEBUG is off. Behind a TLS-terminating proxy set
# DJANGO_BEHIND_TLS_PROXY=1 so Django trusts X-Forwarded-Proto; `make serve` on plain-HTTP
# localhost sets DJANGO_SECURE_SSL_REDIRECT=0.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# htmx and progress.js send the token from the cookie (Django's documented AJAX pattern), so the
# shared lesson page carries none: the cookie must stay readable by the page's scripts.
CSRF_COOKIE_HTTPONLY = False
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# One JSON object per line on stdout (plain text while developing); every line of a request
# carries its request id (see config/request_logging.py).
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # The request log below replaces runserver's own access lines.
        "django.server": {"level": "WARNING"},
    },
}

# Rate limits (the tutor's, allauth's) count in the default cache. Off only for load benchmarks.
RATELIMIT_ENABLE = env_bool("DJANGO_RATELIMIT_ENABLE", default=True)
# Per-IP limits key on the client's address; behind N proxies of ours (a load balancer: 1) it
# comes from X-Forwarded-For (config/client_ip.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"

# Read-only views of learners and their progress, for staff (accounts/admin.py, progress/admin.py).
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/")

# ==== accounts settings (owned by the accounts app; django-allauth) ====
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.SignInForm", "signup": "accounts.forms.SignUpForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# A new account uses the site and syncs at once; it is asked to confirm its address, and the
# data download waits for that (progress/views.py).
ACCOUNT_EMAIL_VERIFICATION = "optional"
# Sign-up, sign-in and password reset answer alike whether or not an address has an account.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Tendril Learn: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# "count/period/per": per ip, per key (the email; for failed sign-ins, email and ip, see
# accounts/adapter.py) or per signed-in user. Counted in the default cache.
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login": os.environ.get("ACCOUNT_RATE_LOGIN", "30/m/ip"),
    "login_failed": os.environ.get("ACCOUNT_RATE_LOGIN_FAILED", "30/15m/ip,5/15m/key"),
    "signup": os.environ.get("ACCOUNT_RATE_SIGNUP", "20/h/ip"),
    "reset_password": os.environ.get("ACCOUNT_RATE_RESET_PASSWORD", "20/h/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
}
if not RATELIMIT_ENABLE:
    ACCOUNT_RATE_LIMITS = False  # load benchmarks sign up many learners from one address
# allauth's own per-IP counting (sign-up, reset) reads the address through the adapter, which
# uses config/client_ip.py; the same proxy count keeps allauth's setting honest too.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# ==== lessons settings (owned by the lessons app) ====
# Seconds browsers and a CDN may keep the lesson page of a visitor without a session
# (`Cache-Control: public`); signed-in learners' pages are `private`. A CDN in front must not
# answer requests carrying the session cookie from its cache.
LESSON_PAGE_MAX_AGE = int(os.environ.get("LESSON_PAGE_MAX_AGE", "300"))

# ==== quiz settings (owned by the quiz app) ====
# Largest quiz form post accepted: one answer is a few hundred bytes; more gets a 413.
QUIZ_MAX_POST_BYTES = 4096

# ==== tutor settings (owned by the tutor app) ====
# Questions a learner may ask per minute, counted per IP address and per session.
TUTOR_RATE_LIMIT = os.environ.get("TUTOR_RATE_LIMIT", "20/m")
TUTOR_MAX_QUESTION_CHARS = 500
# Optional OpenAI-compatible chat backend that rephrases the retrieved sentences; off unless
# both are set. Its answer is used only when every sentence is supported by the lesson.
TUTOR_LLM_URL = os.environ.get("TUTOR_LLM_URL", "")
TUTOR_LLM_MODEL = os.environ.get("TUTOR_LLM_MODEL", "")
TUTOR_LLM_API_KEY = os.environ.get("TUTOR_LLM_API_KEY", "")
TUTOR_LLM_TIMEOUT = float(os.environ.get("TUTOR_LLM_TIMEOUT", "5"))

# ==== progress settings (owned by the progress app) ====

# The sync API answers a failed CSRF check in JSON; every other page keeps Django's own.
CSRF_FAILURE_VIEW = "progress.views.csrf_failure"

# ==== postmortem builder settings (owned by postmortems) ====
# How large a stored draft may be: every field of the postmortem template with every action-item
# row filled, and a field's character limit. Progress sizes drafts from this and never imports
# the builder; the builder's system check fails start-up if its template outgrows it.
PROGRESS_DRAFT_LIMITS = {"fields": 168, "field_chars": 10_000}
# The coach runs as a learner types (one field per pause), so its rate is higher than the
# tutor's. Each check reads at most this many characters over all posted fields (the worked
# example is about 3,300), so no post can hold a worker for long.
POSTMORTEM_COACH_RATE_LIMIT = os.environ.get("POSTMORTEM_COACH_RATE_LIMIT", "120/m")
POSTMORTEM_MAX_COACHED_CHARS = int(os.environ.get("POSTMORTEM_MAX_COACHED_CHARS", "50000"))
