"""API token writes and lookup. The plain token is returned once and never stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from trappen.errors import InvalidInput, Problem
from trappen.web.api.models import ApiToken

TOKEN_BYTES = 32
"""256 bits of randomness (secrets.token_urlsafe), beyond guessing."""


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored for ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, username: str) -> str:
    """Create an API token for ``username`` and return it (the only time it is visible).

    Raises:
        InvalidInput: no active user with that username.
    """
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput(Problem(field="username", value=username, message="no active user with this name"))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    ApiToken.objects.create(user=user, token_sha256=token_hash(token))
    return token


def token_user(token: str) -> object | None:
    """The active user holding ``token`` (not revoked), else ``None``."""
    if not token:
        return None
    row = (ApiToken.objects.select_related("user")
           .filter(token_sha256=token_hash(token), revoked_at__isnull=True, user__is_active=True).first())
    return row.user if row else None
