"""Django settings for Trappen: one module, read from the environment (HealthChecks style).

Every variable is documented in ``.env.example`` and ``docs/operations.md``. Bad values raise
:class:`django.core.exceptions.ImproperlyConfigured` naming the variable and the value, so a
misconfigured server refuses to start instead of running half-configured.

Modes:
    * production (default): ``DEBUG`` off, a real ``SECRET_KEY`` and a CPR key are required,
      cookies are Secure.
    * ``TRAPPEN_DEMO=1`` (set by ``trappen demo``): synthetic data on 127.0.0.1; a fixed
      demo secret key and demo CPR key are allowed, cookies work over plain http.
    * tests (pytest is imported): like the demo, so the suite needs no environment.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from trappen.kpi.caseload import load_caseload_target

WEB_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a settings file (``#`` comments, blank lines and an optional
    ``export`` prefix ignored; one pair of surrounding quotes stripped); {} if the file is missing.

    Raises:
        ImproperlyConfigured: a line that is not ``NAME=value`` (names the file and line).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ImproperlyConfigured(f"{path}: cannot read the settings file ({exc.strerror})") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier():
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value, got {line[:40]!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def settings_file() -> Path:
    """The settings file: ``TRAPPEN_ENV_FILE``, else ``.env`` in the data directory (where
    ``trappen demo`` writes it); both taken from the environment only."""
    named = os.environ.get("TRAPPEN_ENV_FILE", "").strip()
    if named:
        return Path(named).resolve()
    return (Path(os.environ.get("TRAPPEN_DATA_DIR", "").strip() or "var") / ".env").resolve()


ENV_FILE = settings_file()
"""Read for every variable that is not set in the environment (the environment wins)."""
_ENV_FILE_NAMED = bool(os.environ.get("TRAPPEN_ENV_FILE", "").strip())
if _ENV_FILE_NAMED and not ENV_FILE.is_file():
    raise ImproperlyConfigured(f"TRAPPEN_ENV_FILE names {str(ENV_FILE)!r}, which is not a file")
# the test suite reads no stray ./var/.env from a developer's demo, only a named file
_FILE_VALUES = read_env_file(ENV_FILE) if _ENV_FILE_NAMED or "pytest" not in sys.modules else {}


def _raw(name: str) -> str | None:
    """The variable from the environment, else from the settings file, else None."""
    value = os.environ.get(name)
    return _FILE_VALUES.get(name) if value is None else value


def env_str(name: str, default: str = "") -> str:
    """A string variable; ``default`` when unset or empty."""
    return (_raw(name) or "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable: 1/true/yes/on or 0/false/no/off (case-insensitive); empty = unset."""
    raw = _raw(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """An integer variable, optionally at least ``minimum``."""
    raw = _raw(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list variable."""
    raw = _raw(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


TESTING = "pytest" in sys.modules
DEMO = env_bool("TRAPPEN_DEMO", False)
DEBUG = env_bool("DEBUG", False)
INSECURE_DEFAULTS_ALLOWED = DEBUG or DEMO or TESTING
"""Fixed development keys are acceptable only in debug, demo and test runs."""

_DEV_SECRET_KEY = "trappen-development-only-secret-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY:
    if not INSECURE_DEFAULTS_ALLOWED:
        raise ImproperlyConfigured(
            f"SECRET_KEY is missing or is the development default: set SECRET_KEY (and TRAPPEN_CPR_KEY) "
            f"in the environment or in {ENV_FILE} (see .env.example), or run `trappen demo` here first.")
    SECRET_KEY = _DEV_SECRET_KEY

TRAPPEN_CPR_KEY = env_str("TRAPPEN_CPR_KEY")
TRAPPEN_CPR_KEY_FILE = env_str("TRAPPEN_CPR_KEY_FILE")
TRAPPEN_CPR_PREVIOUS_KEYS = env_str("TRAPPEN_CPR_PREVIOUS_KEYS")
"""The key that encrypts CPR numbers at rest; read by trappen.web.register.crypto."""

TRAPPEN_DATA_DIR = Path(env_str("TRAPPEN_DATA_DIR", "var")).resolve()
# The municipality's own staircase and intervention catalogue (TOML); empty = the shipped ones.
TRAPPEN_STAIRCASE_FILE = env_str("TRAPPEN_STAIRCASE_FILE")
TRAPPEN_CATALOGUE_FILE = env_str("TRAPPEN_CATALOGUE_FILE")
# The mapping of account functions to steps, versioned by accounting year (TOML); empty = the
# shipped EXAMPLE (trappen/economics/data/account_mapping_example.toml), to be checked first.
TRAPPEN_ACCOUNT_MAPPING_FILE = env_str("TRAPPEN_ACCOUNT_MAPPING_FILE")
# Caseload rules (TOML: the target and the weight of a child on each step); empty = the core's
# one source, trappen/kpi/data/caseload.toml. Children per full-time caseworker counted as over
# target (team page, caseload dashboard, KPIs, goals, report): TRAPPEN_CASELOAD_TARGET, else the
# file's (25, the Herning model's).
TRAPPEN_CASELOAD_FILE = env_str("TRAPPEN_CASELOAD_FILE")
TRAPPEN_CASELOAD_TARGET = float(env_int("TRAPPEN_CASELOAD_TARGET", 0, minimum=1)
                                or load_caseload_target(TRAPPEN_CASELOAD_FILE or None))
# Approval of step-ups (TOML: which steps need a team leader's approval, which decisions are
# reserved for børn og unge-udvalget); empty = trappen/staircase/data/approvals.toml.
TRAPPEN_APPROVALS_FILE = env_str("TRAPPEN_APPROVALS_FILE")
# Where the nightly `trappen audit anchor` appends the audit chain's head (a file on another
# server, docs/operations.md); when set, `trappen audit verify` checks it by default, so rows
# deleted from the end of the log up to the last anchor are caught. Empty = no default anchors.
TRAPPEN_AUDIT_ANCHOR_FILE = env_str("TRAPPEN_AUDIT_ANCHOR_FILE")
# How far ahead of today a written date may lie (an intervention's start, planned end or end):
# the municipality's planning horizon, a year and a day by default. Beyond it a date is a typo
# (9999-12-31) that would take the analytics down (#14 item 3).
TRAPPEN_MAX_FUTURE_DAYS = env_int("TRAPPEN_MAX_FUTURE_DAYS", 366, minimum=0)
# Offers and capacity (#17): a step's availability turns red on the overviews when the children
# waiting for a place on it have waited longer than this many days (the median wait), or when
# the step has no open offer with a free place. The municipality sets it.
TRAPPEN_WAITING_ALERT_DAYS = env_int("TRAPPEN_WAITING_ALERT_DAYS", 30, minimum=0)
# Collaboration (#16): while a child is helped on steps 1-3, a cross-disciplinary meeting is due at
# least every this many months (duty C2 of trappen/deadlines/data/collaboration.toml); 0 = no
# such duty. The municipality sets it; the default is the file's (3).
TRAPPEN_MEETING_CADENCE_MONTHS = env_int("TRAPPEN_MEETING_CADENCE_MONTHS", 3, minimum=0)
# Dashboards ask whether the register changed (a fingerprint of row counts, top ids and edit
# versions: a scan of each table) at most this often; a write shows on the dashboards within this
# many seconds. Tests: 0 (every request checks).
TRAPPEN_DASHBOARD_CHECK_SECONDS = env_int("TRAPPEN_DASHBOARD_CHECK_SECONDS", 0 if TESTING else 5, minimum=0)
# Uploads (budget, accounts, prices, staircase files) are refused before parsing when larger than
# this many bytes, when an .xlsx unpacks to more than this many bytes (a zip bomb), or when they
# hold more than this many rows. Budgets and accounts are a few hundred lines.
TRAPPEN_UPLOAD_MAX_BYTES = env_int("TRAPPEN_UPLOAD_MAX_BYTES", 1024 * 1024, minimum=1)
TRAPPEN_UPLOAD_MAX_UNPACKED_BYTES = env_int("TRAPPEN_UPLOAD_MAX_UNPACKED_BYTES", 20 * 1024 * 1024, minimum=1)
TRAPPEN_UPLOAD_MAX_ROWS = env_int("TRAPPEN_UPLOAD_MAX_ROWS", 20_000, minimum=1)
# Deliveries to Danmarks Statistik (L201/L231 envelope; docs/dst.md): the kommunekode, CVR and
# P-number of the municipality and the contacts as "Role=e-mail" pairs. Demo runs get obviously
# fake values (kommunekode 999 is no municipality).
TRAPPEN_DST_MUNICIPALITY_CODE = env_str("TRAPPEN_DST_MUNICIPALITY_CODE", "999" if INSECURE_DEFAULTS_ALLOWED else "")
TRAPPEN_DST_CVR = env_str("TRAPPEN_DST_CVR", "00000000" if INSECURE_DEFAULTS_ALLOWED else "")
TRAPPEN_DST_P_NUMBER = env_str("TRAPPEN_DST_P_NUMBER")
TRAPPEN_DST_CONTACTS = env_list("TRAPPEN_DST_CONTACTS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if INSECURE_DEFAULTS_ALLOWED else [])
# Debug and demo mode (public development keys, plain-http cookies, no second factor) and the
# fixed keys only ever answer this machine: a server host name with any of them refuses to start.
_SERVER_HOSTS = [host for host in ALLOWED_HOSTS if host not in {"localhost", "127.0.0.1", "[::1]", "::1"}]
if _SERVER_HOSTS:
    _unsafe = ("DEBUG" if DEBUG else "TRAPPEN_DEMO" if DEMO
               else "SECRET_KEY" if SECRET_KEY == _DEV_SECRET_KEY
               else "TRAPPEN_CPR_KEY" if INSECURE_DEFAULTS_ALLOWED and not (TRAPPEN_CPR_KEY or TRAPPEN_CPR_KEY_FILE)
               else "")
    if _unsafe:
        raise ImproperlyConfigured(
            f"{_unsafe} is {'on' if _unsafe in {'DEBUG', 'TRAPPEN_DEMO'} else 'missing (the development default)'} "
            f"but ALLOWED_HOSTS names {_SERVER_HOSTS[0]!r}: debug and demo mode and the fixed development "
            f"keys are for localhost/127.0.0.1/[::1] only (turn {_unsafe} off, or set a real key)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "trappen.web.register",
    "trappen.web.accounts",
    "trappen.web.audit",
    "trappen.web.pages",
    "trappen.web.casework", "trappen.web.api",
    "trappen.web.dashboards",
    "trappen.web.investments",
    "trappen.web.economics",
    "trappen.web.goals",
    "trappen.web.reports",
    "trappen.web.forecasts",
    "trappen.web.evaluation",
    "trappen.web.dst",
    "trappen.web.national",
    "trappen.web.journal",
    "trappen.web.approvals",
    "trappen.web.collaboration",
    "trappen.web.offers",
    "axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static", "trappen.web.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "trappen.web.security.headers.ResponseHeadersMiddleware",  # Permissions-Policy, no-store
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "trappen.web.outage.OutageSessionMiddleware",  # Django's, with a database outage a 503
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trappen.web.security.middleware.OversizedIdMiddleware",
    "trappen.web.security.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "trappen.web.security.session_limit.SessionLimitMiddleware",  # TRAPPEN_SESSION_MAX_HOURS
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trappen.web.urls"
WSGI_APPLICATION = "trappen.web.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
from trappen.web.security.config import *  # noqa: E402,F403  (login hardening: axes, OTP, OIDC)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [WEB_DIR / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "trappen.web.pages.shell.navigation",
    ]},
}]

# --- database: SQLite in TRAPPEN_DATA_DIR by default, PostgreSQL in production -------------
_default_db = f"sqlite:///{TRAPPEN_DATA_DIR / 'trappen.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db),
                                                  conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
# A kept connection is checked before a request reuses it: after a PostgreSQL restart the first
# request gets a new connection instead of an error.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# While the database cannot be reached, requests get 503 with this Retry-After (trappen.web.outage).
TRAPPEN_RETRY_AFTER_SECONDS = env_int("TRAPPEN_RETRY_AFTER_SECONDS", 5, minimum=1)
# API tokens (trappen.web.api): each expires, by default after TRAPPEN_API_TOKEN_DAYS, at most
# TRAPPEN_API_TOKEN_MAX_DAYS; each is limited to TRAPPEN_API_RATE calls (django-ninja's
# throttling: <number>/<s|m|h|d>), a 429 with Retry-After beyond it.
TRAPPEN_API_TOKEN_DAYS = env_int("TRAPPEN_API_TOKEN_DAYS", 90, minimum=1)
TRAPPEN_API_TOKEN_MAX_DAYS = env_int("TRAPPEN_API_TOKEN_MAX_DAYS", 365, minimum=1)
TRAPPEN_API_RATE = env_str("TRAPPEN_API_RATE", "600/m")
if not re.fullmatch(r"[1-9]\d*/[smhd]", TRAPPEN_API_RATE):
    raise ImproperlyConfigured(f"TRAPPEN_API_RATE={TRAPPEN_API_RATE!r}: write <number>/<s|m|h|d>, e.g. 600/m")
if TRAPPEN_API_TOKEN_DAYS > TRAPPEN_API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured("TRAPPEN_API_TOKEN_DAYS is above TRAPPEN_API_TOKEN_MAX_DAYS")
TRAPPEN_OTP_ENROL_HOURS = env_int("TRAPPEN_OTP_ENROL_HOURS", 72, minimum=1)
"""How long after an account is made, or its second factor reset by an administrator, the user may
set up an authenticator app. Afterwards no app is set up on the password alone: whoever learns a
password cannot enrol their own phone in the owner's name."""
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- passwords, sessions, cookies -----------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create many users. Production keeps Argon2 first.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SECURE_COOKIES = env_bool("TRAPPEN_SECURE_COOKIES", not INSECURE_DEFAULTS_ALLOWED)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "trappen.web.pages.errors.csrf_failure"  # translated, in the layout, with a way back
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_IDLE_MINUTES = env_int("TRAPPEN_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# A request restarts the idle clock, at most once a minute (a session write per page costs a
# database write; trappen.web.security.session_limit).
SESSION_SAVE_EVERY_REQUEST = False
# ...and however busy, a session ends this many hours after its login (a working day with
# overtime; trappen.web.security.session_limit).
SESSION_MAX_HOURS = env_int("TRAPPEN_SESSION_MAX_HOURS", 10, minimum=1)
# A purpose stated for a child outside one's own cases holds this long, then is asked again
# (a working day by default; it also ends with the session).
PURPOSE_HOURS = env_int("TRAPPEN_PURPOSE_HOURS", 8, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("TRAPPEN_SSL_REDIRECT", False)
# HSTS on by default outside debug/demo/tests (a year; source: OWASP HTTP Strict Transport
# Security Cheat Sheet); sent by Django only on https requests.
SECURE_HSTS_SECONDS = env_int("TRAPPEN_HSTS_SECONDS", 0 if INSECURE_DEFAULTS_ALLOWED else 31_536_000, minimum=0)
if env_bool("TRAPPEN_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Strict CSP: only our own scripts, styles and images; no inline script or style.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}}

# --- language: Danish first, English switch -------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Copenhagen"

# --- static files: served by WhiteNoise straight from the package (no collectstatic needed) --
STATIC_URL = "/static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = env_str("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TRAPPEN_LOG_LEVEL", "INFO")},
}
