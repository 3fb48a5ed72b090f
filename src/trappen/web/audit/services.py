"""Writes to the audit trail (append-only, hash-chained)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from trappen.privacy.chain import GENESIS, Anchor, ChainBreak, check_anchors, entry_hash, verify_chain
from trappen.web.audit.models import ACTIONS, AuditEvent

HASHED_FIELDS = ("at", "username", "child_id", "action", "endpoint", "purpose")
# Hashed only when set: events written before the field existed keep their hashes.
OPTIONAL_HASHED_FIELDS = ("child_ids",)


def _hashed_fields(event: AuditEvent) -> dict[str, object]:
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields.update({name: getattr(event, name) for name in OPTIONAL_HASHED_FIELDS
                   if getattr(event, name) is not None})
    return fields


_CHAIN_LOCK_ID = 0x7472617070656E  # "trappen": one advisory lock for the audit chain


def _lock_chain() -> None:
    """Serialise appends so two requests cannot both chain onto the same previous event.

    PostgreSQL: a transaction-scoped advisory lock (a row lock on the last event would not
    stop the second writer from reading the same last row after the first commits).
    SQLite: write transactions are already serialised (``transaction_mode = IMMEDIATE``).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


@transaction.atomic
def audit_record(*, actor: object, child_id: int | None, action: str, endpoint: str,
                 purpose: str = "", child_ids: Sequence[int] | None = None) -> AuditEvent:
    """Append one audit event: ``actor`` read or wrote ``child_id``'s record at ``endpoint``;
    a list page passes the ids it showed as ``child_ids`` (ids only, never names).

    Raises:
        ValueError: ``action`` is not read or write.
    """
    if action not in ACTIONS:
        raise ValueError(f"audit action must be one of {ACTIONS}, got {action!r}")
    user = actor if getattr(actor, "pk", None) is not None else None
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    event = AuditEvent(at=timezone.now(), user=user,
                       username=getattr(actor, "username", "") or "anonymous",
                       child_id=child_id, action=action, endpoint=endpoint[:200],
                       purpose=purpose[:200], previous_hash=last if last is not None else GENESIS,
                       child_ids=None if child_ids is None else [int(i) for i in child_ids])
    event.entry_hash = entry_hash(previous_hash=event.previous_hash, fields=_hashed_fields(event))
    event.save()
    return event


def audit_verify(anchors: Sequence[Anchor] = ()) -> list[ChainBreak]:
    """Check the whole audit chain, and each anchor kept outside the database; an empty list
    means no event was changed or removed."""
    rows = AuditEvent.objects.order_by("id").values("id", "previous_hash", "entry_hash", *HASHED_FIELDS,
                                                    *OPTIONAL_HASHED_FIELDS)
    breaks = verify_chain(rows.iterator(), fields=HASHED_FIELDS, optional_fields=OPTIONAL_HASHED_FIELDS)
    if anchors:
        stored = dict(AuditEvent.objects.filter(pk__in=[a.row_id for a in anchors]).values_list("id", "entry_hash"))
        breaks += check_anchors(anchors, stored)
    return breaks


def audit_list(*, actor: object, endpoint: str, child_ids: Sequence[int], purpose: str = "") -> AuditEvent:
    """Append one read event for a list or search page: which children it showed (ids, and so
    their number), one insert per request however long the list."""
    return audit_record(actor=actor, child_id=None, action="read", endpoint=endpoint, purpose=purpose,
                        child_ids=list(child_ids))


def audit_anchor() -> Anchor | None:
    """The chain's head now (newest event's id and hash), to keep outside the database; None
    when the log is empty."""
    head = AuditEvent.objects.order_by("-id").values("id", "entry_hash").first()
    if head is None:
        return None
    return Anchor(row_id=head["id"], entry_hash=head["entry_hash"], at=timezone.now().isoformat(timespec="seconds"))
