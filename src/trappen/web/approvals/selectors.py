"""Reads of approval requests, within the reader's scope.

A team leader's scope is the ``intervention``/``approve`` grant's (``team``): requests for the
children they may open (:func:`~trappen.web.register.selectors.children_visible_to`) whose case
is held today by a caseworker post of their team, or that a caseworker of their team made.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trappen.privacy.roles import Scope, permission
from trappen.web.approvals.models import PENDING, ApprovalRequest
from trappen.web.register import models as m
from trappen.web.register.selectors import children_visible_to


def approval_scope(user: object) -> Scope | None:
    """How far ``user`` may decide approval requests; ``None``: not at all."""
    return permission(getattr(user, "role", "") or "", "intervention", "approve")


def approvals_in_scope(user: object, *, on: dt.date | None = None) -> QuerySet[ApprovalRequest]:
    """Every request ``user`` may see and decide (any status); none without the approve grant.

    Only ``team`` scope is supported: a grant at another scope gives none (deny by default).
    """
    team = getattr(user, "team", None)
    if approval_scope(user) != Scope.TEAM or team is None:
        return ApprovalRequest.objects.none()
    on = on or timezone.localdate()
    held = (m.Assignment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on,
                                        caseworker__team=team).values("child"))
    return (ApprovalRequest.objects.filter(child__in=children_visible_to(user).values("pk"))
            .filter(Q(child__in=held) | Q(requested_by__caseworker__team=team)))


def approvals_pending(user: object, *, on: dt.date | None = None) -> QuerySet[ApprovalRequest]:
    """The pending requests ``user`` may decide, oldest first, with the child and the requester."""
    return (approvals_in_scope(user, on=on).filter(status=PENDING)
            .select_related("child", "requested_by").order_by("requested_at", "pk"))


def approval_for_decision(user: object, approval_id: int) -> ApprovalRequest:
    """One request ``user`` may decide; :class:`Http404` otherwise (no hint that it exists)."""
    found = (approvals_in_scope(user).select_related("child", "requested_by", "decided_by", "end_episode")
             .filter(pk=approval_id).first())
    if found is None:
        raise Http404("no such approval request")
    return found


def approvals_for_child(child: m.Child) -> list[ApprovalRequest]:
    """The child's requests for the case page: pending ones, then the decided, newest first."""
    rows = (ApprovalRequest.objects.filter(child=child).select_related("requested_by", "decided_by")
            .order_by("-requested_at", "-pk"))
    return sorted(rows, key=lambda r: r.status != PENDING)


def approvals_my_day(user: object) -> dict[str, list[ApprovalRequest]] | None:
    """My day's section for an approver: ``{"pending": [...]}``; ``None`` for anyone else."""
    if approval_scope(user) is None:
        return None
    return {"pending": list(approvals_pending(user))}
