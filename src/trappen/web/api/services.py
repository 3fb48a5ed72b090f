"""API token writes and lookup. The plain token is returned once and never stored.

A token expires after ``days`` (``TRAPPEN_API_TOKEN_DAYS`` by default, at most
``TRAPPEN_API_TOKEN_MAX_DAYS``) and carries scopes: ``read`` (GET) and ``write`` (every other
method). Creating and revoking a token is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trappen.errors import InvalidInput, Problem
from trappen.web.api.models import SCOPES, ApiToken

TOKEN_BYTES = 32
"""256 bits of randomness (secrets.token_urlsafe), beyond guessing."""
LAST_USED_EVERY = dt.timedelta(minutes=10)
"""``last_used_at`` is refreshed at most this often: a write per API call would cost more than
the call."""


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored for ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _checked(days: int | None, scopes: Collection[str]) -> tuple[int, str]:
    problems = []
    days = settings.TRAPPEN_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.TRAPPEN_API_TOKEN_MAX_DAYS:
        problems.append(Problem(field="days", value=days,
                                message=f"must be 1-{settings.TRAPPEN_API_TOKEN_MAX_DAYS} days"))
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        problems.append(Problem(field="scopes", value=" ".join(unknown) or "(none)",
                                message=f"choose one or more of {', '.join(SCOPES)}"))
    if problems:
        raise InvalidInput(problems)
    return days, " ".join(s for s in SCOPES if s in scopes)


@transaction.atomic
def token_create(*, username: str, days: int | None = None, scopes: Collection[str] = SCOPES,
                 name: str = "") -> str:
    """Create an API token for ``username`` and return it (the only time it is visible).

    Raises:
        InvalidInput: no active user with that username, days outside 1 to the maximum, or an
            unknown scope.
    """
    from django.contrib.auth import get_user_model

    from trappen.web.audit.services import audit_record

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput(Problem(field="username", value=username, message="no active user with this name"))
    days, scope_text = _checked(days, scopes)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken.objects.create(user=user, token_sha256=token_hash(token), name=name[:100], scopes=scope_text,
                                  expires_at=timezone.now() + dt.timedelta(days=days))
    audit_record(actor=user, child_id=None, action="write", endpoint="api_token",
                 purpose=f"token {row.pk}: {scope_text}, {days} days")
    return token


@transaction.atomic
def token_revoke(*, user: object, token_id: int) -> None:
    """Revoke one of ``user``'s own tokens (at once; audited). Unknown ids change nothing."""
    from trappen.web.audit.services import audit_record

    live = ApiToken.objects.filter(pk=token_id, user_id=int(getattr(user, "pk", 0) or 0), revoked_at__isnull=True)
    done = live.update(revoked_at=timezone.now())
    if done:
        audit_record(actor=user, child_id=None, action="write", endpoint="api_token",
                     purpose=f"token {token_id}: revoked")


def token_row(token: str) -> ApiToken | None:
    """The live token row for ``token`` (not revoked, not expired, its user active), else ``None``.
    Refreshes ``last_used_at`` at most every :data:`LAST_USED_EVERY`."""
    if not token:
        return None
    now = timezone.now()
    row = (ApiToken.objects.select_related("user")
           .filter(token_sha256=token_hash(token), revoked_at__isnull=True, expires_at__gt=now,
                   user__is_active=True).first())
    if row is not None and (row.last_used_at is None or now - row.last_used_at > LAST_USED_EVERY):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def token_user(token: str) -> object | None:
    """The active user holding a live ``token``, else ``None``."""
    row = token_row(token)
    return row.user if row else None
