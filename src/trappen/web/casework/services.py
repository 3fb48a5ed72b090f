"""Casework writes: notifications, assessments, investigations, follow-ups, reassignment.

Each service is one transaction on the foundation's register models. Every check runs before
anything is written; bad input raises :class:`trappen.errors.InvalidInput` naming the field
and the value. A child outside the actor's districts is refused with :class:`Http404` (no
hint that the child exists); a child the actor may open but not write to, by the permission
table's grant for that write (:func:`trappen.web.scope.require`, called first), with
:class:`PermissionDenied`. Interventions reuse the foundation's ``intervention_start`` /
``intervention_end`` (escalation justification via ``trappen.staircase.check_escalation``);
a placement breakdown ends its placement through ``intervention_end`` too.

A child whose case is closed (:func:`case_close`) is read-only: every write here refuses with
:class:`trappen.errors.CaseClosed` until :func:`case_reopen` (reason required, audited). The
one exception is a professional's notification (:func:`notification_submit`): the duty to
notify cannot be refused, and its answer must not reveal anything about the child's case.
Corrections keep the old version: :func:`plan_update` and :func:`notification_assessment_correct`
copy the values they replace into ``PlanRevision`` / ``AssessmentRevision`` first.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from trappen.errors import EditConflict, InvalidInput, Problem, ProblemCollector
from trappen.privacy.roles import permission
from trappen.register.derive import age_expr
from trappen.register.schema import APPEALS_OUTCOMES, ASSESSMENT_OUTCOMES, NOTIFIER_KINDS
from trappen.web import rules
from trappen.web.audit.services import audit_record
from trappen.web.register import models as m
from trappen.web.register.services import child_require_open, date_within_life, intervention_end
from trappen.web.scope import require


def _aware(value: object, *, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(Problem(field=field, value=str(value),
                                   message="must be a date and time with a timezone"))
    return value


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _show(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return _iso(value)


def _conflict(current: object, mine: dict[str, object]) -> EditConflict:
    """The conflict error: per field, the stored value (``value``) against the user's."""
    problems = [Problem(field=k, value=_show(getattr(current, k)),
                        message=(f"was changed by someone else to {_show(getattr(current, k))} "
                                 f"while you edited; yours: {_show(v)}"))
                for k, v in mine.items() if _show(getattr(current, k)) != _show(v)]
    return EditConflict(problems, current_version=current.version)  # type: ignore[attr-defined]


def _check_version(record: object, version: int | None, mine: dict[str, object]) -> None:
    """Refuse a form opened at an older ``version`` than the record's, listing what changed."""
    if version is not None and version != record.version:  # type: ignore[attr-defined]
        raise _conflict(record, mine)


def _locked_update(record: object, values: dict[str, object]) -> None:
    """``UPDATE … WHERE pk = … AND version = v`` setting ``version = v + 1``; 0 rows means
    someone wrote in between: :class:`EditConflict`, nothing written."""
    model = type(record)
    version = record.version  # type: ignore[attr-defined]
    rows = model.objects.filter(pk=record.pk, version=version).update(  # type: ignore[attr-defined]
        **values, version=version + 1)
    if rows == 0:
        raise _conflict(model.objects.get(pk=record.pk), values)  # type: ignore[attr-defined]
    for k, v in values.items():
        setattr(record, k, v)
    record.version = version + 1  # type: ignore[attr-defined]


@transaction.atomic
def notification_register(*, actor: object, child: m.Child, received_at: dt.datetime,
                          notifier_kind: str, now: dt.datetime | None = None) -> m.Notification:
    """Register a notification (underretning); its 24-hour assessment clock starts at ``received_at``.

    Raises:
        InvalidInput: ``received_at`` naive, in the future or before the child's birth; an
            unknown ``notifier_kind`` (see ``trappen.register.schema.NOTIFIER_KINDS``).
        PermissionDenied: no ``notification``/``create`` grant covering the child.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "notification", "create", child=child)
    child_require_open(child.pk)
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


def can_notify_any_child(user: object) -> bool:
    """``notification``/``create`` at scope ``all``: the duty-to-notify form (partners)."""
    from trappen.privacy.roles import Scope

    return permission(getattr(user, "role", "") or "", "notification", "create") == Scope.ALL


CONCERN_MAX = 5_000
"""Characters in a notification's description of the concern."""

NAME_MAX = 200
"""Characters in a child's name (the register's column)."""


@transaction.atomic
def notification_submit(*, actor: object, cpr: str, name: str, notifier_kind: str, concern: str,
                        now: dt.datetime | None = None) -> m.Notification:
    """A professional's notification about any child (underretningspligt, Barnets Lov § 133),
    identified by CPR number; received now, so its 24-hour assessment clock starts.

    The child is found by its CPR lookup hash; a child Trappen does not know yet is registered
    (birth date and sex from the CPR number) in the notifier's district, or the first district.
    Nothing in the answer or in an error depends on whether the child was known, so a notifier
    learns nothing about children who are not linked to them.

    Raises:
        PermissionDenied: without ``notification``/``create`` at scope ``all`` (partners).
        InvalidInput: an invalid CPR number (never echoed), an empty name or concern, a concern
            over :data:`CONCERN_MAX` characters, an unknown ``notifier_kind``; nothing is written.
    """
    from trappen.privacy.cpr import birth_date as cpr_birth_date
    from trappen.privacy.cpr import parse_cpr
    from trappen.privacy.cpr import sex as cpr_sex
    from trappen.web.register.crypto import cpr_cipher

    if not can_notify_any_child(actor):
        raise PermissionDenied("sending a notification about any child needs notification/create for all")
    now = now or timezone.now()
    problems = ProblemCollector()
    digits = None
    try:
        digits = parse_cpr(cpr, not_after=timezone.localtime(now).date())
    except InvalidInput:
        problems.add(field="cpr", value="(hidden)", message="not a valid CPR number")
    if digits is not None and age_years(cpr_birth_date(digits), timezone.localtime(now).date()) >= 18:
        problems.add(field="cpr", value="(hidden)", message="the person is 18 or older: not a child (Barnets Lov § 2)")
    if not name.strip():
        problems.add(field="name", value=name, message="a name is required")
    elif len(name.strip()) > NAME_MAX:
        problems.add(field="name", value=f"{len(name.strip())} characters", message=f"at most {NAME_MAX} characters")
    if not concern.strip():
        problems.add(field="concern", value="", message="describe what you are worried about")
    elif len(concern) > CONCERN_MAX:
        problems.add(field="concern", value=f"{len(concern)} characters",
                     message=f"at most {CONCERN_MAX} characters")
    for field, text in (("name", name), ("concern", concern)):
        if "\x00" in text:  # no database stores it; a control character, not text
            problems.add(field=field, value="(NUL)", message="contains a NUL character")
    if notifier_kind not in NOTIFIER_KINDS:
        problems.add(field="notifier_kind", value=notifier_kind,
                     message=f"must be one of {', '.join(NOTIFIER_KINDS)}")
    problems.raise_if_any()
    cipher = cpr_cipher()
    child = m.Child.objects.filter(cpr_lookup__in=cipher.lookup_hashes(digits)).first()
    if child is None:
        district = (actor.districts.order_by("code").first()  # type: ignore[attr-defined]
                    or m.District.objects.order_by("code").first())
        if district is None:
            raise InvalidInput(Problem(field="district", value=None, message="no district is set up"))
        today = timezone.localtime(now).date()
        try:
            # Get or create under the database's own lock: a parallel notification about the same
            # new CPR number waits on the unique lookup hash and, when the other one commits, gets
            # an IntegrityError; it then reads the child the other one registered (#14 item 4).
            with transaction.atomic():
                child = m.Child.objects.create(
                    name=name.strip(), birth_date=cpr_birth_date(digits), sex=cpr_sex(digits), district=district,
                    entry_date=today, cpr_encrypted=cipher.encrypt(digits), cpr_lookup=cipher.lookup_hash(digits))
                m.Residence.objects.create(child=child, district=district, start_date=today)
        except IntegrityError:
            child = m.Child.objects.filter(cpr_lookup__in=cipher.lookup_hashes(digits)).first()
            if child is None:  # not the lookup hash's constraint: a real fault
                raise
    notification = m.Notification.objects.create(child=child, received_at=now, notifier_kind=notifier_kind,
                                                 submitted_by=actor, concern=concern.strip())
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="notification_submit",
                 purpose=f"notification from {notifier_kind}")
    return notification


def _assessment_problems(problems: ProblemCollector, notification: m.Notification, *,
                         assessed_at: dt.datetime, outcome: str, now: dt.datetime) -> None:
    if assessed_at < notification.received_at:
        problems.add(field="assessed_at", value=_iso(assessed_at),
                     message=f"is before the notification was received ({_iso(notification.received_at)})")
    if assessed_at > now:
        problems.add(field="assessed_at", value=_iso(assessed_at), message="is in the future")
    if outcome not in ASSESSMENT_OUTCOMES:
        problems.add(field="outcome", value=outcome,
                     message=f"must be one of {', '.join(ASSESSMENT_OUTCOMES)}")


@transaction.atomic
def notification_assess(*, actor: object, notification: m.Notification, assessed_at: dt.datetime,
                        outcome: str, now: dt.datetime | None = None,
                        version: int | None = None) -> m.Notification:
    """Record the assessment of a notification and its outcome.

    ``version`` is the version the user's form was opened at (optimistic locking); ``None``
    (API callers) skips the stale-form check but the write is still conditional.

    Raises:
        EditConflict: someone changed the notification since ``version``; nothing written.
        InvalidInput: already assessed; ``assessed_at`` naive, before ``received_at`` or in the
            future; ``outcome`` not in ``ASSESSMENT_OUTCOMES``.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "notification", "change", child=notification.child_id)
    child_require_open(notification.child_id)
    now = now or timezone.now()
    assessed_at = _aware(assessed_at, field="assessed_at")
    _check_version(notification, version, {"assessed_at": assessed_at, "outcome": outcome})
    problems = ProblemCollector()
    if notification.assessed_at is not None:
        problems.add(field="assessed_at", value=_iso(notification.assessed_at),
                     message="the notification is already assessed (correct the assessment instead)")
    _assessment_problems(problems, notification, assessed_at=assessed_at, outcome=outcome, now=now)
    problems.raise_if_any()
    _locked_update(notification, {"assessed_at": assessed_at, "outcome": outcome})
    audit_record(actor=actor, child_id=notification.child_id, action="write",
                 endpoint="notification_assess", purpose=f"assessment: {outcome}")
    return notification


@transaction.atomic
def notification_assessment_correct(*, actor: object, notification: m.Notification, assessed_at: dt.datetime,
                                    outcome: str, version: int | None = None,
                                    now: dt.datetime | None = None) -> m.Notification:
    """Correct a notification's assessment: a new version, the old one kept.

    The values replaced are copied into an :class:`AssessmentRevision` (its history, shown on
    the casework page); the notification row holds the current assessment, which the deadlines
    and the analytic register use.

    Raises:
        CaseClosed: the child's case is closed.
        EditConflict: someone changed the notification since ``version``; nothing written.
        InvalidInput: not assessed yet; the same checks as :func:`notification_assess`.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "notification", "change", child=notification.child_id)
    child_require_open(notification.child_id)
    now = now or timezone.now()
    assessed_at = _aware(assessed_at, field="assessed_at")
    _check_version(notification, version, {"assessed_at": assessed_at, "outcome": outcome})
    problems = ProblemCollector()
    if notification.assessed_at is None or notification.outcome is None:
        problems.add(field="assessed_at", value="—", message="the notification is not assessed yet")
    _assessment_problems(problems, notification, assessed_at=assessed_at, outcome=outcome, now=now)
    problems.raise_if_any()
    before = (notification.version, notification.assessed_at, notification.outcome)
    _locked_update(notification, {"assessed_at": assessed_at, "outcome": outcome})
    m.AssessmentRevision.objects.create(notification=notification, version=before[0],  # type: ignore[misc]
                                        assessed_at=before[1], outcome=before[2], replaced_at=now)  # not None: checked
    audit_record(actor=actor, child_id=notification.child_id, action="write",
                 endpoint="notification_assessment_correct", purpose=f"assessment corrected: {outcome}")
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
    require(actor, "child", "change", child=child.pk)
    child_require_open(child.pk)
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
                           today: dt.date | None = None, version: int | None = None) -> m.Investigation:
    """Conclude an investigation (optimistic locking on ``version`` as in :func:`notification_assess`).

    Raises:
        EditConflict: someone changed the investigation since ``version``; nothing written.
        InvalidInput: already concluded; ``concluded_on`` before the start or in the future.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "child", "change", child=investigation.child_id)
    child_require_open(investigation.child_id)
    today = today or timezone.localdate()
    _check_version(investigation, version, {"concluded_on": concluded_on})
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
    _locked_update(investigation, {"concluded_on": concluded_on})
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
    require(actor, "intervention", "change", child=episode.child_id)
    child_require_open(episode.child_id)
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
        PermissionDenied: no ``child``/``reassign`` grant covering the child (team leaders: their team's).
        InvalidInput: an unknown caseworker, one outside the team leader's team, the child's
            current caseworker, or ``on`` before the current assignment started.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "child", "reassign", child=child)
    child_require_open(child.pk)
    problems = ProblemCollector()
    target = m.Caseworker.objects.filter(pk=caseworker_id).first()
    if target is None:
        problems.add(field="caseworker_id", value=caseworker_id, message="unknown caseworker")
    elif getattr(actor, "team", None) is None or target.team_id != actor.team.code:  # type: ignore[attr-defined]
        problems.add(field="caseworker_id", value=caseworker_id, message="not in your team")
    date_within_life(problems, child=child, field="on", value=on)
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


@transaction.atomic
def children_reassign(*, actor: object, child_ids: list[int], caseworker_id: int,
                      on: dt.date) -> list[m.Assignment]:
    """Move several children's cases to one caseworker from ``on``: all of them or none.

    Each child goes through :func:`child_reassign` (same checks, history and audit); every
    child's refusal is collected first, named by child, and then nothing is written.

    Raises:
        PermissionDenied: no ``child``/``reassign`` grant covering the child (team leaders: their team's).
        InvalidInput: no child chosen, or any child's refusal (field ``children``).
        Http404: a child outside the actor's districts.
    """
    problems = ProblemCollector()
    if not child_ids:
        problems.add(field="children", value="", message="choose at least one child")
    children = list(m.Child.objects.filter(pk__in=child_ids).order_by("pk"))
    for pk in sorted(set(child_ids) - {c.pk for c in children}):
        problems.add(field="children", value=pk, message="no such child")
    made = []
    for child in children:
        try:
            with transaction.atomic():  # a refused child leaves no half-written rows behind
                made.append(child_reassign(actor=actor, child=child, caseworker_id=caseworker_id, on=on))
        except InvalidInput as exc:
            for p in exc.problems:
                field = p.field if p.field in ("caseworker_id", "on") else "children"
                problems.add(field=field, value=p.value, message=f"child {child.pk}: {p.message}")
    problems.raise_if_any()  # raising inside this transaction undoes the children already moved
    return made


# --------------------------------------------------------------------------- placements, plans, complaints


def _is_placement(episode: m.Episode) -> bool:
    return episode.step in rules.staircase().placement_steps


def age_years(birth_date: dt.date, on: dt.date) -> int:
    """Whole years of age on ``on`` (the register's own rule, ``trappen.register.derive.age_expr``)."""
    return int(pl.select(age_expr(pl.lit(birth_date), on)).item())


def placement_facts(episode: m.Episode, *, on: dt.date) -> dict[str, int]:
    """Derived, never entered: the child's age at the end of the placement (or on ``on`` while it
    runs) and the placement's length in days over the half-open period ``[start, end)``."""
    until = episode.end_date or on
    return {"age_years": age_years(episode.child.birth_date, until),
            "duration_days": (until - episode.start_date).days}


@transaction.atomic
def placement_breakdown(*, actor: object, episode: m.Episode, end_date: dt.date, reason: str,
                        today: dt.date | None = None, version: int | None = None) -> m.Episode:
    """Register a placement breakdown (sammenbrud): end the placement with end_reason
    ``"breakdown"`` on ``end_date`` (the first day out of the placement) and keep the reason.

    The placement's own checks run here; the ending itself is
    :func:`trappen.web.register.services.intervention_end`, the one path that ends an episode.

    Raises:
        InvalidInput: not a placement (steps ``Staircase.placement_steps``); already ended;
            ``end_date`` not after the start or in the future; an empty reason.
        EditConflict: the episode changed since ``version``; nothing written.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "intervention", "change", child=episode.child_id)
    child_require_open(episode.child_id)
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    mine = {"end_date": end_date, "end_reason": "breakdown", "breakdown_reason": reason}
    _check_version(episode, version, mine)
    problems = ProblemCollector()
    if not _is_placement(episode):
        problems.add(field="episode_id", value=episode.pk,
                     message=f"is not a placement (step {episode.step}); only placements break down")
    if episode.end_date is not None:
        problems.add(field="end_date", value=episode.end_date.isoformat(),
                     message="the placement has already ended")
    if end_date <= episode.start_date:
        problems.add(field="end_date", value=end_date.isoformat(),
                     message=f"must be after the start date {episode.start_date.isoformat()}")
    if end_date > today:
        problems.add(field="end_date", value=end_date.isoformat(), message="is in the future")
    if not reason:
        problems.add(field="reason", value=reason, message="is required: why did the placement break down?")
    problems.raise_if_any()
    # the one service that ends an episode (locking, audit) writes it
    return intervention_end(actor=actor, episode=episode, end_date=end_date, end_reason="breakdown",
                            version=episode.version, breakdown_reason=reason)


@transaction.atomic
def supervision_visit_record(*, actor: object, episode: m.Episode, visited_on: dt.date,
                             today: dt.date | None = None) -> m.SupervisionVisit:
    """Record a supervision visit (tilsynsbesøg) at a placement.

    Raises:
        InvalidInput: not a placement; ``visited_on`` in the future, before the placement
            started, or on/after its end.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "intervention", "change", child=episode.child_id)
    child_require_open(episode.child_id)
    today = today or timezone.localdate()
    problems = ProblemCollector()
    if not _is_placement(episode):
        problems.add(field="episode_id", value=episode.pk,
                     message=f"is not a placement (step {episode.step}); supervision visits are for placements")
    if visited_on > today:
        problems.add(field="visited_on", value=visited_on.isoformat(), message="is in the future")
    if visited_on < episode.start_date:
        problems.add(field="visited_on", value=visited_on.isoformat(),
                     message=f"is before the placement started ({episode.start_date.isoformat()})")
    if episode.end_date is not None and visited_on >= episode.end_date:
        problems.add(field="visited_on", value=visited_on.isoformat(),
                     message=f"is on or after the placement ended ({episode.end_date.isoformat()})")
    problems.raise_if_any()
    visit = m.SupervisionVisit.objects.create(child_id=episode.child_id, episode=episode, visited_on=visited_on)
    audit_record(actor=actor, child_id=episode.child_id, action="write", endpoint="supervision_visit_record",
                 purpose=f"supervision visit, episode {episode.pk}")
    return visit


def _child_date(problems: ProblemCollector, child: m.Child, field: str, value: dt.date, today: dt.date) -> None:
    if value > today:
        problems.add(field=field, value=value.isoformat(), message="is in the future")
    if value < child.birth_date:
        problems.add(field=field, value=value.isoformat(), message="is before the child's birth date")


@transaction.atomic
def child_conversation_record(*, actor: object, child: m.Child, held_on: dt.date, kind: str,
                              notes: str = "", today: dt.date | None = None) -> m.ChildConversation:
    """Record a conversation with the child (børnesamtale). Operational only: the analytic
    register has no table for it.

    Raises:
        InvalidInput: ``held_on`` in the future or before birth; ``kind`` not in
            ``CONVERSATION_KINDS``.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "case_notes", "create", child=child.pk)
    child_require_open(child.pk)
    today = today or timezone.localdate()
    problems = ProblemCollector()
    _child_date(problems, child, "held_on", held_on, today)
    if kind not in m.CONVERSATION_KINDS:
        problems.add(field="kind", value=kind, message=f"must be one of {', '.join(m.CONVERSATION_KINDS)}")
    problems.raise_if_any()
    conversation = m.ChildConversation.objects.create(child=child, held_on=held_on, kind=kind,
                                                      notes=(notes or "").strip())
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="child_conversation_record",
                 purpose="child conversation")
    return conversation


def _clean_goals(problems: ProblemCollector, goals: list[str]) -> list[str]:
    cleaned = [g.strip() for g in goals if g and g.strip()]
    if not cleaned:
        problems.add(field="goals", value="", message="a plan needs at least one concrete goal")
    return cleaned


@transaction.atomic
def plan_record(*, actor: object, child: m.Child, made_on: dt.date, goals: list[str],
                episode: m.Episode | None = None, today: dt.date | None = None) -> m.Plan:
    """Record the child's plan (barnets plan / handleplan) with its concrete goals.

    Raises:
        InvalidInput: ``made_on`` in the future or before birth; no goal; an episode of
            another child.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "case_notes", "create", child=child.pk)
    child_require_open(child.pk)
    today = today or timezone.localdate()
    problems = ProblemCollector()
    _child_date(problems, child, "made_on", made_on, today)
    cleaned = _clean_goals(problems, goals)
    if episode is not None and episode.child_id != child.pk:
        problems.add(field="episode_id", value=episode.pk, message="belongs to another child")
    problems.raise_if_any()
    plan = m.Plan.objects.create(child=child, episode=episode, made_on=made_on, goals=cleaned)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="plan_record", purpose="plan")
    return plan


@transaction.atomic
def plan_update(*, actor: object, plan: m.Plan, made_on: dt.date, goals: list[str], version: int,
                today: dt.date | None = None) -> m.Plan:
    """Correct (revise) a plan's date and goals under optimistic locking: a new version, the old
    one kept as a :class:`PlanRevision` (the plan's history); the plan row is the current one.

    Raises:
        EditConflict: the plan changed since ``version`` (lists stored vs submitted values).
        InvalidInput: as :func:`plan_record`.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "case_notes", "change", child=plan.child_id)
    child_require_open(plan.child_id)
    today = today or timezone.localdate()
    problems = ProblemCollector()
    cleaned = _clean_goals(problems, goals)
    mine = {"made_on": made_on, "goals": cleaned}
    _check_version(plan, version, mine)
    _child_date(problems, plan.child, "made_on", made_on, today)
    problems.raise_if_any()
    before = (plan.version, plan.made_on, plan.goals)
    _locked_update(plan, mine)  # matched version v: ``before`` is what version v stored
    m.PlanRevision.objects.create(plan=plan, version=before[0], made_on=before[1], goals=before[2],
                                  replaced_at=timezone.now())
    audit_record(actor=actor, child_id=plan.child_id, action="write", endpoint="plan_update",
                 purpose=f"revise plan {plan.pk}")
    return plan


@transaction.atomic
def complaint_record(*, actor: object, child: m.Child, received_on: dt.date,
                     reassessed_on: dt.date | None = None, municipality_upheld: bool | None = None,
                     appeals_outcome: str | None = None, today: dt.date | None = None) -> m.Complaint:
    """Record a complaint (klage) and, when known, the municipality's re-assessment and the
    appeals board's (Ankestyrelsen) outcome.

    Raises:
        InvalidInput: dates in the future or before birth; ``reassessed_on`` before
            ``received_on``; an outcome without a re-assessment; ``appeals_outcome`` not in
            ``trappen.register.schema.APPEALS_OUTCOMES``; an appeals outcome although the
            municipality did not uphold (then nothing went to the board).
        Http404: the child is outside the actor's districts.
    """
    require(actor, "child", "change", child=child.pk)
    child_require_open(child.pk)
    today = today or timezone.localdate()
    appeals_outcome = appeals_outcome or None
    problems = ProblemCollector()
    _child_date(problems, child, "received_on", received_on, today)
    if reassessed_on is not None:
        if reassessed_on < received_on:
            problems.add(field="reassessed_on", value=reassessed_on.isoformat(),
                         message=f"is before the complaint was received ({received_on.isoformat()})")
        if reassessed_on > today:
            problems.add(field="reassessed_on", value=reassessed_on.isoformat(), message="is in the future")
    elif municipality_upheld is not None:
        problems.add(field="municipality_upheld", value=municipality_upheld,
                     message="needs the re-assessment date")
    if appeals_outcome is not None:
        if appeals_outcome not in APPEALS_OUTCOMES:
            problems.add(field="appeals_outcome", value=appeals_outcome,
                         message=f"must be one of {', '.join(APPEALS_OUTCOMES)}")
        elif municipality_upheld is not True:
            problems.add(field="appeals_outcome", value=appeals_outcome,
                         message="only a complaint the municipality upheld goes to the appeals board")
    problems.raise_if_any()
    complaint = m.Complaint.objects.create(child=child, received_on=received_on, reassessed_on=reassessed_on,
                                           municipality_upheld=municipality_upheld,
                                           appeals_outcome=appeals_outcome)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="complaint_record", purpose="complaint")
    return complaint


# --------------------------------------------------------------------------- closing a case

CLOSE_REASON_MAX = 4_000
"""Characters in the reason for closing or reopening a case."""


def _reason(problems: ProblemCollector, field: str, reason: str, *, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        problems.add(field=field, value="", message=f"is required: why is the case {what}?")
    elif len(reason) > CLOSE_REASON_MAX:
        problems.add(field=field, value=f"{len(reason)} characters", message=f"at most {CLOSE_REASON_MAX} characters")
    elif "\x00" in reason:
        problems.add(field=field, value="(NUL)", message="contains a NUL character")
    return reason


@transaction.atomic
def case_close(*, actor: object, child: m.Child, reason: str, closed_on: dt.date | None = None,
               now: dt.datetime | None = None) -> m.CaseClosure:
    """Close the child's case with a reason: from now on the child's records are read-only.

    The child's open :class:`Case` rows get ``closed_on``; a :class:`CaseClosure` keeps the
    reason. Nothing is deleted (archiving, not deletion: docs/privacy.md).

    Raises:
        PermissionDenied: no ``child``/``change`` grant covering the child.
        InvalidInput: already closed; an empty reason; ``closed_on`` in the future, before the
            child's birth or before an open case was opened; interventions still running on
            ``closed_on`` (end them first), listed by episode id.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "child", "change", child=child.pk)
    list(m.Child.objects.select_for_update().filter(pk=child.pk).values_list("pk"))
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    closed_on = closed_on or today
    problems = ProblemCollector()
    open_closure = m.CaseClosure.objects.filter(child=child, reopened_at=None).first()
    if open_closure is not None:
        problems.add(field="case", value=open_closure.closed_on.isoformat(), message="the case is already closed")
    text = _reason(problems, "reason", reason, what="closed")
    _child_date(problems, child, "closed_on", closed_on, today)
    open_cases = m.Case.objects.filter(child=child, closed_on=None)
    for case in open_cases.filter(opened_on__gt=closed_on):
        problems.add(field="closed_on", value=closed_on.isoformat(),
                     message=f"is before case {case.pk} was opened ({case.opened_on.isoformat()})")
    running = (child.episodes.filter(start_date__lt=closed_on)
               .filter(Q(end_date__isnull=True) | Q(end_date__gt=closed_on)).order_by("pk"))
    for episode in running:
        problems.add(field="episode_id", value=episode.pk,
                     message=f"{episode.intervention_code} is still running on {closed_on.isoformat()}: end it first")
    problems.raise_if_any()
    open_cases.update(closed_on=closed_on)
    closure = m.CaseClosure.objects.create(child=child, closed_on=closed_on, reason=text, closed_at=now)
    # the reason is case content: the audit trail says what happened, never why in free text
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="case_close", purpose="close case")
    return closure


@transaction.atomic
def case_reopen(*, actor: object, child: m.Child, reason: str, now: dt.datetime | None = None) -> m.CaseClosure:
    """Reopen a closed case with a reason (logged in the audit trail): its records are writable again.

    The closure is kept with ``reopened_at`` and the reason; when the closing closed a
    :class:`Case`, a new case is opened today (source ``"other"``), so the closed case itself
    stays as it was.

    Raises:
        PermissionDenied: no ``child``/``change`` grant covering the child.
        InvalidInput: the case is not closed; an empty reason.
        Http404: the child is outside the actor's districts.
    """
    require(actor, "child", "change", child=child.pk)
    list(m.Child.objects.select_for_update().filter(pk=child.pk).values_list("pk"))
    now = now or timezone.now()
    problems = ProblemCollector()
    closure = m.CaseClosure.objects.filter(child=child, reopened_at=None).first()
    if closure is None:
        problems.add(field="case", value="—", message="the case is not closed")
    text = _reason(problems, "reason", reason, what="reopened")
    problems.raise_if_any()
    assert closure is not None
    closure.reopened_at, closure.reopen_reason = now, text
    closure.save(update_fields=["reopened_at", "reopen_reason"])
    if m.Case.objects.filter(child=child, closed_on=closure.closed_on).exists():
        m.Case.objects.create(child=child, opened_on=timezone.localtime(now).date(), source="other")
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="case_reopen", purpose="reopen case")
    return closure

