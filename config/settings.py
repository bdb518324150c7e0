"""Spoorboek settings, read from the environment.

One module serves every shape of installation; the environment decides:

* Nothing set is production, and a bare deployment fails closed: start-up refuses to
  continue without a secret key, allowed hosts and a PostgreSQL database, and turns on secure
  cookies, HSTS and whitenoise.
* ``DJANGO_DEBUG=true`` (``make run``, the Makefile's other targets and the test settings set
  it) is the embedded default (``EMBEDDED``): SQLite, Celery tasks run eagerly in-process,
  emails to the console, files in ``var/`` beside the checkout, the demo logins. Django's own
  ``DEBUG`` (its debug pages) is on there too unless ``DJANGO_DEBUG_PAGES=false``: ``make run``
  sets that, so the demo shows what a user of a real installation sees (branded 404 and 500
  pages, no URL list, no traceback).
* ``DATABASE_URL`` / ``REDIS_URL`` switch to PostgreSQL and a real Celery broker and cache.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.smart_cast = False

EMBEDDED = env.bool("DJANGO_DEBUG", default=False)
DEBUG = EMBEDDED and env.bool("DJANGO_DEBUG_PAGES", default=True)
TESTING = env.bool("SPOORBOEK_TESTING", default=False)


def _required(name: str) -> str:
    """Read a variable production cannot run without; name it when it is missing."""
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in production (DJANGO_DEBUG is not true). "
            "See docs/operations.md (Configuration); for development run `make run` or set "
            "DJANGO_DEBUG=true."
        )
    return value


if EMBEDDED:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="insecure-development-key-never-in-production"
    )
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = _required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure-"):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random value of 50+ characters.")

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal",  # first: its templates override allauth's and admin's
    "trajecten",
    "sollicitaties",
    "rapportages",
    "kwaliteit",
    "dashboards",
    "privacy",
    "overdracht",
    "facturen",
    "devtools",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "history",  # django-history-triggers: the history of every record (portal.changelog)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "portal.middleware.NulCharacterMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.SessionMiddleware",
    "portal.middleware.LivePollMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.TenancyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "portal.middleware.NulFormMiddleware",
    "portal.middleware.AuditContextMiddleware",
    "portal.middleware.MandatoryMFAMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    "portal.errors.ErrorPageMiddleware",
    "portal.pwa.ClearSiteDataOnLogoutMiddleware",
]
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
            "builtins": ["portal.templatetags.spoorboek"],
        },
    },
    {
        # Plain text (an email's subject and text part): nothing is HTML-escaped, so a name
        # "de Vries" with quotes reads as written, not as &quot; (portal.notices).
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False, "builtins": ["portal.templatetags.spoorboek"]},
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR = BASE_DIR / "var"  # the embedded default's database, files and collected static
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'spoorboek.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # Every request is a transaction that may write (session, audit). SQLite's default
    # deferred transactions make two such requests at once fail at once ("database is
    # locked", e.g. a page and the service worker's fetches); IMMEDIATE takes the write lock
    # up front, so the second waits its turn (up to the timeout) instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
if not EMBEDDED and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL when DJANGO_DEBUG=false.")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Prepared statements (psycopg's server-side binding; Django leaves them off). Planning the
# scoped queries, with their row-level security and many joins, takes PostgreSQL longer than
# running them (7-20 ms against 0.2-0.7 ms for the employee's own trajectory), and a statement
# prepared on a connection is planned once: on the load data a third less database time per
# page. Off by default: a statement then takes at most 65,535 parameters, and Django neither
# knows that limit on PostgreSQL nor splits an IN list by it; the daily dispatcher's catch-up
# (281,000 drafts announced in one query) failed on it in the platform
# bench. The application's own lists of ids now bind as one parameter (``__in_list``,
# portal.lookups); Django's own (prefetch_related over many rows, bulk_create on PostgreSQL)
# are still to be checked before this is on by default (docs/performance.md). Off behind a
# pooler in transaction mode that cannot keep them (PgBouncer before 1.21).
PREPARED_STATEMENTS = (
    {"server_side_binding": True, "prepare_threshold": 5}
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=False)
    else {}
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(PREPARED_STATEMENTS)
# A streaming replica for the reads that may lag (portal.replica; docs/operations.md, "Scaling").
if env.str("DATABASE_REPLICA_URL", default=""):
    _replica = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"] = {
        **_replica,
        "OPTIONS": {**_replica.get("OPTIONS", {}), **PREPARED_STATEMENTS},
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["portal.replica.ReplicaRouter"]
# Row-level security (portal.tenancy): the role the application connects as in production.
# `migrate`, run as the tables' owner, grants it its rights when the role exists.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="spoorboek_app")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

# --- Cache, Celery --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="spoorboek"),
        }
    }
else:
    # The embedded default keeps rate-limit counters per process; fine for one runserver.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Longer than the longest task, so an unacknowledged task is not redelivered while it still runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/Amsterdam"
# Periodic work is defined here, in code. Due work lives in the database; tasks find it.
CELERY_BEAT_SCHEDULE = {
    "propose-monthly-invoices": {
        "task": "facturen.tasks.propose_monthly_invoices",
        "schedule": crontab(day_of_month=1, hour=5, minute=30),
    },
    "record-renewals": {
        "task": "trajecten.tasks.record_renewals",
        "schedule": crontab(hour=2, minute=15),
    },
    "schedule-reports": {
        "task": "rapportages.tasks.schedule_reports",
        "schedule": crontab(hour=2, minute=30),
    },
    "send-report-reminders": {
        "task": "rapportages.tasks.send_report_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "render-pending-reports": {
        "task": "rapportages.tasks.render_pending_reports",
        "schedule": crontab(minute="*/5"),
    },
    "apply-retention": {
        "task": "trajecten.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=0),
    },
    "send-survey-reminders": {
        "task": "kwaliteit.tasks.send_survey_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    "send-due-webhooks": {
        "task": "portal.tasks.send_due_webhooks",
        "schedule": crontab(minute="*"),
    },
    # SMS reminders: what falls due (appointments tomorrow, reports awaiting a response), and
    # every minute the messages whose quiet hours are over (portal.sms).
    "queue-sms-reminders": {
        "task": "rapportages.tasks.queue_sms_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "send-due-sms": {
        "task": "portal.tasks.send_due_sms",
        "schedule": crontab(minute="*"),
    },
    # Daily and weekly digests of notices, at each person's chosen hour (portal.digests).
    "send-due-digests": {
        "task": "portal.tasks.send_due_digests",
        "schedule": crontab(minute=5),
    },
    "prune-webhook-log": {
        "task": "portal.tasks.prune_webhook_log",
        "schedule": crontab(hour=3, minute=30),
    },
    "tell-riv-findings": {
        "task": "rapportages.tasks.tell_riv_findings",
        "schedule": crontab(minute=20),
    },
}
# The daily backup (docs/operations.md, "Backup and restore") once its public key is
# configured; only the backup service consumes its queue.
if env.str("BACKUP_AGE_RECIPIENTS", default=""):
    CELERY_BEAT_SCHEDULE["make-backup"] = {
        "task": "portal.tasks.make_backup",
        "schedule": crontab(hour=1, minute=30),
    }
# Queues per kind of work (docs/operations.md, "Scaling"), so a burst of one never waits in front of
# another: a hundred UWV files being built do not delay a password-free survey link or a
# report notice. A worker started without -Q takes all of them but "backup" (one host); on
# several hosts each queue gets workers of its own (-Q email, -Q reports, -Q exports).
CELERY_TASK_DEFAULT_QUEUE = "celery"  # beat's sweeps: small, fan out into the queues below
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "email", "reports", "exports", "webhooks")]
CELERY_TASK_ROUTES = {
    **{
        name: {"queue": "email"}
        for name in (
            "portal.tasks.send_invitation_email",
            "portal.tasks.send_digest",
            "portal.tasks.send_sms",
            "trajecten.tasks.notify_referral",
            "trajecten.tasks.send_referral_notice",
            "trajecten.tasks.notify_message",
            "kwaliteit.tasks.send_survey",
            "rapportages.tasks.notify_report_final",
            "rapportages.tasks.send_report_final_notice",
            "rapportages.tasks.notify_report_offered",
            "rapportages.tasks.send_report_reminder",
        )
    },
    "rapportages.tasks.render_report": {"queue": "reports"},
    "rapportages.tasks.build_bundle": {"queue": "exports"},
    "trajecten.tasks.build_access_export": {"queue": "exports"},
    "sollicitaties.tasks.repeats_refresh_agency": {"queue": "exports"},
    "overdracht.tasks.check_transfer": {"queue": "exports"},
    "overdracht.tasks.run_transfer": {"queue": "exports"},
    "facturen.tasks.propose_invoices": {"queue": "exports"},
    "portal.tasks.make_backup": {"queue": "backup"},
    # Waits on other systems (up to 15 s a slow receiver): never in front of a report.
    "portal.tasks.send_webhook": {"queue": "webhooks"},
}

# --- Authentication (django-allauth with mandatory MFA for staff) -----------------------------
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboards:home"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a reset never logs in: the login (with MFA) follows
# A sign-in code by email: the way past a lockout (staff still give their TOTP code after it).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Spoorboek] "
ACCOUNT_FORMS = {
    "request_login_code": "portal.forms.RequestLoginCodeForm",
    "reset_password": "portal.forms.ResetPasswordForm",
}
ACCOUNT_RATE_LIMITS = {
    # No limit per IP on posting the login form. allauth's limiter takes a lock per counter,
    # and a counter per IP is one lock shared by every login of an office or an employer's HR
    # department behind one NAT address; on a busy host a login that waited a second for it
    # was refused as an attack (#21, item 6). A flood of wrong passwords is capped by the
    # failures per IP below, and a right password needs the account.
    "login": "",
    # Per address *and* IP (portal.adapters): guessing at one account is stopped after 5, and
    # a stranger's wrong passwords do not lock the user out.
    "login_failed": "5/5m/key",
    # Per address, the IPs that failed at it this hour, each counted once: one IP never
    # reaches it; ten do (a distributed attack), and then only a right password followed by
    # the authenticator code gets in, or a sign-in code by email.
    "login_failed_address": "10/h/key",
    # Per IP, trying many accounts (password spraying): what a person could type, and far
    # above an office's typing errors. Only failures count, with django-ratelimit's atomic
    # increment (no lock).
    "login_failed_ip": "20/m/ip,100/h/ip",
    # The ways past a lock: per IP here, and per address *and* IP in portal.forms (so a third
    # party cannot use up the user's quota).
    "reset_password": "20/m/ip",
    "reset_password_address": "5/m/key,20/h/key",
    "request_login_code": "20/m/ip",
    "request_login_code_address": "3/m/key,20/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    # Spoorboek's own endpoints, limited with allauth's limiter on the same cache.
    "invitation_accept": "20/m/ip,5/m/key",
    "api_token_create": "10/h/user",
    # A survey link posted again and again (the answer itself counts once anyway).
    "survey": "30/m/ip,10/m/key",
}
# How many proxies in front of web append to X-Forwarded-For (docker-compose: the operator's
# TLS proxy, 1). The client address of the audit trail, rate limits and the lockout is then
# taken from that header, as allauth does it; 0 (the embedded default) uses REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Spoorboek"
# One 30-second step either side: phones with a slightly wrong clock still work.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# Sessions end after this many minutes without a request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English")), ("pl", _("Polish"))]
FORMAT_MODULE_PATH = ["config.formats"]  # British dates and 24-hour times in English
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("SPOORBOEK_PRIVATE_ROOT", default=str(VAR_DIR / "private")))
# Encrypted backups (portal/backup.py): written here by `manage.py backup` and the daily task.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
# No MEDIA_URL is routed: uploaded files and PDFs are private and only served by scoped views.
MEDIA_URL = "/private-not-served/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=10) * 1024 * 1024
#: A transfer archive (overdracht): an agency's running files with their signed PDFs.
TRANSFER_UPLOAD_MAX_BYTES = env.int("TRANSFER_UPLOAD_MAX_MB", default=1024) * 1024 * 1024

if env.str("S3_BUCKET", default=""):
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _private_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _private_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if EMBEDDED
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Spoorboek <noreply@spoorboek.localhost>"
)

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if not EMBEDDED:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Health checks come from inside the compose network over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes failed authentication a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "portal.api.auth.TenantUser",
        "portal.api.auth.ReadOnlyTokens",
        "portal.api.auth.OrdersTokens",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env.str("API_RATE", default="600/min")},
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.auth.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "portal.api.base.error_handler",
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Spoorboek API",
    "DESCRIPTION": "The 2e spoor re-integration file. Every object is scoped to what the "
    "authenticated user may see; anything else answers 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "trajecten.constants.TrajectoryStatus",
        "ApplicationStatusEnum": "sollicitaties.constants.ApplicationStatus",
        "ReportStatusEnum": "rapportages.constants.ReportStatus",
        "KindEnum": "sollicitaties.constants.ActivityKind",
        "ReportKindEnum": "rapportages.constants.ReportKind",
        "ConversationKindEnum": "trajecten.constants.ConversationKind",
        "AssignmentStatusEnum": "trajecten.constants.AssignmentStatus",
        "LanguageEnum": "portal.constants.Language",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_client_errors": {"()": "portal.errors.QuietClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint logs every layout step at INFO; its warnings still come through.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # An ordinary 403/404 is one line, not a traceback (portal.errors).
        "django.request": {"filters": ["quiet_client_errors"]},
    },
}

# --- Demo -----------------------------------------------------------------------------------
# Demo users (seed_demo) are exempt from mandatory MFA enrolment, but only in the embedded
# default (EMBEDDED).
DEMO_PASSWORD = "spoorboek-demo-2026"  # noqa: S105 - public by design; seed_demo needs EMBEDDED

# Absolute links in emails (invitations, notifications).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Webhooks go only to public addresses over https (portal.webhooks.delivery). True lets an
# operator send them into a private network, and over plain http (a receiver on the same
# host or LAN; the demo and the tests).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

# SMS reminders (portal.sms): the sender (the console by default: nothing leaves the machine;
# "portal.sms.TwilioBackend" with the SMS_TWILIO_* settings), the secret in the address of the
# delivery-status callback, and the quiet hours (from, until) in which nothing is sent.
SMS_BACKEND = env("SMS_BACKEND", default="portal.sms.ConsoleBackend")
SMS_TWILIO_BASE_URL = env("SMS_TWILIO_BASE_URL", default="https://api.twilio.com")
SMS_TWILIO_ACCOUNT_SID = env("SMS_TWILIO_ACCOUNT_SID", default="")
SMS_TWILIO_AUTH_TOKEN = env("SMS_TWILIO_AUTH_TOKEN", default="")
SMS_TWILIO_FROM = env("SMS_TWILIO_FROM", default="Spoorboek")
SMS_STATUS_TOKEN = env("SMS_STATUS_TOKEN", default="")
SMS_QUIET_HOURS = (21, 8)

# The history of every record (portal.changelog): django-history-triggers' triggers write it
# into our own model; its filter names the tracked tables. Its admin and middleware are not
# used (the context travels with the tenancy setting).
HISTORY_MODEL = "portal.RecordChange"
HISTORY_FILTER = "portal.changelog.triggers.tracked_field"
HISTORY_ADMIN_ENABLED = False
# The full readiness check (it writes a cache key and a file) for callers that send it in
# X-Readyz-Token; without it /readyz/ checks only what it can read (portal/health.py).
READYZ_TOKEN = env.str("READYZ_TOKEN", default="")
