"""Casework writes: notifications, assessments, investigations, follow-ups, reassignment.

Each service is one transaction on the foundation's register models. Every check runs before
anything is written; bad input raises :class:`trappen.errors.InvalidInput` naming the field
and the value. A child outside the actor's districts is refused with :class:`Http404` (no
hint that the child exists). Interventions reuse the foundation's ``intervention_start`` /
``intervention_end`` (escalation justification via ``trappen.staircase.check_escalation``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from trappen.errors import InvalidInput, Problem, ProblemCollector
from trappen.register.schema import ASSESSMENT_OUTCOMES, NOTIFIER_KINDS
from trappen.web.audit.services import audit_record
from trappen.web.register import models as m
from trappen.web.register.selectors import children_visible_to
from trappen.web.register.services import WRITER_ROLES

LEADER_ROLES = frozenset({"teamleader", "admin"})


def _require_writer(actor: object) -> None:
    if getattr(actor, "role", None) not in WRITER_ROLES:
        raise PermissionDenied("only caseworkers, team leaders and administrators write records")


def require_in_scope(actor: object, child_id: int) -> None:
    """Refuse (404) a child the actor may not open: the foundation's scoping selector decides."""
    if not children_visible_to(actor).filter(pk=child_id).exists():
        raise Http404("no such child")


def _aware(value: object, *, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(Problem(field=field, value=str(value),
                                   message="must be a date and time with a timezone"))
    return value


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@transaction.atomic
def notification_register(*, actor: object, child: m.Child, received_at: dt.datetime,
                          notifier_kind: str, now: dt.datetime | None = None) -> m.Notification:
    """Register a notification (underretning); its 24-hour assessment clock starts at ``received_at``.

    Raises:
        InvalidInput: ``received_at`` naive, in the future or before the child's birth; an
            unknown ``notifier_kind`` (see ``trappen.register.schema.NOTIFIER_KINDS``).
        Http404: the child is outside the actor's districts.
    """
    _require_writer(actor)
    require_in_scope(actor, child.pk)
    now = now or timezone.now()
    received_at = _aware(received_at, field="received_at")
    problems = ProblemCollector()
    if received_at > now:
        problems.add(field="received_at", value=_iso(received_at), message="is in the future")
    if timezone.localtime(received_at).date() < child.birth_date:
        problems.add(field="received_at", value=_iso(received_at),
                     message="is before the child's birth date")
    if notifier_kind not in NOTIFIER_KINDS:
        problems.add(field="notifier_kind", value=notifier_kind,
                     message=f"must be one of {', '.join(NOTIFIER_KINDS)}")
    problems.raise_if_any()
    notification = m.Notification.objects.create(child=child, received_at=received_at,
                                                 notifier_kind=notifier_kind)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="notification_register",
                 purpose=f"notification from {notifier_kind}")
    return notification


@transaction.atomic
def notification_assess(*, actor: object, notification: m.Notification, assessed_at: dt.datetime,
                        outcome: str, now: dt.datetime | None = None) -> m.Notification:
    """Record the assessment of a notification and its outcome.

    Raises:
        InvalidInput: already assessed; ``assessed_at`` naive, before ``received_at`` or in the
            future; ``outcome`` not in ``ASSESSMENT_OUTCOMES``.
        Http404: the child is outside the actor's districts.
    """
    _require_writer(actor)
    require_in_scope(actor, notification.child_id)
    now = now or timezone.now()
    assessed_at = _aware(assessed_at, field="assessed_at")
    problems = ProblemCollector()
    if notification.assessed_at is not None:
        problems.add(field="assessed_at", value=_iso(notification.assessed_at),
                     message="the notification is already assessed")
    if assessed_at < notification.received_at:
        problems.add(field="assessed_at", value=_iso(assessed_at),
                     message=f"is before the notification was received ({_iso(notification.received_at)})")
    if assessed_at > now:
        problems.add(field="assessed_at", value=_iso(assessed_at), message="is in the future")
    if outcome not in ASSESSMENT_OUTCOMES:
        problems.add(field="outcome", value=outcome,
                     message=f"must be one of {', '.join(ASSESSMENT_OUTCOMES)}")
    problems.raise_if_any()
    notification.assessed_at = assessed_at
    notification.outcome = outcome
    notification.save(update_fields=["assessed_at", "outcome"])
    audit_record(actor=actor, child_id=notification.child_id, action="write",
                 endpoint="notification_assess", purpose=f"assessment: {outcome}")
    return notification


@transaction.atomic
def investigation_open(*, actor: object, child: m.Child, started_on: dt.date,
                       aware_on: dt.date | None = None, notification: m.Notification | None = None,
                       today: dt.date | None = None) -> m.Investigation:
    """Open a child investigation (børnefaglig undersøgelse); the 4-month clock runs from ``aware_on``.

    ``aware_on`` defaults to the notification's receipt date, else to ``started_on``.

    Raises:
        InvalidInput: dates in the future, ``aware_on`` after ``started_on``, a notification of
            another child.
        Http404: the child is outside the actor's districts.
    """
    _require_writer(actor)
    require_in_scope(actor, child.pk)
    today = today or timezone.localdate()
    problems = ProblemCollector()
    if notification is not None and notification.child_id != child.pk:
        problems.add(field="notification_id", value=notification.pk,
                     message="belongs to another child")
    if aware_on is None:
        aware_on = (timezone.localtime(notification.received_at).date()
                    if notification is not None else started_on)
    if started_on > today:
        problems.add(field="started_on", value=started_on.isoformat(), message="is in the future")
    if aware_on > started_on:
        problems.add(field="aware_on", value=aware_on.isoformat(),
                     message=f"must not be after the start {started_on.isoformat()}")
    if started_on < child.birth_date:
        problems.add(field="started_on", value=started_on.isoformat(),
                     message="is before the child's birth date")
    problems.raise_if_any()
    investigation = m.Investigation.objects.create(child=child, notification=notification,
                                                   aware_on=aware_on, started_on=started_on)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="investigation_open",
                 purpose="open investigation")
    return investigation


@transaction.atomic
def investigation_conclude(*, actor: object, investigation: m.Investigation, concluded_on: dt.date,
                           today: dt.date | None = None) -> m.Investigation:
    """Conclude an investigation.

    Raises:
        InvalidInput: already concluded; ``concluded_on`` before the start or in the future.
        Http404: the child is outside the actor's districts.
    """
    _require_writer(actor)
    require_in_scope(actor, investigation.child_id)
    today = today or timezone.localdate()
    problems = ProblemCollector()
    if investigation.concluded_on is not None:
        problems.add(field="concluded_on", value=investigation.concluded_on.isoformat(),
                     message="the investigation is already concluded")
    if concluded_on < investigation.started_on:
        problems.add(field="concluded_on", value=concluded_on.isoformat(),
                     message=f"is before the start {investigation.started_on.isoformat()}")
    if concluded_on > today:
        problems.add(field="concluded_on", value=concluded_on.isoformat(), message="is in the future")
    problems.raise_if_any()
    investigation.concluded_on = concluded_on
    investigation.save(update_fields=["concluded_on"])
    audit_record(actor=actor, child_id=investigation.child_id, action="write",
                 endpoint="investigation_conclude", purpose="conclude investigation")
    return investigation


@transaction.atomic
def follow_up_record(*, actor: object, episode: m.Episode, held_on: dt.date,
                     today: dt.date | None = None) -> m.FollowUp:
    """Record a follow-up (opfølgning) on an intervention.

    Raises:
        InvalidInput: ``held_on`` in the future, before the intervention started, or on/after
            its end.
        Http404: the child is outside the actor's districts.
    """
    _require_writer(actor)
    require_in_scope(actor, episode.child_id)
    today = today or timezone.localdate()
    problems = ProblemCollector()
    if held_on > today:
        problems.add(field="held_on", value=held_on.isoformat(), message="is in the future")
    if held_on < episode.start_date:
        problems.add(field="held_on", value=held_on.isoformat(),
                     message=f"is before the intervention started ({episode.start_date.isoformat()})")
    problems.raise_if_any()
    follow_up = m.FollowUp.objects.create(child_id=episode.child_id, episode=episode, held_on=held_on)
    audit_record(actor=actor, child_id=episode.child_id, action="write", endpoint="follow_up_record",
                 purpose=f"follow-up on episode {episode.pk}")
    return follow_up


@transaction.atomic
def child_reassign(*, actor: object, child: m.Child, caseworker_id: int, on: dt.date) -> m.Assignment:
    """Move a child's case to another caseworker from ``on``; the old assignment ends on ``on``.

    History is kept: the old :class:`Assignment` row gets ``end_date = on``, a new row starts.

    Raises:
        PermissionDenied: the actor is not a team leader or administrator.
        InvalidInput: an unknown caseworker, one outside the team leader's team, the child's
            current caseworker, or ``on`` before the current assignment started.
        Http404: the child is outside the actor's districts.
    """
    if getattr(actor, "role", None) not in LEADER_ROLES:
        raise PermissionDenied("only team leaders and administrators reassign children")
    require_in_scope(actor, child.pk)
    problems = ProblemCollector()
    target = m.Caseworker.objects.filter(pk=caseworker_id).first()
    if target is None:
        problems.add(field="caseworker_id", value=caseworker_id, message="unknown caseworker")
    elif getattr(actor, "role", None) == "teamleader" and (
            getattr(actor, "team", None) is None or target.team_id != actor.team.code):  # type: ignore[attr-defined]
        problems.add(field="caseworker_id", value=caseworker_id, message="not in your team")
    current = list(m.Assignment.objects.select_for_update().filter(child=child)
                   .filter(Q(end_date__isnull=True) | Q(end_date__gt=on)))
    for a in current:
        if a.caseworker_id == caseworker_id:
            problems.add(field="caseworker_id", value=caseworker_id,
                         message="already the child's caseworker")
        if a.start_date >= on:
            problems.add(field="on", value=on.isoformat(),
                         message=f"must be after the current assignment's start {a.start_date.isoformat()}")
    problems.raise_if_any()
    for a in current:
        a.end_date = on
        a.save(update_fields=["end_date"])
    assignment = m.Assignment.objects.create(child=child, caseworker=target, start_date=on)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="child_reassign",
                 purpose=f"reassign to caseworker {caseworker_id}")
    return assignment
