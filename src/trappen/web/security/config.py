"""Login-hardening settings, star-imported by :mod:`trappen.web.settings` (one line there).

* django-axes: lockout after ``TRAPPEN_LOGIN_FAILURE_LIMIT`` failed logins (default 5) for
  ``TRAPPEN_LOCKOUT_HOURS`` (default 1), counted per username and address together (nobody can
  lock someone else out from another address); an address with ``TRAPPEN_ADDRESS_FAILURE_LIMIT``
  failures over all usernames (default 30: password spraying) is locked as a whole.
* django-otp: a time-based one-time password is required for every role
  (``OTP_REQUIRED_ROLES``) when ``TRAPPEN_REQUIRE_OTP`` is on (default on in production, off in the
  demo, debug and tests so the demo logins work without a phone).
* mozilla-django-oidc: single sign-on through a municipal OpenID Connect provider, enabled
  only when ``TRAPPEN_OIDC_CLIENT_ID`` is set (see docs/privacy.md). Users are not created by
  SSO: an administrator creates the account (role, districts) first; SSO matches it by email.
"""

from __future__ import annotations

from trappen.privacy.roles import ROLES
from trappen.web import settings as _base

_env_bool, _env_int, _env_str = _base.env_bool, _base.env_int, _base.env_str

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must be first: refuses locked-out logins
    "trappen.web.security.lockout.AddressLockoutBackend",  # refuses password-spraying addresses
    "django.contrib.auth.backends.ModelBackend",
]

# Source: OWASP Authentication Cheat Sheet (account lockout after a small number of failures);
# NSIS/Digitaliseringsstyrelsen guidance uses 5 attempts for password logins.
AXES_FAILURE_LIMIT = _env_int("TRAPPEN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = _env_int("TRAPPEN_LOCKOUT_HOURS", 1, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
"""Locked per username at one address: a guesser elsewhere cannot lock someone out of their own
account. Guessing one account from many addresses meets the password rules and, for the roles
that hold the most data, the second factor."""
TRAPPEN_ADDRESS_FAILURE_LIMIT = _env_int("TRAPPEN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
"""Failures from one address (all usernames, all browsers) within the cool-off that lock the
address (password spraying; trappen.web.security.lockout). Above AXES_FAILURE_LIMIT so one
municipal NAT's typos do not lock everyone behind it."""
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
AXES_VERBOSE = False

OTP_REQUIRED_ROLES = ROLES
"""Every role: caseworkers, team leaders and partners see children's records; the others see the
aggregates, prices, accounts and the access log, and administrators create the accounts."""

_INSECURE_DEFAULTS_ALLOWED: bool = _base.INSECURE_DEFAULTS_ALLOWED
TRAPPEN_REQUIRE_OTP = _env_bool("TRAPPEN_REQUIRE_OTP", not _INSECURE_DEFAULTS_ALLOWED)
OTP_TOTP_ISSUER = _env_str("TRAPPEN_OTP_ISSUER", "Trappen")

# HSTS: with TRAPPEN_HSTS_SECONDS > 0 (the foundation's setting), subdomains and preloading are on
# unless turned off (a municipality whose subdomains still serve plain http turns them off).
# (the same default as the foundation's: a year outside debug/demo/tests; this module is imported
# before that line runs)
_HSTS_ON = _env_int("TRAPPEN_HSTS_SECONDS", 0 if _INSECURE_DEFAULTS_ALLOWED else 31_536_000) > 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("TRAPPEN_HSTS_INCLUDE_SUBDOMAINS", _HSTS_ON)
SECURE_HSTS_PRELOAD = _env_bool("TRAPPEN_HSTS_PRELOAD", _HSTS_ON)

# Uploads: only the economist's budget and accounts imports take a file (one, .csv or .xlsx, at
# most 1 MiB, checked by trappen.web.economics.forms); other request bodies are capped so a large
# POST is refused (400) before it is parsed. Source: Django's defaults are 2.5 MB; our forms and
# API payloads are a few kB, so 1 MiB leaves ample room.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
DATA_UPLOAD_MAX_NUMBER_FILES = 1

OIDC_ENABLED = bool(_env_str("TRAPPEN_OIDC_CLIENT_ID"))
if OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = _env_str("TRAPPEN_OIDC_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _env_str("TRAPPEN_OIDC_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _env_str("TRAPPEN_OIDC_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = _env_str("TRAPPEN_OIDC_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = _env_str("TRAPPEN_OIDC_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _env_str("TRAPPEN_OIDC_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _env_str("TRAPPEN_OIDC_JWKS_ENDPOINT")
    OIDC_CREATE_USER = False  # accounts (role, districts) are created by an administrator
    OIDC_RP_SCOPES = "openid email"
    _missing = [name for name, value in (
        ("TRAPPEN_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
        ("TRAPPEN_OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
        ("TRAPPEN_OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
        ("TRAPPEN_OIDC_USER_ENDPOINT", OIDC_OP_USER_ENDPOINT),
        ("TRAPPEN_OIDC_JWKS_ENDPOINT", OIDC_OP_JWKS_ENDPOINT)) if not value]
    if _missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"TRAPPEN_OIDC_CLIENT_ID is set but {', '.join(_missing)} "
                                   "is missing")
    _base.INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("mozilla_django_oidc.auth.OIDCAuthenticationBackend")
    LOGIN_REDIRECT_URL_FAILURE = "/login/"

__all__ = [name for name in dir() if name.isupper()]
