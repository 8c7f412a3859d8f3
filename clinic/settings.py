"""Mesoclinic settings: one module, configured from the environment (see .env.example).

Nothing secret lives here. With no environment at all the app runs for a newcomer: DEBUG on
via `make run`, a SQLite file, tasks run in-process and emails printed to the console.
Production must set DEBUG off, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL.
"""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is a convenience for development; the real environment wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# pytest-django reads the settings before any conftest runs, so the test run is recognised
# here: it gets a throwaway key, a fast password hasher and tasks that run in-process.
TESTING = "pytest" in sys.modules

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Trigram search (pg_trgm) for patients; its lookups only register on PostgreSQL.
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "csp",
    "phonenumber_field",
    "cocktails",
    "patients",
    "treatments",
    "scheduling",
    # Last, so its post_migrate handler sees the permissions of every app above.
    "clinic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clinic.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who made each change kept by django-simple-history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# Database: PostgreSQL in CI and production; a SQLite file when DATABASE_URL is unset.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: measured ~10x throughput on small views (shared/STACK.md).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # `make run` serves requests in threads: a transaction that reads then writes must queue
    # for SQLite's one write lock from its start (IMMEDIATE), or the second of two such
    # requests fails with "database is locked" instead of waiting (up to `timeout` seconds).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins while an account is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: times are stored in UTC and shown in the clinic's zone.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# Static files are served by WhiteNoise, from static/ (vendored Bootstrap, icons and htmx).
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are never served from a public path: views stream them after checking the role.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: SMTP in production (EMAIL_URL=smtp+tls://user:pass@host:587); by default the
# messages are printed where `make run` runs, so a developer can read them.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mesoclinic <no-reply@mesoclinic.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: a real worker when a broker is configured; otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
    BROKER_CONFIGURED = False
else:
    BROKER_CONFIGURED = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Periodic work is a sweep of what is due, never far-future ETA tasks (shared/CONVENTIONS.md).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Plans the patient emails that have become due, cancels those no longer wanted, and
    # queues a send task for each due one (scheduling/outbox/). It expires rather than pile up
    # behind a busy worker: the next tick does the same work.
    "patient-emails": {
        "task": "scheduling.tasks.sweep_outbox",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
        "options": {"expires": 50},
    },
}

# Patient emails (scheduling/outbox/, scheduling/reminders.py). Links in emails point here.
CLINIC_SITE_URL = env.str("CLINIC_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Appointment reminders go this many hours before the appointment.
REMINDER_LEAD_HOURS = env.list("REMINDER_LEAD_HOURS", cast=float, default=[48.0, 2.0])
# A booking confirmation waits this long, so a booking undone at once sends nothing.
REMINDER_CONFIRMATION_DELAY_MINUTES = env.int("REMINDER_CONFIRMATION_DELAY_MINUTES", default=10)
# Links to confirm, cancel or stop reminders stop working after this many days.
REMINDER_LINK_MAX_AGE_DAYS = env.int("REMINDER_LINK_MAX_AGE_DAYS", default=60)
# Treatment-based emails: how long before a plan's maintenance date the patient is invited to
# book it, how long after a signed session the aftercare check-in goes, and how long after
# the last session of a course the results review is offered.
REMINDER_MAINTENANCE_DAYS_BEFORE = env.int("REMINDER_MAINTENANCE_DAYS_BEFORE", default=14)
REMINDER_AFTERCARE_HOURS_AFTER = env.int("REMINDER_AFTERCARE_HOURS_AFTER", default=24)
REMINDER_RESULTS_WEEKS_AFTER = env.int("REMINDER_RESULTS_WEEKS_AFTER", default=4)
# A failing send is retried with exponential backoff (this many seconds, doubling, capped),
# and marked failed for staff after this many attempts.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BACKOFF_SECONDS = env.int("OUTBOX_RETRY_BACKOFF_SECONDS", default=60)
OUTBOX_RETRY_BACKOFF_MAX_SECONDS = env.int("OUTBOX_RETRY_BACKOFF_MAX_SECONDS", default=1800)
# A queued send task that has not run after this long is queued again (lost with a worker).
OUTBOX_REQUEUE_AFTER_SECONDS = env.int("OUTBOX_REQUEUE_AFTER_SECONDS", default=300)

# django-crispy-forms renders forms with Bootstrap 5.
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Phone numbers are stored in E.164; numbers typed without a country code are French.
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="FR")
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# Patient photos: the largest upload accepted, and the long edge of the stored thumbnails.
PATIENT_PHOTO_MAX_BYTES = env.int("PATIENT_PHOTO_MAX_BYTES", default=15 * 1024 * 1024)

# The clinic's identity, shown in the layout and later on letterheads and emails.
CLINIC_NAME = env.str("CLINIC_NAME", default="Mesoclinic")
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", default="12 rue des Lilas, 75011 Paris")
CLINIC_PHONE = env.str("CLINIC_PHONE", default="+33 1 23 45 67 89")
# The letterhead's logo on PDF documents: a file among the static files (SVG or PNG).
CLINIC_LOGO = env.str("CLINIC_LOGO", default="img/logo.svg")
# Prices and costs are plain Decimals in this one currency (ISO 4217 code).
CLINIC_CURRENCY = env.str("CLINIC_CURRENCY", default="EUR")
# What the clinic charges per treatment session on top of the cocktail, in that currency:
# a plan's cost estimate is its number of sessions times (cocktail cost + this fee).
CLINIC_SESSION_FEE = Decimal(env.str("CLINIC_SESSION_FEE", default="90.00"))

# The benchmark (manage.py bench) mounts its floor views under /bench/ only when this is on.
BENCHMARK = env.bool("BENCHMARK", default=False)

# Batches of treatment summaries (zip files under MEDIA_ROOT/exports/, downloaded through
# the app only): a file is deleted this many days after it is built, by the periodic task
# below; its job row stays as the export log. A batch is built within EXPORT_BATCH_TIME_LIMIT
# seconds or marked failed: keep it under the Redis broker's visibility timeout (one hour),
# or a batch still running would be delivered to a second worker.
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
EXPORT_BATCH_TIME_LIMIT = env.int("EXPORT_BATCH_TIME_LIMIT", default=45 * 60)
CELERY_BEAT_SCHEDULE["treatments-exports-expire"] = {
    "task": "treatments.tasks.exports_expire",
    "schedule": 60 * 60,
}

# Sessions: health data on shared desk computers, so a session ends after this much
# inactivity or when the browser closes. Requests push the expiry back, at most once every
# SESSION_REFRESH_SECONDS (clinic.middleware), so most pages read the session without
# writing it.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Login protection (django-axes): after 5 failures for one username from one address, that
# pair is locked out for 15 minutes; the lockout and every failure are logged.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Content-Security-Policy: everything comes from our own origin (no CDN), no inline script
# or style. Bootstrap's CSS draws some controls with data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Security headers that hold in every environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not TESTING:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Sign-ins are in the audit log; axes' own INFO lines would repeat them.
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
