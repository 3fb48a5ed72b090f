"""Reads of the access log for the audit pages, within the reader's audit scope.

The scope comes from the ``audit`` grants of the permission table
(:mod:`trappen.privacy.roles`): ``all`` for the administrator (and a data-protection officer's
account holding the Django permission ``audit.view_auditevent``), ``team`` for team leaders.
Team scope is resolved by the same selector that decides which children a user may open
(:func:`trappen.web.register.selectors.children_visible_to`), so a team leader reads the access
log of exactly the children whose records they may read.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, QuerySet, Value, When

from trappen.privacy.roles import Scope, permission
from trappen.web.audit.models import AuditEvent
from trappen.web.register.selectors import children_visible_to
from trappen.web.security.exports import audit_events

REFUSED_PREFIX = "refused"
"""Purposes of refused attempts start with this (``refused: not in scope (...)``)."""


def can_audit(user: object, action: str = "view") -> bool:
    """Whether ``user`` may ``action`` (view/export) the whole audit log."""
    if permission(getattr(user, "role", "") or "", "audit", action) == Scope.ALL:
        return True
    return bool(getattr(user, "is_active", False)
                and user.has_perm("audit.view_auditevent"))  # type: ignore[union-attr]


def audit_scope(user: object, *, action: str) -> Scope | None:
    """How far ``user`` may ``action`` (view/export) the access log; ``None`` means refused.

    ``Scope.ALL`` for an ``all``-scoped grant or the data-protection permission,
    ``Scope.TEAM`` for a ``team``-scoped grant; anything else (no grant) is refused.
    """
    if can_audit(user, action):
        return Scope.ALL
    if permission(getattr(user, "role", "") or "", "audit", action) == Scope.TEAM:
        return Scope.TEAM
    return None


def audit_events_in_scope(user: object, *, scope: Scope, child_id: int | None = None,
                          username: str = "", start: dt.date | None = None,
                          end: dt.date | None = None, purpose: str = "") -> QuerySet[AuditEvent]:
    """Audit events ``user`` may read at ``scope``, filtered, newest first, with ``outcome``.

    ``outcome`` is ``"refused"`` for a refused attempt, else ``"allowed"``. At team scope only
    events about the children ``user`` may open are included (events without a child, such as
    searches of the log, are left out); at any scope other than team or all, none.
    Filters as :func:`trappen.web.security.exports.audit_events` (``end`` excluded).
    """
    qs = audit_events(child_id=child_id, username=username, start=start, end=end, purpose=purpose)
    if scope == Scope.TEAM:
        qs = qs.filter(child_id__in=children_visible_to(user).values("pk"))
    elif scope != Scope.ALL:
        return qs.none()
    outcome = Case(When(purpose__startswith=REFUSED_PREFIX, then=Value("refused")),
                   default=Value("allowed"), output_field=CharField())
    return qs.annotate(outcome=outcome).order_by("-id")
