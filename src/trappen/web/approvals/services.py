"""Writes: request a step-up that needs approval, approve it (which starts the intervention) or
reject it. Each service is one transaction and writes an audit row (ids and codes, never names or
free text); bad input raises :class:`~trappen.errors.InvalidInput` naming the field and the value,
and nothing is written."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trappen.errors import InvalidInput, ProblemCollector
from trappen.web import rules
from trappen.web.approvals.models import APPROVED, PENDING, REJECTED, ApprovalRequest
from trappen.web.approvals.selectors import approvals_in_scope
from trappen.web.audit.services import audit_record
from trappen.web.register import models as m
from trappen.web.register.services import intervention_start, intervention_step_up

logger = logging.getLogger(__name__)


class _DryRun(Exception):
    """Rolls back the trial start of a requested intervention."""


def _start(*, actor: object, current: m.Episode | None, current_version: int | None,
           start: dict[str, Any], authority: str) -> m.Episode:
    """Start (or step up) under the ``intervention`` grant ``authority``: ``create`` for the
    responsible caseworker, ``approve`` for the team leader who approves (permissions.toml)."""
    if current is not None:
        return intervention_step_up(actor=actor, current=current, current_version=current_version,
                                    authority=authority, **start)
    return intervention_start(actor=actor, authority=authority, **start)


def _check_start(*, actor: object, current: m.Episode | None, current_version: int | None,
                 start: dict[str, Any], authority: str) -> None:
    """Run the start through the register's own services and roll it back: the request is
    refused now, with the same errors, if the intervention could not be started as asked."""
    try:
        with transaction.atomic():
            _start(actor=actor, current=current, current_version=current_version, start=start,
                   authority=authority)
            raise _DryRun
    except _DryRun:
        pass


@transaction.atomic
def intervention_request_or_start(*, actor: object, child: m.Child, intervention_code: str, step: int,
                                  start_date: dt.date, current: m.Episode | None = None,
                                  current_version: int | None = None, without_consent: bool = False,
                                  now: dt.datetime | None = None, **start: Any) -> m.Episode | ApprovalRequest:
    """Start an intervention, or, when the approval rules (``rules.approvals()``) reserve its step,
    store an approval request instead and start nothing.

    ``current`` is the running intervention to end on ``start_date`` (a step up); ``start`` the
    other arguments of :func:`~trappen.web.register.services.intervention_start`. The approver
    of a step (a team leader) starts it at once; a decision reserved for the committee (a
    placement ``without_consent``) is always a request, whoever asks.

    Raises:
        InvalidInput: whatever starting the intervention would raise (checked by a trial start
            that is rolled back), or a request for the child already awaits a decision.
    """
    start |= {"child": child, "intervention_code": intervention_code, "step": step, "start_date": start_date}
    approval_rules = rules.approvals()
    committee = approval_rules.committee_decision(step=step, without_consent=without_consent)
    approver = approval_rules.approver(step=step)
    # the approver of the step (a team leader) starts it on the approve grant; anyone else needs create
    authority = "approve" if approver is not None and approver == getattr(actor, "role", None) else "create"
    if committee is None and approver in (None, getattr(actor, "role", None)):
        return _start(actor=actor, current=current, current_version=current_version, start=start,
                      authority=authority)
    _check_start(actor=actor, current=current, current_version=current_version, start=start,
                 authority=authority)
    waiting = ApprovalRequest.objects.filter(child=child, status=PENDING).values_list("pk", flat=True).first()
    if waiting is not None:
        raise InvalidInput("a request for this child already awaits approval; it must be decided first",
                           field="step", value=f"request {waiting}")
    request = ApprovalRequest.objects.create(
        child=child, intervention_code=intervention_code, step=step, start_date=start_date,
        planned_end=start.get("planned_end"),
        justification={str(k): v.strip() for k, v in (start.get("justification") or {}).items() if v and v.strip()},
        provider=(start.get("provider") or "").strip(),
        price=None if start.get("price") in (None, "") else Decimal(str(start["price"])),
        end_episode=current, end_episode_version=current_version if current is not None else None,
        without_consent=committee is not None, committee_decision=committee.decision if committee else "",
        requested_by=cast(Any, actor), requested_at=now or timezone.now())
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="approval_request",
                 purpose=f"request {request.pk}: {intervention_code} on step {step}"
                 + (f" ({committee.decision})" if committee else ""))
    logger.info("approval requested", extra={"approval_id": request.pk, "child_id": child.pk, "step": step})
    return request


def _decidable(actor: object, approval: ApprovalRequest) -> ApprovalRequest:
    """The request, locked, if ``actor`` may decide it and it is still pending."""
    if not approvals_in_scope(actor).filter(pk=approval.pk).exists():
        raise PermissionDenied("only the team leader of the child's team decides this request")
    locked = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
    if locked.status != PENDING:
        raise InvalidInput("the request has already been decided", field="status", value=locked.status)
    return locked


def _committee_date(problems: ProblemCollector, approval: ApprovalRequest, on: dt.date | None,
                    *, today: dt.date) -> dt.date | None:
    if not approval.committee:
        return None
    if on is None:
        problems.add(field="committee_decided_on", value="",
                     message="a decision reserved for børn og unge-udvalget needs the date of the committee's decision")
    elif on > today:
        problems.add(field="committee_decided_on", value=on.isoformat(), message="is in the future")
    return on


@transaction.atomic
def approval_approve(*, actor: object, approval: ApprovalRequest, comment: str = "",
                     committee_decided_on: dt.date | None = None, now: dt.datetime | None = None) -> ApprovalRequest:
    """Approve ``approval``: start the intervention through the register's service (and end the
    running one, when the request asked) and record who approved, all in one transaction.

    Raises:
        PermissionDenied: ``actor`` may not decide this request (not the team's leader).
        InvalidInput: already decided; a committee decision without its date; or whatever
            starting the intervention raises now (nothing is written then).
    """
    now = now or timezone.now()
    approval = _decidable(actor, approval)
    problems = ProblemCollector()
    decided_on = _committee_date(problems, approval, committee_decided_on, today=timezone.localdate(now))
    problems.raise_if_any()
    start = {"child": approval.child, "intervention_code": approval.intervention_code, "step": approval.step,
             "start_date": approval.start_date, "planned_end": approval.planned_end,
             "justification": {int(k): v for k, v in approval.justification.items()},
             "provider": approval.provider, "price": approval.price}
    # the team leader starts it on their own authority: intervention/approve (team), not create
    episode = _start(actor=actor, current=approval.end_episode, current_version=approval.end_episode_version,
                     start=start, authority="approve")
    ApprovalRequest.objects.filter(pk=approval.pk).update(
        status=APPROVED, decided_by=actor, decided_at=now, comment=comment.strip(),
        committee_decided_on=decided_on, episode=episode)
    audit_record(actor=actor, child_id=approval.child_id, action="write", endpoint="approval_approve",
                 purpose=f"request {approval.pk}: approved, episode {episode.pk}"
                 + (" (committee's decision)" if approval.committee else ""))
    return ApprovalRequest.objects.get(pk=approval.pk)


@transaction.atomic
def approval_reject(*, actor: object, approval: ApprovalRequest, comment: str,
                    committee_decided_on: dt.date | None = None, now: dt.datetime | None = None) -> ApprovalRequest:
    """Reject ``approval`` with a comment (required); nothing starts.

    Raises:
        PermissionDenied: ``actor`` may not decide this request (not the team's leader).
        InvalidInput: already decided; an empty comment; a committee decision without its date.
    """
    now = now or timezone.now()
    approval = _decidable(actor, approval)
    problems = ProblemCollector()
    if not comment.strip():
        problems.add(field="comment", value=comment, message="a rejection needs a comment saying why")
    decided_on = _committee_date(problems, approval, committee_decided_on, today=timezone.localdate(now))
    problems.raise_if_any()
    ApprovalRequest.objects.filter(pk=approval.pk).update(
        status=REJECTED, decided_by=actor, decided_at=now, comment=comment.strip(), committee_decided_on=decided_on)
    audit_record(actor=actor, child_id=approval.child_id, action="write", endpoint="approval_reject",
                 purpose=f"request {approval.pk}: rejected" + (" (committee's decision)" if approval.committee else ""))
    return ApprovalRequest.objects.get(pk=approval.pk)
