"""Exports of the audit trail: every access to one child's data, as CSV.

Citizens have a right to know when their data was consulted and why (GDPR art. 15; in Danish
child-protection practice an "aktindsigt" request). Text cells are formula-neutralised
(:func:`trappen.privacy.sanitize.neutralise_formula`) because usernames, endpoints and purposes
are typed or influenced by users.
"""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from trappen.privacy.sanitize import neutralise_formula
from trappen.web.audit.models import AuditEvent

AUDIT_COLUMNS = ("id", "at", "username", "child_id", "action", "endpoint", "purpose")
"""Columns of an audit export: ids, times and purposes only, never case content."""


def _lists_showing(child_id: int) -> object:
    """The ids of list events whose ``child_ids`` hold ``child_id`` (a subquery)."""
    if connection.vendor == "postgresql":
        return AuditEvent.objects.filter(child_ids__contains=[child_id]).values("pk")
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    return RawSQL(f"SELECT e.id FROM {table} e, json_each(e.child_ids) j "  # noqa: S608 (a table name)
                  "WHERE e.child_ids IS NOT NULL AND j.value = %s", (int(child_id),))


def audit_events(*, child_id: int | None = None, username: str = "", start: object = None,
                 end: object = None, purpose: str = "") -> QuerySet[AuditEvent]:
    """Audit events filtered by child, user (exact username), a half-open date range and purpose.

    Args:
        child_id: only events about this child, including list pages that showed it.
        username: only events by this user.
        start: first local date included (``datetime.date``) or ``None``.
        end: first local date excluded, or ``None``.
        purpose: only events with exactly this purpose (e.g. ``colleague_cover``).
    """
    qs = AuditEvent.objects.order_by("id")
    if child_id is not None:
        qs = qs.filter(Q(child_id=child_id) | Q(pk__in=_lists_showing(child_id)))
    if username:
        qs = qs.filter(username=username)
    if start is not None:
        qs = qs.filter(at__date__gte=start)
    if end is not None:
        qs = qs.filter(at__date__lt=end)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs


def audit_csv(events: QuerySet[AuditEvent]) -> str:
    """The events as CSV text (header + one row per event), formula-neutralised, times local."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(AUDIT_COLUMNS)
    for row in events.values_list(*AUDIT_COLUMNS).iterator():
        values = list(row)
        values[1] = timezone.localtime(values[1]).isoformat(timespec="seconds")
        writer.writerow([neutralise_formula(v) if isinstance(v, str) else v for v in values])
    return out.getvalue()
