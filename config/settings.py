"""Tracksheet settings, driven by the environment (django-environ).

With no variable set, the site runs on a laptop: SQLite and media under ``var/``, a secret key
generated into ``var/`` on first start, Celery tasks run in-process. Production sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``HTTPS=true``;
the README lists them all.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("TRACKSHEET_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key_from_var() -> str:
    """Read the secret key kept in var/, making it on first start.

    The file is created with O_EXCL so that two processes starting together agree on one key.
    """
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = get_random_secret_key() + get_random_secret_key()
    try:
        with path.open("x") as handle:
            path.chmod(0o600)
            handle.write(key)
    except FileExistsError:
        return path.read_text().strip()
    return key


SECRET_KEY = env.str("SECRET_KEY", default="") or _secret_key_from_var()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_htmx",
    "template_partials",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "csp",
    "core",
    "projects",
    "studio",
    "songs",
    "sessions.apps.RecordingConfig",
    "budgets",
    "releases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivateCacheMiddleware",
    # Before anything reads the body; inside the above, so its 413 carries their headers.
    "config.middleware.ApiBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # A member of a production that requires two-factor sign-in sets it up before anything else.
    "projects.accounts.TwoFactorRequiredMiddleware",
    "core.middleware.UnavailableMiddleware",
    # Last, as Axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "projects.accounts.signup_mode",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL (postgres://...) switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tracksheet.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so a check-then-write service
    # (no double booking, gapless numbers) is serialized against other writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Tests on SQLite use a file, not memory: the concurrency tests open one connection per thread,
# and only a file database makes them meet at SQLite's real write lock.
_test_name = env.str("TEST_DATABASE_NAME", default="") or None
if _test_name is None and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _test_name = str(VAR_DIR / "test.sqlite3")
DATABASES["default"]["TEST"] = {"NAME": _test_name}

# Built calendar feeds are kept here by version: local memory by default (per process), Redis
# (`CACHE_URL=redis://host:6379/2`) when several web processes should share them.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Axes refuses a locked-out sign-in before the password is checked; ModelBackend checks a
# username's password, allauth's backend an e-mail address's.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
# whitenoise looks at this folder when the app starts; it exists before collectstatic fills it.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names: whitenoise serves them with far-future cache headers.
    "staticfiles": {"BACKEND": "config.storage.StaticStorage"},
}
# Whitenoise also serves the source folders, so pages keep their styles before (or without)
# collectstatic; collected files still win with their hashed names.
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# Accounts (django-allauth; projects/accounts.py adapts it). Who may make an account:
# `open` (anyone), `invite` (someone holding a production's invitation; the default) or
# `closed` (nobody: an administrator makes accounts, invitations go to existing accounts).
SIGNUP = env.str("SIGNUP", default="invite")
if SIGNUP not in ("open", "invite", "closed"):
    raise ValueError(f"SIGNUP is open, invite or closed, not {SIGNUP!r}")
# Days an invitation's link works; resending it starts the days again with a new link.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)
ACCOUNT_ADAPTER = "projects.accounts.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "projects.accounts.LoginForm",
    "signup": "projects.accounts.SignupForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
# A name, an address and a password; the username is made from the address (shown on the
# account page), so sign-up tells nobody which usernames exist.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# An address given at sign-up or added later is used once its owner has followed the mail's
# link; an invitation's address is verified by the invitation (its link came by that mail).
# Accounts an administrator made are taken as they are (projects.accounts.VerifiedEmailStage).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tracksheet] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Wrong passwords are counted by Axes (below), in the database every process shares; allauth's
# own count of them would lock first and answer differently.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
MFA_ADAPTER = "projects.accounts.TwoFactorAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
# A code from the step before or after counts too: a phone's clock is rarely exact.
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Tracksheet")
# WebAuthn needs a secure origin; on a laptop's http://localhost browsers allow it too.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
USERSESSIONS_TRACK_ACTIVITY = False
# Single sign-on over OpenID Connect, off unless OIDC_SERVER_URL is set (README: Accounts).
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
if env.str("OIDC_SERVER_URL", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env.str("OIDC_PROVIDER_ID", default="sso"),
                "name": env.str("OIDC_NAME", default="Single sign-on"),
                "client_id": env.str("OIDC_CLIENT_ID"),
                "secret": env.str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env.str("OIDC_SERVER_URL")},
            }
        ],
        # The provider vouches for the address it sends.
        "VERIFIED_EMAIL": env.bool("OIDC_VERIFIED_EMAIL", default=False),
    }

# Sign-in lockouts (django-axes, core.security.SignInHandler): a username from one address
# after SIGNIN_FAILURE_LIMIT wrong passwords, an address after SIGNIN_ADDRESS_FAILURE_LIMIT
# across usernames; each lock lasts SIGNIN_COOLOFF_MINUTES after the last refused attempt.
# Attempts are rows in the database (admin: Axes), so every process sees the same locks.
SIGNIN_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=20)
SIGNIN_COOLOFF_MINUTES = env.int("SIGNIN_COOLOFF_MINUTES", default=15)
AXES_HANDLER = "core.security.SignInHandler"
# No banner on every start: management commands' output (check --deploy) stays what they say.
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = SIGNIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=SIGNIN_COOLOFF_MINUTES)
AXES_CLIENT_IP_CALLABLE = "core.security.client_address"
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
# A success must not wipe the failures: Axes would delete every attempt matching the address
# too, and one valid account would reset a guesser's budget for all the others.
AXES_RESET_ON_SUCCESS = False
# A refused attempt (even with the right password) neither extends the lock nor is stored:
# the lockout page's time holds, and hammering a lock writes nothing to the database.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# DDEX's ERN 4.3 schema (release-notification.xsd and the value sets it imports), kept in the
# repository under DDEX's licence (releases/ddex_schema/NOTICE); a setting may point elsewhere.
DDEX_SCHEMA_DIR = Path(
    env.str("DDEX_SCHEMA_DIR", default=str(BASE_DIR / "releases" / "ddex_schema"))
)
# Who sends and who receives the DDEX messages: DDEX Party IDs (DPIDs, from dpid.ddex.net) and
# the names registered with them. Unset in production, exports answer 503 and `check --deploy`
# warns; on a laptop (DEBUG) and under pytest they default to placeholders nobody could take for
# a real party, and those messages are marked TestMessage.
_ddex_placeholders = DEBUG or "pytest" in sys.modules
DDEX_SENDER_DPID = env.str(
    "DDEX_SENDER_DPID", default="PADPIDATESTSENDER" if _ddex_placeholders else ""
)
DDEX_SENDER_NAME = env.str(
    "DDEX_SENDER_NAME", default="Test sender (set DDEX_SENDER_NAME)" if _ddex_placeholders else ""
)
DDEX_RECIPIENT_DPID = env.str(
    "DDEX_RECIPIENT_DPID", default="PADPIDATESTRECIPIENT" if _ddex_placeholders else ""
)
DDEX_RECIPIENT_NAME = env.str(
    "DDEX_RECIPIENT_NAME",
    default="Test recipient (set DDEX_RECIPIENT_NAME)" if _ddex_placeholders else "",
)

# Release deliverables. The render hook is a class (releases.render.Renderer); the default runs
# ffmpeg (Debian's package). Loudness targets are what readiness warns about.
RELEASES_RENDERER = env.str("RELEASES_RENDERER", default="releases.render.FfmpegRenderer")
RELEASES_FFMPEG = env.str("RELEASES_FFMPEG", default="ffmpeg")
RELEASES_RENDER_TIMEOUT = env.int("RELEASES_RENDER_TIMEOUT", default=600)
RELEASES_LOUDNESS_TARGET_LUFS = env.float("RELEASES_LOUDNESS_TARGET_LUFS", default=-14.0)
RELEASES_TRUE_PEAK_MAX_DBTP = env.float("RELEASES_TRUE_PEAK_MAX_DBTP", default=-1.0)
RELEASES_MASTER_MAX_BYTES = env.int("RELEASES_MASTER_MAX_BYTES", default=4 * 1024**3)
# The longest audio each kind takes, in minutes (a track's master, a song's version): a
# longer upload is refused naming the limit, before it is decoded to the end.
RELEASES_MASTER_MAX_MINUTES = env.int("RELEASES_MASTER_MAX_MINUTES", default=120)
SONG_VERSION_MAX_MINUTES = env.int("SONG_VERSION_MAX_MINUTES", default=120)

# Invoice PDFs on A4 or US Letter paper.
INVOICE_PAGE_SIZE = env.str("INVOICE_PAGE_SIZE", default="A4")
# Who issues the invoices: the pages fill a new draft's "From" with these, so nobody retypes
# them (each invoice keeps its own copy, as issued). In INVOICE_ISSUER_ADDRESS a literal \n
# starts a new line, since an environment variable is one line.
INVOICE_ISSUER_NAME = env.str("INVOICE_ISSUER_NAME", default="")
INVOICE_ISSUER_ADDRESS = env.str("INVOICE_ISSUER_ADDRESS", default="").replace("\\n", "\n")
INVOICE_ISSUER_VAT = env.str("INVOICE_ISSUER_VAT", default="")
INVOICE_ISSUER_IBAN = env.str("INVOICE_ISSUER_IBAN", default="")
INVOICE_ISSUER_BIC = env.str("INVOICE_ISSUER_BIC", default="")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tracksheet@localhost")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Where links in mail point (invitations, call sheets, warnings): the site's public address.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

# Production behind TLS: HTTPS=true turns on every setting `check --deploy` asks for.
HTTPS = env.bool("HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
# Reverse proxies in front of the site that append the caller to X-Forwarded-For. 0 trusts no
# such header (a client could write any address into it); HTTPS=true already assumes one proxy
# (X-Forwarded-Proto), so it defaults to 1. Sign-in lockouts and API throttles count per
# address: with this too low, every caller shares the proxy's address and its limits.
PROXY_COUNT = env.int("PROXY_COUNT", default=1 if HTTPS else 0)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# Content-Security-Policy (django-csp): scripts and styles only from our own files, never
# inline. The calendar's FullCalendar injects its stylesheet as a <style> element carrying the
# page's nonce (studio/templates/studio/calendar.html); Swagger UI relaxes styles for itself
# (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        # FullCalendar's bundle carries its icon font inline, as a data: URL.
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The OpenAPI schema and Swagger UI name every endpoint and field: signed-in users only,
# unless this opens them to anyone.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a script with a bad token gets 401 with WWW-Authenticate, not 403.
        # An address that keeps sending bad tokens is refused with 429 (token_failure).
        "core.security.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Counts requests that no authenticator accepted against the address (anon).
        "core.security.AnonymousRateAuthentication",
    ],
    # Throttle history lives in the default cache: with several processes it must be shared
    # (CACHE_URL=redis://...), or each process allows the full rate on its own.
    "DEFAULT_THROTTLE_CLASSES": ["core.security.UserRateLimit"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="2000/hour"),
        "anon": env.str("API_THROTTLE_ANON", default="100/hour"),
        "token_failure": env.str("API_THROTTLE_TOKEN_FAILURES", default="20/hour"),
    },
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    # JSON nested past the recursion limit is a 400 (config.parsers.JSONParser).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        # Relations filter by id: a foreign id and a missing one answer alike.
        "core.filters.FilterBackend",
        "core.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tracksheet API",
    "DESCRIPTION": "Studio days, sessions, budgets and releases for music producers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI's files come from the sidecar package through whitenoise, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The anonymous rate limit sits in the authentication chain but is no way to sign in.
    "AUTHENTICATION_WHITELIST": [
        "core.security.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MembershipRoleEnum": "projects.models.Role",
        "BookingStatusEnum": "studio.models.Booking.Status",
        "ProjectStatusEnum": "projects.models.Project.Status",
        "GearStatusEnum": "studio.models.Gear.Status",
        "GearCategoryEnum": "studio.models.Gear.Category",
        "BudgetCategoryEnum": "budgets.models.Category",
        "SplitKindEnum": "releases.models.Split.Kind",
        "RenderTargetEnum": "releases.models.Target",
        "RenderStatusEnum": "releases.models.RenderStatus",
        "SongVersionKindEnum": "songs.models.VersionKind",
        "SongVersionStatusEnum": "songs.models.AnalysisStatus",
        "PartStatusEnum": "songs.models.PartStatus",
        "SongStageEnum": "songs.models.SongStage",
        "BillingMilestoneKindEnum": "budgets.models.billing.MilestoneKind",
        "BillingMilestoneStatusEnum": "budgets.models.billing.MILESTONE_STATUSES",
    },
    # The error answers every operation shares (400, 401, 403, 404, 409, 415, 429, 503).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema_error_responses",
    ],
}

# Celery. With no broker, tasks run in-process so the laptop needs nothing else running.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged after it ran, and given back to the queue if its worker dies, so a
# crash never loses work; tasks are written to be idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process past this much resident memory (KiB) is replaced after its task: a leak or a
# library's cache cannot grow a long-running worker without end.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1024 * 1024
)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic jobs for `celery beat`; each app adds its own entries here.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Each hold is expired once even if two runs overlap (studio.services.bookings.holds_expire).
    "expire-holds": {"task": "studio.tasks.holds_expire", "schedule": 60.0},
    # Work whose task the broker could not take when it was written (core.queue).
    "sweep-membership-emails": {"task": "studio.tasks.membership_notify_sweep", "schedule": 300.0},
    "sweep-invitation-emails": {"task": "projects.tasks.invitations_sweep", "schedule": 300.0},
    # Notices whose send never reached a worker or gave up (projects.notices).
    "sweep-notices": {"task": "studio.tasks.notices_sweep", "schedule": 300.0},
    # Holds lapsing within 24 hours: each holder is warned once per hold and expiry.
    "warn-lapsing-holds": {"task": "studio.tasks.holds_warn_lapsing", "schedule": 900.0},
    # Call sheets go out from 17:00 studio time the day before; each session's once.
    "send-call-sheets": {"task": "sessions.tasks.call_sheets_send_due", "schedule": 900.0},
    "sweep-releases-queue": {"task": "releases.tasks.queue_sweep", "schedule": 300.0},
    "sweep-version-analyses": {"task": "songs.tasks.versions_sweep", "schedule": 300.0},
    # Once a day is enough for payment reminders.
    "remind-overdue-invoices": {
        "task": "budgets.tasks.invoices_remind_overdue",
        "schedule": 86400.0,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
