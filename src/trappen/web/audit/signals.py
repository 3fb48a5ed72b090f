"""Logins, failed logins and logouts on the audit trail (Django's auth signals; django-axes
sends its lockouts through the same ``user_login_failed``).

A failed login never stores the password (Django hands receivers the credentials with the
password masked, and only the username is read here) nor the username as typed: it may be a
CPR number, a name or a password typed into the wrong field. When it names an existing account
the event carries that account (as a successful login would); otherwise the username column
holds ``unknown:`` and a keyed hash of what was typed (HMAC-SHA256 with the secret key, 16 hex
digits), enough to see one name tried many times, not to read it back.
"""

from __future__ import annotations

import hashlib
import hmac
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from trappen.web.audit.services import audit_record


def _typed_name_hash(typed: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, b"trappen.audit.login:" + typed.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _logged_in(sender: object, request: object = None, user: object = None, **kwargs: object) -> None:
    audit_record(actor=user, child_id=None, action="auth", endpoint="login")


def _logged_out(sender: object, request: object = None, user: object = None, **kwargs: object) -> None:
    if user is not None:  # logging out without a session: nobody to name
        audit_record(actor=user, child_id=None, action="auth", endpoint="logout")


def _login_failed(sender: object, credentials: dict[str, object] | None = None, request: object = None,
                  **kwargs: object) -> None:
    typed = str((credentials or {}).get("username") or "")
    account = get_user_model()._default_manager.filter(username=typed).first() if typed else None
    actor = account if account is not None else SimpleNamespace(
        pk=None, username=f"unknown:{_typed_name_hash(typed)}" if typed else "anonymous")
    audit_record(actor=actor, child_id=None, action="auth", endpoint="login_failed")


def connect() -> None:
    """Connect the receivers (from :meth:`AuditConfig.ready`)."""
    user_logged_in.connect(_logged_in, dispatch_uid="trappen.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="trappen.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="trappen.audit.login_failed")
