"""API tokens: only a SHA-256 hash of each token is stored; the token is shown once.

A token expires (``expires_at``), carries scopes (``read``; ``write`` for POSTs) and acts as
its user with that user's grants; it is created only by a user who has just given a second
factor (the tokens page) or by an operator on the server (``trappen createtoken``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

SCOPES = ("read", "write")


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    token_sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True, default="")
    scopes = models.CharField(max_length=40, default="read")
    """Space-separated subset of :data:`SCOPES`."""
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
