"""veoui's one settings module, driven by environment variables.

Every variable is optional and listed in the README's Configuration table. Defaults make `make run` work on a
fresh machine: SQLite next to the code, media in a local folder, and demo mode (the bundled kie.ai simulator)
when no KIE_API_KEY is set. A malformed value stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from veoui.common.env import env_bool, env_float, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", False)


def local_secret_key() -> str:
    """Without SECRET_KEY, one is made on first start and kept next to the code, so logins survive restarts
    and every process of this installation agrees. Production sets SECRET_KEY (see `check --deploy`)."""
    path = BASE_DIR / ".secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                handle.write(key)
        except FileExistsError:  # another process of this start-up wrote it first
            return path.read_text().strip()
        except OSError:  # a read-only checkout: a key for this process only
            pass
        return key


SECRET_KEY = env_str("SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# --- kie.ai -------------------------------------------------------------------------------------------------
SIMULATOR_PORT = env_int("VEOUI_SIMULATOR_PORT", 8765, minimum=1)
KIE_API_KEY = env_str("KIE_API_KEY")
DEMO_MODE = not KIE_API_KEY
if DEMO_MODE:
    # The bundled simulator checks a key like kie.ai does; this one only ever opens the local simulator.
    KIE_API_KEY = "veoui-demo-simulator-key"
    _simulator_url = f"http://127.0.0.1:{SIMULATOR_PORT}"
    KIE_API_BASE_URL = env_url("KIE_API_BASE_URL", _simulator_url)
    KIE_UPLOAD_BASE_URL = env_url("KIE_UPLOAD_BASE_URL", _simulator_url)
else:
    KIE_API_BASE_URL = env_url("KIE_API_BASE_URL", "https://api.kie.ai")
    KIE_UPLOAD_BASE_URL = env_url("KIE_UPLOAD_BASE_URL", "https://kieai.redpandaai.co")
KIE_WEBHOOK_HMAC_KEY = env_str("KIE_WEBHOOK_HMAC_KEY")
KIE_CONNECT_TIMEOUT = env_float("KIE_CONNECT_TIMEOUT", 5.0)
KIE_READ_TIMEOUT = env_float("KIE_READ_TIMEOUT", 30.0)
# The read timeout bounds each wait for data; this bounds a whole call, so an answer dripping in byte by byte
# can't hold the worker (uploads get five times as long).
KIE_CALL_DEADLINE = env_float("KIE_CALL_DEADLINE", 60.0)
PUBLIC_BASE_URL = env_url("PUBLIC_BASE_URL")

# --- Generations ------------------------------------------------------------------------------------------
VEOUI_POLL_INTERVAL = env_float("VEOUI_POLL_INTERVAL", 10.0)
VEOUI_POLL_DEADLINE = env_float("VEOUI_POLL_DEADLINE", 3600.0)
VEOUI_UPGRADE_POLL_INTERVAL = env_float("VEOUI_UPGRADE_POLL_INTERVAL", 25.0)
VEOUI_ARCHIVE_RETRY_BASE = env_float("VEOUI_ARCHIVE_RETRY_BASE", 30.0)
# Crash recovery: each worker touches its heartbeat this often, is taken for dead after this long without one,
# sweeps for lost work this often, and a row this long past its next check has lost its task chain.
VEOUI_HEARTBEAT_SECONDS = env_float("VEOUI_HEARTBEAT_SECONDS", 5.0)
VEOUI_WORKER_TIMEOUT = env_float("VEOUI_WORKER_TIMEOUT", 30.0)
VEOUI_SWEEP_SECONDS = env_float("VEOUI_SWEEP_SECONDS", 15.0)
VEOUI_ORPHAN_SECONDS = env_float("VEOUI_ORPHAN_SECONDS", 60.0)
VEOUI_UPLOAD_MAX_MB = env_int("VEOUI_UPLOAD_MAX_MB", 10, minimum=1)
# Hosts (or host:port) a pasted picture address may name although they are on a private network.
VEOUI_ALLOWED_IMAGE_HOSTS = env_list("VEOUI_ALLOWED_IMAGE_HOSTS", "")
VEOUI_VIDEO_MAX_MB = env_int("VEOUI_VIDEO_MAX_MB", 2048, minimum=1)
# One video download in all, redirects included: by default a minute plus half a second per MB it may weigh.
VEOUI_ARCHIVE_DEADLINE = env_float("VEOUI_ARCHIVE_DEADLINE", 60.0 + VEOUI_VIDEO_MAX_MB * 0.5)
# How long a look-up of a name in an address may take before the address is refused as unchecked.
VEOUI_NAME_LOOKUP_TIMEOUT = env_float("VEOUI_NAME_LOOKUP_TIMEOUT", 2.0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024

# --- Django ---------------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Before django_tasks_db, so veoui's db_worker (with recovery) overrides the plain one.
    "veoui.ops",
    "veoui.studio",
    "veoui.team",
    "veoui.projects",
    "veoui.scenes",
    "veoui.sharing",
    "veoui.review",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "veoui.common.middleware.RequestSizeLimitMiddleware",  # before anything reads the body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "veoui.team.language.PersonLanguageMiddleware",  # the person's saved language, after login
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "veoui.team.middleware.TeamMiddleware",  # login throttling; temporary passwords changed first
]

ROOT_URLCONF = "veoui.urls"
WSGI_APPLICATION = "veoui.wsgi.application"

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
                "django.template.context_processors.csp",
                "veoui.common.context_processors.veoui",
            ],
            "builtins": ["veoui.common.icons"],  # {% icon "name" %} on every page, without a {% load %}
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database address Django understands: {exc}") from None
else:
    # The web and the worker share one SQLite file: WAL lets readers run beside the writer, IMMEDIATE takes the
    # write lock at BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": Path(env_str("SQLITE_PATH") or BASE_DIR / "db.sqlite3"),
            # Each gunicorn thread keeps its connection: opening the file and setting WAL on every request
            # cost more than the status partial's own queries.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": BASE_DIR / ".test-db.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "archive", "export"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's model backend, reading the membership with the person (veoui/team/backends.py). Django's own stays
# listed so that sessions opened before keep working; it never checks a password itself.
AUTHENTICATION_BACKENDS = ["veoui.team.backends.MemberBackend", "django.contrib.auth.backends.ModelBackend"]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# The languages of the switcher, each named in itself. A person's choice is kept on their membership
# (veoui.team.language); before login in the language cookie, else the browser's preference decides.
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("es", "Español"),
]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "veoui" / "locale"]
# Dates and numbers follow the language; veoui/formats/ adjusts a few of Django's formats per language.
FORMAT_MODULE_PATH = ["veoui.formats"]

STATIC_URL = "static/"
# `collectstatic` writes the compressed, hashed static files here; whitenoise serves them (or nginx, see deploy/).
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / ".staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "media/"
# Behind nginx: after veoui's access check, nginx sends a file of MEDIA_ROOT itself from this internal location.
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "hide_tokens": {"()": "veoui.common.logs.HideCallbackTokens"},
        "quiet_forbidden": {"()": "veoui.common.logs.QuietForbidden"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["hide_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django": {"level": "INFO"},
        "django.request": {"filters": ["quiet_forbidden"]},
        "urllib3": {"level": "WARNING"},
    },
}

# --- Running on a server (README: "Running on a server") ---------------------------------------------------
# HTTPS=true (the default when PUBLIC_BASE_URL starts with https://) says the site is only ever served over
# HTTPS: cookies are sent over HTTPS only, http:// is redirected, and browsers are told to stick to HTTPS.
HTTPS = env_bool("HTTPS", PUBLIC_BASE_URL.startswith("https://"))
# Behind nginx (or a load balancer) that terminates TLS: trust its X-Forwarded-Proto header, and the address it
# appends to X-Forwarded-For (veoui.team.throttle). Only right when every request comes through that proxy, which
# must set both itself (veoui/deploy/nginx.conf does).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# Load balancers check /health/ over plain HTTP on the private network: no redirect for them.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
# Covers the names under veoui's own host (*.video.example.com), not its siblings.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list binds a whole domain for months: a decision for the admin
# (SECURE_HSTS_PRELOAD=true), so `check --deploy` does not nag about it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The worker deletes finished task rows (the queue's history) older than this, about once an hour.
VEOUI_TASK_RESULTS_KEEP_DAYS = env_int("VEOUI_TASK_RESULTS_KEEP_DAYS", 14, minimum=1)

# Uploads: Django keeps at most DATA_UPLOAD_MAX_MEMORY_SIZE of form fields in memory; pictures are checked one by
# one against VEOUI_UPLOAD_MAX_MB. A whole request (the studio form with its three pictures) may be at most
# VEOUI_REQUEST_MAX_MB: anything larger is refused with 413 before Django reads it. Keep nginx's
# client_max_body_size the same.
VEOUI_REQUEST_MAX_MB = env_int("VEOUI_REQUEST_MAX_MB", 3 * VEOUI_UPLOAD_MAX_MB + 2, minimum=1)

# --- Content Security Policy ------------------------------------------------------------------------------
# Scripts only from veoui itself and only with this response's nonce; no inline styles or event handlers
# anywhere (htmx is told not to inject its indicator style nor to evaluate code, see templates/base.html).
# Pictures pasted as web addresses and kie.ai's own video links (shown until the copy is archived) are https:.
_media_sources = [CSP.SELF, "blob:", "https:"]
if DEMO_MODE:
    _media_sources.append(KIE_API_BASE_URL)  # the bundled simulator's files, on http://127.0.0.1
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [*_media_sources, "data:"],
    "media-src": _media_sources,
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "upgrade-insecure-requests": HTTPS,
}

# --- Media on S3-compatible storage (README: "Media on S3-compatible storage") ---------------------------
# With S3_BUCKET set, pictures and archived videos go to that bucket instead of MEDIA_ROOT. Members still get
# them through veoui's own views (access checked on every request, ranges streamed from the bucket), so the
# bucket stays private and needs no public address.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _s3_key_id, _s3_secret = env_str("S3_ACCESS_KEY_ID"), env_str("S3_SECRET_ACCESS_KEY")
    if bool(_s3_key_id) != bool(_s3_secret):
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together.")
    _s3_style = env_str("S3_ADDRESSING_STYLE", "auto").lower()
    if _s3_style not in {"auto", "path", "virtual"}:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be auto, path or virtual, not {_s3_style!r}.")
    STORAGES["default"] = {
        "BACKEND": "veoui.common.storage.S3MediaStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_url("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            # Unset: boto3's usual sources (AWS_* variables, ~/.aws, an instance role).
            "access_key": _s3_key_id or None,
            "secret_key": _s3_secret or None,
            "location": env_str("S3_PREFIX").strip("/"),
            "addressing_style": None if _s3_style == "auto" else _s3_style,
        },
    }

# Email to a video's owner when it is finished, sent once by the worker (to people with an email address).
# Without EMAIL_HOST: in demo mode or with DEBUG they go to the worker's log (console backend), else none are sent.
_email_host = env_str("EMAIL_HOST")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
elif DEBUG or DEMO_MODE:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # A production server without EMAIL_HOST sends no email (VEOUI_EMAIL_OWNERS); SMTP only to satisfy the checks.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
VEOUI_EMAIL_OWNERS = bool(_email_host) or DEBUG or DEMO_MODE
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "veoui <veoui@localhost>")
