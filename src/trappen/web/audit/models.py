"""The audit trail: who read or wrote which child's record, when, where and why.

Append-only: rows are never updated or deleted by the application, the database refuses it too
(triggers, :mod:`trappen.web.audit.triggers`), and each row carries a hash of its fields chained
to the previous row's hash, so a removed or edited row breaks the chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

ACTIONS = ("read", "write", "auth")  # auth: a login, failed login or logout


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit event."""


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    username = models.CharField(max_length=150)
    child_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=8, choices=[(a, a) for a in ACTIONS])
    endpoint = models.CharField(max_length=200)
    purpose = models.CharField(max_length=200, blank=True)
    # A list page's children (ids only, in the order shown), or None for a one-child event.
    child_ids = models.JSONField(null=True, blank=True)
    previous_hash = models.CharField(max_length=128, blank=True)
    entry_hash = models.CharField(max_length=128)

    class Meta:
        ordering = ["id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")
