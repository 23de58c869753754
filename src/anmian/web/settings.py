"""Django settings, read from environment variables through small strict parsers.

Every variable is documented in `.env.example`. A malformed value stops start-up with a
message that names the variable and says what would be valid.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from anmian import paths
from anmian.web import envconfig

BASE_DIR = Path(__file__).resolve().parent


def envstr(name: str, default: str) -> str:
    value = os.environ.get(f"{name}_FILE")  # Docker/Kubernetes secrets
    if value:
        try:
            return Path(value).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={value!r} cannot be read: {exc}") from None
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = envstr(name, default).strip().casefold()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true or false")


def envint(name: str, default: str) -> int:
    value = envstr(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def envlist(name: str, default: str) -> list[str]:
    return [v.strip() for v in envstr(name, default).split(",") if v.strip()]


DEBUG = envbool("DEBUG", "false")
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (see .env.example), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
# Rotating SECRET_KEY: the old keys, comma-separated, still verify sessions, reset links and
# signed tokens until they expire; then drop them (docs/deploy.md, "Rotating secrets").
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", "")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# ./data in a source checkout (git-ignored), the platform's user data folder when installed
# from a wheel (anmian/paths.py); SQLite, the file cache and the queue live there.
DATA_DIR = Path(envstr("ANMIAN_DATA_DIR", str(paths.default_data_dir())))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "anmian.web.core",
    "anmian.web.selfcheck",
    "anmian.web.records",
    "anmian.web.accounts",
    "anmian.web.diary",
    "anmian.web.booking",
    "anmian.web.shop",
    "anmian.web.jobs",
    "huey.contrib.djhuey",  # the worker: manage.py run_huey (make worker)
    "ninja",  # serves Swagger UI from its own static files for /api/docs, not from a CDN
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

# Axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"  # by role: accounts.views.start
LOGOUT_REDIRECT_URL = "home"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "anmian.web.jsonlog.RequestIdMiddleware",  # every log line of a request carries its id
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switch's cookie, else Accept-Language on a first visit, else English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # whether the session passed a second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "anmian.web.sessionlimits.SessionLimitsMiddleware",
    "anmian.web.twofactor.TwoFactorMiddleware",  # no patient data before the second factor
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "anmian.web.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a lockout into the 429 of anmian.web.lockout
    "anmian.web.lockout.OneGuessAtATimeMiddleware",
]

ROOT_URLCONF = "anmian.web.urls"
WSGI_APPLICATION = "anmian.web.wsgi.application"

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
                "anmian.web.sessionlimits.warning",  # seconds left, for the logoff warning
            ],
        },
    }
]

DATABASES = {
    "default": envconfig.database_from_url(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'anmian.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers work while one writer writes; the timeout makes writers queue
    # instead of failing at once when the file is busy.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "anmian.web.passwords.VarietyValidator"},
    # Not a rule: ends the API tokens and the login lock when a password changes.
    {"NAME": "anmian.web.passwords.EndAccessOnPasswordChange"},
]
# A reset link works for one hour.
PASSWORD_RESET_TIMEOUT = 3600

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
# zh-Hant is written by hand (docs/glossary.md); zh-Hans is generated from it (scripts/zh_hans.py).
# Django maps zh-TW and zh-HK to zh-Hant and zh-CN and zh-SG to zh-Hans; any other code is English.
LANGUAGES = [
    ("en-gb", "English"),
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
# Built once (`manage.py collectstatic` at install or image build) into a folder every app
# server reads and none writes; WhiteNoise serves it. Per-host data folders hold nothing
# a page needs.
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(DATA_DIR / "static")))
if STATIC_ROOT == DATA_DIR / "static":
    STATIC_ROOT.mkdir(exist_ok=True)  # only the local default; a shared folder is read-only
STATICFILES_DIRS = [BASE_DIR / "static"]
# Product photos uploaded by staff: a folder no URL maps to (the shop's photo view serves
# them); with several app servers, a folder they all share. STORAGES["shop_photos"], when a
# deployment adds it (a private bucket), takes its place.
ANMIAN_SHOP_PHOTOS_DIR = Path(
    envstr("ANMIAN_SHOP_PHOTOS_DIR", "") or DATA_DIR / "private" / "shop-photos"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security: secure cookies and headers whenever we are not in local development.
SECURE_TLS = envbool("SECURE_TLS", "false" if DEBUG else "true")
SESSION_COOKIE_SECURE = SECURE_TLS
CSRF_COOKIE_SECURE = SECURE_TLS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The language switch's choice outlives the session (and a log-in or log-out) for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = SECURE_TLS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(SECURE_TLS))
# Load balancers probe over plain HTTP on the private side: no redirect to https for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_TLS else None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if SECURE_TLS else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_TLS
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(SECURE_TLS))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")  # STARTTLS, usually on port 587
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")  # TLS from the start, usually on port 465
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "20")  # seconds; a hung server fails the job, which retries
envconfig.check_smtp(
    host=EMAIL_HOST,
    port=EMAIL_PORT,
    use_tls=EMAIL_USE_TLS,
    use_ssl=EMAIL_USE_SSL,
    user=EMAIL_HOST_USER,
    password=EMAIL_HOST_PASSWORD,
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Anmian <no-reply@localhost>")
# The console backend writes every email, reset and sign-up links included, into the server's
# log. It is allowed in development, and by default on plain HTTP (SECURE_TLS=false: loopback
# runs, tests, benchmarks); a deployment (DEBUG off, TLS on) must name a real backend or
# opt in with ANMIAN_ALLOW_CONSOLE_EMAIL=true.
ANMIAN_ALLOW_CONSOLE_EMAIL = envbool(
    "ANMIAN_ALLOW_CONSOLE_EMAIL", "true" if DEBUG or not SECURE_TLS else "false"
)
if EMAIL_BACKEND.endswith(".console.EmailBackend") and not ANMIAN_ALLOW_CONSOLE_EMAIL:
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is the console backend, which would write password reset links into "
        "the server's log. Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend "
        "(with EMAIL_HOST and EMAIL_PORT), or ANMIAN_ALLOW_CONSOLE_EMAIL=true on a machine "
        "whose log no one else reads."
    )
# Every email goes through the task queue (anmian/web/jobs/mail.py); the worker sends it with
# the backend named above and retries while the mail server is down.
ANMIAN_EMAIL_DELIVERY_BACKEND = EMAIL_BACKEND
EMAIL_BACKEND = "anmian.web.jobs.mail.QueuedEmailBackend"

# Login throttling and API rate limits live in the cache. The default file cache is shared by
# every gunicorn worker of one host without a cache server; several hosts share Redis
# (CACHE_URL=redis://HOST:6379/0), or a lockout on one would not exist on the others.
CACHES = envconfig.cache_from_url(envstr("CACHE_URL", f"file://{DATA_DIR / 'cache'}"))

# The task queue (huey): every email, the reminder and waitlist schedule. A SQLite file in the
# data folder by default, so `make run` needs no server; Redis when several hosts share it.
# See anmian/web/jobs/ and README (Background work).
HUEY = envconfig.queue_from_url(envstr("ANMIAN_QUEUE_URL", ""), DATA_DIR, immediate=False)

# A diary entry can be changed for this many days after its night, then it locks.
ANMIAN_DIARY_EDIT_DAYS = envint("ANMIAN_DIARY_EDIT_DAYS", "3")
# The severity questions are asked again this often (days).
ANMIAN_SCORE_EVERY_DAYS = envint("ANMIAN_SCORE_EVERY_DAYS", "7")

# Booking: reminders this many hours before; patients may not change a booking later than
# ANMIAN_CHANGE_NOTICE_HOURS before it starts (staff always can).
ANMIAN_REMINDER_HOURS = envint("ANMIAN_REMINDER_HOURS", "24")
ANMIAN_CHANGE_NOTICE_HOURS = envint("ANMIAN_CHANGE_NOTICE_HOURS", "24")
# A freed time is held for the next person on the waitlist this long (minutes).
ANMIAN_HOLD_MINUTES = envint("ANMIAN_HOLD_MINUTES", "120")
# Per patient: at most this many future appointments at once (a course's sessions count), and
# courses of at most this many weeks, so one account cannot fill a clinic's calendar.
ANMIAN_MAX_FUTURE_BOOKINGS = envint("ANMIAN_MAX_FUTURE_BOOKINGS", "30")
ANMIAN_MAX_COURSE_WEEKS = envint("ANMIAN_MAX_COURSE_WEEKS", "26")
# Days between a person confirming the deletion of their account and the clinic carrying it
# out, so they can change their mind (exports/erasure.py; docs/privacy.md).
ANMIAN_ERASURE_GRACE_DAYS = envint("ANMIAN_ERASURE_GRACE_DAYS", "14")
# The largest FHIR Bundle a person may upload from their GP (exports/fhir_import.py).
ANMIAN_FHIR_IMPORT_MAX_BYTES = envint("ANMIAN_FHIR_IMPORT_MAX_BYTES", str(5 * 1024 * 1024))
# The clinic's currency, an ISO 4217 code, for every price (shop, appointments, orders).
ANMIAN_CURRENCY = envstr("ANMIAN_CURRENCY", "GBP").strip().upper()
if not (len(ANMIAN_CURRENCY) == 3 and ANMIAN_CURRENCY.isascii() and ANMIAN_CURRENCY.isalpha()):
    raise ImproperlyConfigured(
        f"ANMIAN_CURRENCY={ANMIAN_CURRENCY!r} is not a currency code; use three letters (GBP, EUR)"
    )
# The shop: an order left unpaid this many minutes is cancelled and its stock released (run
# every minute by the worker's schedule).
ANMIAN_SHOP_HOLD_MINUTES = envint("ANMIAN_SHOP_HOLD_MINUTES", "30")
if ANMIAN_SHOP_HOLD_MINUTES < 1:
    raise ImproperlyConfigured(
        f"ANMIAN_SHOP_HOLD_MINUTES={ANMIAN_SHOP_HOLD_MINUTES} must be at least 1 (minutes)"
    )
# Payments: Stripe when both are set (a secret API key, sk_live_ or sk_test_, and the signing
# secret of the webhook that posts to /shop/payments/stripe/, whsec_); with neither, the
# demonstration provider, where no money moves. One without the other stops start-up.
ANMIAN_STRIPE_SECRET_KEY = envstr("ANMIAN_STRIPE_SECRET_KEY", "").strip()
ANMIAN_STRIPE_WEBHOOK_SECRET = envstr("ANMIAN_STRIPE_WEBHOOK_SECRET", "").strip()
ANMIAN_PAYMENT_PROVIDER = (
    "stripe" if ANMIAN_STRIPE_SECRET_KEY or ANMIAN_STRIPE_WEBHOOK_SECRET else "dummy"
)
if ANMIAN_PAYMENT_PROVIDER == "stripe":
    if not ANMIAN_STRIPE_SECRET_KEY or not ANMIAN_STRIPE_WEBHOOK_SECRET:
        missing = (
            "ANMIAN_STRIPE_WEBHOOK_SECRET"
            if ANMIAN_STRIPE_SECRET_KEY
            else "ANMIAN_STRIPE_SECRET_KEY"
        )
        raise ImproperlyConfigured(
            f"{missing} is not set: Stripe needs both ANMIAN_STRIPE_SECRET_KEY and "
            "ANMIAN_STRIPE_WEBHOOK_SECRET (or neither, for the demonstration provider)"
        )
    if not ANMIAN_STRIPE_SECRET_KEY.startswith(("sk_live_", "sk_test_", "rk_live_", "rk_test_")):
        raise ImproperlyConfigured(
            "ANMIAN_STRIPE_SECRET_KEY is not a Stripe secret key (sk_live_... or sk_test_...)"
        )
    if not ANMIAN_STRIPE_WEBHOOK_SECRET.startswith("whsec_"):
        raise ImproperlyConfigured(
            "ANMIAN_STRIPE_WEBHOOK_SECRET is not a webhook signing secret (whsec_...)"
        )
# The demonstration provider's "pay" buttons mark an order paid without money moving: fine on a
# loopback run or in development, never on a deployment, where a buyer could pay themselves.
# Without Stripe, a deployment takes payment at the clinic unless this is set outright.
ANMIAN_DEMO_PAYMENTS = envbool(
    "ANMIAN_DEMO_PAYMENTS", "true" if DEBUG or not SECURE_TLS else "false"
)
# The site's address, for links in emails.
# Required in production (DEBUG off, TLS on): without it emails would link to 127.0.0.1.
ANMIAN_SITE_URL = envconfig.site_url(
    envstr("ANMIAN_SITE_URL", ""), production=SECURE_TLS and not DEBUG
)

# Anonymous callers of the JSON API are rate-limited; a clinic sets its own limit.
ANMIAN_ANON_RATE = envstr("ANMIAN_ANON_RATE", "60/min")
# An API token lives this many days unless its owner asks for fewer (1..365).
ANMIAN_TOKEN_DAYS = envint("ANMIAN_TOKEN_DAYS", "90")

# How many proxies of our own stand in front of the site. Each appends to X-Forwarded-For,
# so only that many entries from the right are believed; 0 (the default) ignores the header,
# which a client can fill with anything. Login throttling and the API's rate limits both use it.
ANMIAN_TRUSTED_PROXIES = envint("ANMIAN_TRUSTED_PROXIES", "0")
NINJA_NUM_PROXIES = ANMIAN_TRUSTED_PROXIES

# Password guessing (django-axes, see anmian/web/lockout.py): after ANMIAN_LOGIN_FAILURE_LIMIT
# failures for one account, or from one address, logins from it wait ANMIAN_LOCKOUT_MINUTES.
ANMIAN_LOGIN_FAILURE_LIMIT = envint("ANMIAN_LOGIN_FAILURE_LIMIT", "5")
ANMIAN_LOCKOUT_MINUTES = envint("ANMIAN_LOCKOUT_MINUTES", "15")
ANMIAN_RESET_REQUESTS_PER_HOUR = envint("ANMIAN_RESET_REQUESTS_PER_HOUR", "5")
AXES_FAILURE_LIMIT = ANMIAN_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "anmian.web.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "anmian.web.clientip.client_ip"
AXES_USERNAME_CALLABLE = "anmian.web.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "anmian.web.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a right guess among wrong ones must not wipe the count
AXES_ENABLE_ADMIN = True  # attempts and locks are listed (and can be cleared) in the admin
AXES_VERBOSE = False

# Login sessions: idle timeout and lifetime; the short ones for whoever sees others' records
# (practitioners, staff, admins). See anmian/web/sessionlimits.py.
ANMIAN_STAFF_IDLE_MINUTES = envint("ANMIAN_STAFF_IDLE_MINUTES", "15")
ANMIAN_STAFF_SESSION_HOURS = envint("ANMIAN_STAFF_SESSION_HOURS", "10")
ANMIAN_PATIENT_IDLE_MINUTES = envint("ANMIAN_PATIENT_IDLE_MINUTES", "30")
ANMIAN_PATIENT_SESSION_DAYS = envint("ANMIAN_PATIENT_SESSION_DAYS", "14")
SESSION_COOKIE_AGE = max(ANMIAN_STAFF_SESSION_HOURS * 3600, ANMIAN_PATIENT_SESSION_DAYS * 86400)

# Two-factor authentication (django-otp, see anmian/web/twofactor.py): required of
# practitioners, staff and admins before any patient data unless this is false; optional for
# patients either way.
ANMIAN_REQUIRE_2FA = envbool("ANMIAN_REQUIRE_2FA", "true")
OTP_TOTP_ISSUER = "Anmian"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin lists devices without their secret keys

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Some paths are credentials (calendar feed, waitlist offer, activation and reset links):
    # each record has their token replaced by a fingerprint (anmian/web/core/logsafe.py). The
    # request loggers are filtered where records are made, so Django's own handlers get the
    # safe record too; gunicorn's access log has its own logger class (scripts/serve.sh).
    "filters": {"secret_paths": {"()": "anmian.web.core.logsafe.SecretPathFilter"}},
    # One JSON object a line: time, level, request id, account id (anmian/web/jsonlog.py).
    "formatters": {"json": {"()": "anmian.web.jsonlog.JSONFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["secret_paths"],
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint narrates every layout step at INFO; keep the log for what matters.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
        # The worker's own logger: with a handler here, run_huey adds no plain-text one.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"filters": ["secret_paths"]},
        "django.security.csrf": {"filters": ["secret_paths"]},  # "Forbidden (CSRF ...): /path"
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["secret_paths"],
        },
    },
}
