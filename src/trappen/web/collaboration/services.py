"""Writes of the collaboration records. Each checks the permission table first
(:func:`trappen.web.scope.require`), validates, writes in one transaction and audits.

Raises, throughout:
    PermissionDenied / Http404: as :func:`trappen.web.scope.require`.
    InvalidInput: a bad value, naming the field and the value; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trappen.collaboration import CONSENT_GIVERS, FIELD_GROUPS, ORG_KINDS, legal_bases
from trappen.errors import InvalidInput, Problem, ProblemCollector
from trappen.web.audit.services import audit_record
from trappen.web.collaboration import selectors as sel
from trappen.web.collaboration.links import current, user_pk
from trappen.web.collaboration.models import (
    ACTION_STATUSES,
    CONCERN_KINDS,
    CONSULTATION_OUTCOMES,
    MEETING_KINDS,
    NETWORK_RELATIONS,
    NETWORK_ROLES,
    PARTICIPANT_KINDS,
    SUPPORT_OUTCOMES,
    Action,
    ChildLink,
    Consent,
    Consultation,
    FamilyGroupConference,
    GoalFollowUp,
    Meeting,
    Membership,
    NetworkPerson,
    Organisation,
    Participant,
    SharingBasis,
    Step1Support,
)
from trappen.web.register import models as m
from trappen.web.register.services import intervention_start
from trappen.web.scope import require

STEP1_KINDS = ("daycare", "school", "health_visiting")
"""Organisations that give step-1 support inside their own setting."""


def _one_of(problems: ProblemCollector, field: str, value: str, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        problems.add(field=field, value=value, message=f"must be one of {', '.join(a for a in allowed if a)}")


def _period(problems: ProblemCollector, start: dt.date, end: dt.date | None, *, field: str) -> None:
    if end is not None and end <= start:
        problems.add(field=field, value=end.isoformat(), message=f"must be after {start.isoformat()}")


# --------------------------------------------------------------- organisations (set-up data)
@transaction.atomic
def organisation_create(*, code: str, name: str, kind: str, district_code: str | None = None) -> Organisation:
    """A partner organisation (set-up data: the demo and the administrator's import)."""
    problems = ProblemCollector()
    _one_of(problems, "kind", kind, ORG_KINDS)
    if not code.strip() or not name.strip():
        problems.add(field="code" if not code.strip() else "name", value="", message="is required")
    problems.raise_if_any()
    return Organisation.objects.create(code=code.strip(), name=name.strip(), kind=kind, district_id=district_code)


def membership_add(*, user: Any, organisation: Organisation, start_date: dt.date, title: str = "") -> Membership:
    """``user`` (a partner login) acts for ``organisation`` from ``start_date``."""
    if getattr(user, "role", None) != "partner":
        raise InvalidInput([Problem(field="user", value=str(getattr(user, "role", "")),
                                    message="only partner users act for an organisation")])
    return Membership.objects.create(user=user, organisation=organisation, start_date=start_date, title=title)


def child_link_add(*, child: m.Child, organisation: Organisation, start_date: dt.date, kind: str = "enrolled",
                   end_date: dt.date | None = None) -> ChildLink:
    """The child is linked to ``organisation`` over ``[start_date, end_date)``."""
    problems = ProblemCollector()
    _period(problems, start_date, end_date, field="end_date")
    problems.raise_if_any()
    return ChildLink.objects.create(child=child, organisation=organisation, kind=kind, start_date=start_date,
                                    end_date=end_date)


# --------------------------------------------------------------- consent and legal basis
@transaction.atomic
def consent_record(*, actor: Any, child: m.Child | int, giver: str, field_groups: Sequence[str],
                   organisation_ids: Sequence[int], purpose: str, valid_from: dt.date,
                   valid_to: dt.date | None = None, sole_custody: bool = False) -> Consent:
    """Record one giver's consent to share ``field_groups`` with the organisations, for ``purpose``."""
    found = require(actor, "consent", "create", child=child)
    problems = ProblemCollector()
    _one_of(problems, "giver", giver, CONSENT_GIVERS)
    for g in field_groups:
        _one_of(problems, "field_groups", g, FIELD_GROUPS)
    if not field_groups:
        problems.add(field="field_groups", value="", message="name at least one field group")
    orgs = list(Organisation.objects.filter(pk__in=list(organisation_ids)))
    if not orgs or len(orgs) != len(set(organisation_ids)):
        problems.add(field="organisations", value=",".join(map(str, organisation_ids)),
                     message="name one or more existing organisations")
    if not purpose.strip():
        problems.add(field="purpose", value="", message="is required: what the sharing is for")
    _period(problems, valid_from, valid_to, field="valid_to")
    problems.raise_if_any()
    consent = Consent.objects.create(child=found, giver=giver, field_groups=list(dict.fromkeys(field_groups)),
                                     purpose=purpose.strip(), valid_from=valid_from, valid_to=valid_to,
                                     sole_custody=sole_custody, recorded_by=actor)
    consent.organisations.set(orgs)
    audit_record(actor=actor, child_id=found.pk, action="write", endpoint="consent_record",
                 purpose=f"consent {consent.pk} from {giver}: {','.join(consent.field_groups)}")
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, on: dt.date | None = None) -> Consent:
    """Withdraw a consent from ``on`` (today): no partner read on or after that day rests on it."""
    require(actor, "consent", "change", child=consent.child_id)
    day = on or timezone.localdate()
    if consent.withdrawn_on is not None:
        raise InvalidInput([Problem(field="withdrawn_on", value=consent.withdrawn_on.isoformat(),
                                    message="the consent is already withdrawn")])
    if day < consent.valid_from:
        day = consent.valid_from
    consent.withdrawn_on = day
    consent.save(update_fields=["withdrawn_on"])
    audit_record(actor=actor, child_id=consent.child_id, action="write", endpoint="consent_withdraw",
                 purpose=f"consent {consent.pk} withdrawn from {day.isoformat()}")
    return consent


@transaction.atomic
def basis_record(*, actor: Any, child: m.Child | int, organisation: Organisation, basis: str, reason: str,
                 valid_from: dt.date, valid_to: dt.date | None = None) -> SharingBasis:
    """Record that sharing with ``organisation`` rests on a legal basis without consent."""
    found = require(actor, "consent", "create", child=child)
    problems = ProblemCollector()
    rule = legal_bases().get(basis)
    if rule is None:
        problems.add(field="basis", value=basis, message=f"must be one of {', '.join(legal_bases())}")
    elif organisation.kind not in rule.organisation_kinds:
        problems.add(field="organisation", value=organisation.kind,
                     message=f"{basis} does not reach this kind of organisation")
    if not reason.strip():
        problems.add(field="reason", value="", message="is required: why the sharing is necessary")
    _period(problems, valid_from, valid_to, field="valid_to")
    problems.raise_if_any()
    row = SharingBasis.objects.create(child=found, organisation=organisation, basis=basis, reason=reason.strip(),
                                      valid_from=valid_from, valid_to=valid_to, recorded_by=actor)
    audit_record(actor=actor, child_id=found.pk, action="write", endpoint="basis_record",
                 purpose=f"sharing basis {basis} for organisation {organisation.pk}")
    return row


@transaction.atomic
def basis_end(*, actor: Any, row: SharingBasis, on: dt.date | None = None) -> SharingBasis:
    """End a recorded legal basis from ``on`` (today)."""
    require(actor, "consent", "change", child=row.child_id)
    row.withdrawn_on = max(on or timezone.localdate(), row.valid_from)
    row.save(update_fields=["withdrawn_on"])
    audit_record(actor=actor, child_id=row.child_id, action="write", endpoint="basis_end",
                 purpose=f"sharing basis {row.pk} ended")
    return row


# --------------------------------------------------------------- meetings and actions
@transaction.atomic
def meeting_plan(*, actor: Any, child: m.Child | int, kind: str, held_on: dt.date,
                 organisation_ids: Sequence[int] = (), partner_user_ids: Sequence[int] = (),
                 others: Sequence[tuple[str, str]] = ()) -> Meeting:
    """Plan a meeting: the actor (caseworker) takes part; organisations, partner users and other
    participants (``(kind, name)``: parents, the child, network persons, a support person)."""
    found = require(actor, "meeting", "create", child=child)
    problems = ProblemCollector()
    _one_of(problems, "kind", kind, MEETING_KINDS)
    for pk, (pkind, name) in enumerate(others):
        _one_of(problems, f"participants[{pk}]", pkind, PARTICIPANT_KINDS)
        if not name.strip():
            problems.add(field=f"participants[{pk}]", value="", message="needs a name")
    orgs = list(Organisation.objects.filter(pk__in=list(organisation_ids)))
    if len(orgs) != len(set(organisation_ids)):
        problems.add(field="organisations", value=",".join(map(str, organisation_ids)), message="unknown organisation")
    from django.contrib.auth import get_user_model

    partners = list(get_user_model().objects.filter(pk__in=list(partner_user_ids), role="partner"))
    if len(partners) != len(set(partner_user_ids)):
        problems.add(field="partners", value=",".join(map(str, partner_user_ids)), message="unknown partner user")
    problems.raise_if_any()
    meeting = Meeting.objects.create(child=found, kind=kind, held_on=held_on, planned_by=actor)
    rows = [Participant(meeting=meeting, kind="caseworker", user=actor)]
    rows += [Participant(meeting=meeting, kind="partner", organisation=o) for o in orgs]
    rows += [Participant(meeting=meeting, kind="partner", user=u,
                         organisation=Organisation.objects.filter(members__user=u).first()) for u in partners]
    rows += [Participant(meeting=meeting, kind=k, name=n.strip()) for k, n in others]
    Participant.objects.bulk_create(rows)
    audit_record(actor=actor, child_id=found.pk, action="write", endpoint="meeting_plan",
                 purpose=f"meeting {meeting.pk} ({kind}) on {held_on.isoformat()}")
    return meeting


@transaction.atomic
def minutes_write(*, actor: Any, meeting: Meeting, child_view: str, parents_view: str,
                  decisions: str) -> Meeting:
    """The minutes: the child's and the parents' views and the decisions; saved, they go to the
    participants (:func:`trappen.web.collaboration.minutes.minutes_dispatch`)."""
    require(actor, "meeting", "change", child=meeting.child_id)
    if not decisions.strip():
        raise InvalidInput([Problem(field="decisions", value="", message="write what was decided")])
    meeting.child_view, meeting.parents_view, meeting.decisions = child_view.strip(), parents_view.strip(), \
        decisions.strip()
    meeting.minutes_at = timezone.now()
    meeting.save(update_fields=["child_view", "parents_view", "decisions", "minutes_at"])
    audit_record(actor=actor, child_id=meeting.child_id, action="write", endpoint="minutes_write",
                 purpose=f"minutes of meeting {meeting.pk}")
    from trappen.web.collaboration.minutes import minutes_dispatch

    minutes_dispatch(actor=actor, meeting=meeting)  # each participant's copy, within the consent's scope
    return meeting


@transaction.atomic
def action_assign(*, actor: Any, meeting: Meeting, text: str, owner: Any, due_on: dt.date) -> Action:
    """An agreed action for a participant of the meeting (the owner must take part in it)."""
    require(actor, "meeting", "change", child=meeting.child_id)
    problems = ProblemCollector()
    if not text.strip():
        problems.add(field="text", value="", message="describe the action")
    if due_on < meeting.held_on:
        problems.add(field="due_on", value=due_on.isoformat(), message="must be on or after the meeting")
    owner_kind = "caseworker" if getattr(owner, "pk", None) == getattr(actor, "pk", None) else "partner"
    if owner_kind == "partner" and not sel.attends(owner, meeting, on=timezone.localdate()):
        problems.add(field="owner", value=str(getattr(owner, "pk", "")), message="is not a participant of the meeting")
    problems.raise_if_any()
    action = Action.objects.create(meeting=meeting, child_id=meeting.child_id, text=text.strip(), owner=owner,
                                   owner_kind=owner_kind, due_on=due_on)
    audit_record(actor=actor, child_id=meeting.child_id, action="write", endpoint="action_assign",
                 purpose=f"action {action.pk} for meeting {meeting.pk}")
    return action


@transaction.atomic
def action_set_status(*, actor: Any, action: Action, status: str, on: dt.date | None = None) -> Action:
    """The owner marks an action done (or the responsible caseworker does, or cancels it). A
    partner owner needs the ``actions`` group shared with their organisation that day."""
    problems = ProblemCollector()
    _one_of(problems, "status", status, ACTION_STATUSES)
    problems.raise_if_any()
    is_owner = action.owner_id == getattr(actor, "pk", None)
    if sel.is_partner(actor):
        if not is_owner:
            raise PermissionDenied("only the action's owner marks it")
        share = sel.sharing_check(actor, action.child_id, endpoint="action_set_status", groups=("actions",))
        if "actions" not in share:
            raise PermissionDenied("no consent or legal basis covers this child's actions today")
        require(actor, "meeting", "change", child=action.child_id)
    elif not is_owner:
        require(actor, "meeting", "change", child=action.child_id)
    action.status = status
    action.done_on = (on or timezone.localdate()) if status == "done" else None
    action.save(update_fields=["status", "done_on"])
    audit_record(actor=actor, child_id=action.child_id, action="write", endpoint="action_set_status",
                 purpose=f"action {action.pk} {status}")
    return action


# --------------------------------------------------------------- step-1 support
@transaction.atomic
def step1_support_register(*, actor: Any, child: m.Child | int, organisation: Organisation, goal: str,
                           intervention_code: str, start_date: dt.date, planned_review: dt.date) -> Step1Support:
    """A daycare, school or health visitor registers the step-1 support it gives a linked child:
    a step-1 episode through the register's own service (provider: the organisation), with its
    source kept here."""
    day = timezone.localdate()
    problems = ProblemCollector()
    if organisation.kind not in STEP1_KINDS:
        problems.add(field="organisation", value=organisation.kind, message="step-1 support is given by "
                     + ", ".join(STEP1_KINDS))
    if not Membership.objects.filter(current(day), user_id=user_pk(actor),
                                     organisation=organisation).exists():
        raise PermissionDenied("the user does not act for this organisation")
    child_id = child if isinstance(child, int) else child.pk
    if not ChildLink.objects.filter(current(day), child_id=child_id, organisation=organisation).exists():
        problems.add(field="child", value=str(child_id), message="is not linked to the organisation today")
    if not goal.strip():
        problems.add(field="goal", value="", message="is required")
    if planned_review <= start_date:
        problems.add(field="planned_review", value=planned_review.isoformat(), message="must be after the start")
    problems.raise_if_any()
    found = require(actor, "step1_support", "create", child=child_id)
    episode = intervention_start(actor=actor, child=found, intervention_code=intervention_code, step=1,
                                 start_date=start_date, provider=organisation.name, authority="step1_support")
    support = Step1Support.objects.create(child=found, organisation=organisation, episode=episode, goal=goal.strip(),
                                          start_date=start_date, planned_review=planned_review, recorded_by=actor)
    audit_record(actor=actor, child_id=found.pk, action="write", endpoint="step1_support_register",
                 purpose=f"step-1 support {support.pk} by organisation {organisation.pk}")
    return support


# --------------------------------------------------------------- anonymous consultations
@transaction.atomic
def consultation_record(*, actor: Any, held_on: dt.date, age: int, concern: str, partner_kind: str,
                        advice: str, outcome: str, organisation: Organisation | None = None) -> Consultation:
    """An anonymous consultation: nothing that identifies the child is asked or kept."""
    from trappen.privacy.roles import permission

    if permission(getattr(actor, "role", "") or "", "consultation", "create") is None:
        raise PermissionDenied("consultation/create is not granted to this role (permissions.toml)")
    problems = ProblemCollector()
    if not 0 <= age <= 22:
        problems.add(field="age", value=str(age), message="must be 0-22")
    _one_of(problems, "concern", concern, CONCERN_KINDS)
    _one_of(problems, "partner_kind", partner_kind, ORG_KINDS)
    _one_of(problems, "outcome", outcome, CONSULTATION_OUTCOMES)
    if not advice.strip():
        problems.add(field="advice", value="", message="write the advice given")
    problems.raise_if_any()
    row = Consultation.objects.create(held_on=held_on, age=age, concern=concern, partner_kind=partner_kind,
                                      advice=advice.strip(), outcome=outcome, organisation=organisation,
                                      recorded_by=actor)
    audit_record(actor=actor, child_id=None, action="write", endpoint="consultation_record",
                 purpose=f"anonymous consultation {row.pk}")
    return row


@transaction.atomic
def consultation_link(*, actor: Any, consultation: Consultation, notification: m.Notification) -> Consultation:
    """Link a consultation to the notification that followed it (``consultation``/``change`` on
    the notification's child: the responsible caseworker)."""
    require(actor, "consultation", "change", child=notification.child_id)
    if consultation.notification_id is not None and consultation.notification_id != notification.pk:
        raise InvalidInput([Problem(field="consultation", value=str(consultation.pk),
                                    message="is already linked to another notification; unlink it there first")])
    if consultation.held_on > timezone.localtime(notification.received_at).date():
        raise InvalidInput([Problem(field="consultation", value=consultation.held_on.isoformat(),
                                    message="was held after the notification was received")])
    consultation.notification = notification
    consultation.save(update_fields=["notification"])
    audit_record(actor=actor, child_id=notification.child_id, action="write", endpoint="consultation_link",
                 purpose=f"consultation {consultation.pk} linked to notification {notification.pk}")
    return consultation


@transaction.atomic
def consultation_unlink(*, actor: Any, consultation: Consultation) -> Consultation:
    """Undo a link (a wrong match): the consultation is unlinked and counted as such again."""
    if consultation.notification_id is None:
        raise InvalidInput([Problem(field="consultation", value=str(consultation.pk), message="is not linked")])
    child_id = m.Notification.objects.values_list("child_id", flat=True).get(pk=consultation.notification_id)
    require(actor, "consultation", "change", child=child_id)
    notification_id = consultation.notification_id
    consultation.notification = None
    consultation.save(update_fields=["notification"])
    audit_record(actor=actor, child_id=child_id, action="write", endpoint="consultation_unlink",
                 purpose=f"consultation {consultation.pk} unlinked from notification {notification_id}")
    return consultation


def support_outcome_choices() -> tuple[str, ...]:
    return SUPPORT_OUTCOMES


# --------------------------------------------------------------- the family's network
@transaction.atomic
def network_person_add(*, actor: Any, child: m.Child | int, name: str, relation: str, role: str) -> NetworkPerson:
    """A person in the family's network (the responsible caseworker records it; no CPR)."""
    found = require(actor, "meeting", "create", child=child)
    problems = ProblemCollector()
    if not name.strip():
        problems.add(field="name", value="", message="is required")
    _one_of(problems, "relation", relation, NETWORK_RELATIONS)
    _one_of(problems, "role", role, NETWORK_ROLES)
    problems.raise_if_any()
    person = NetworkPerson.objects.create(child=found, name=name.strip(), relation=relation, role=role,
                                          recorded_by=actor)
    audit_record(actor=actor, child_id=found.pk, action="write", endpoint="network_person_add",
                 purpose=f"network person {person.pk} ({role})")
    return person


@transaction.atomic
def family_group_conference_save(*, actor: Any, child: m.Child | int, coordinator: str, referred_on: dt.date,
                                 preparation: str = "", conference_on: dt.date | None = None,
                                 family_plan: str = "", follow_up_on: dt.date | None = None,
                                 fgc: FamilyGroupConference | None = None) -> FamilyGroupConference:
    """Start or update a familierådslagning: the status follows the dates and the family's plan
    (held when the conference date has passed and the plan is written; followed up after the
    follow-up date)."""
    found = require(actor, "meeting", "change" if fgc else "create", child=child)
    problems = ProblemCollector()
    if not coordinator.strip():
        problems.add(field="coordinator", value="", message="is required")
    if conference_on is not None and conference_on < referred_on:
        problems.add(field="conference_on", value=conference_on.isoformat(), message="must not be before the referral")
    if follow_up_on is not None and (conference_on is None or follow_up_on <= conference_on):
        problems.add(field="follow_up_on", value=follow_up_on.isoformat(), message="must be after the conference")
    problems.raise_if_any()
    today = timezone.localdate()
    status = "preparing"
    if conference_on is not None and conference_on <= today and family_plan.strip():
        status = "followed_up" if follow_up_on is not None and follow_up_on <= today else "held"
    row = fgc or FamilyGroupConference(child=found, recorded_by=actor)
    row.coordinator, row.referred_on, row.preparation = coordinator.strip(), referred_on, preparation.strip()
    row.conference_on, row.family_plan, row.follow_up_on, row.status = (conference_on, family_plan.strip(),
                                                                         follow_up_on, status)
    row.save()
    audit_record(actor=actor, child_id=found.pk, action="write", endpoint="family_group_conference_save",
                 purpose=f"family group conference {row.pk} {status}")
    return row


# --------------------------------------------------------------- plan goals, one by one
@transaction.atomic
def goal_follow_up_record(*, actor: Any, plan: m.Plan, goal_index: int, followed_up_on: dt.date, progress: int,
                          achieved: bool | None, child_view: str = "") -> GoalFollowUp:
    """Follow one goal of the child's plan up: progress 0-10, achieved or not, the child's view."""
    require(actor, "meeting", "change", child=plan.child_id)
    problems = ProblemCollector()
    goals = list(plan.goals or [])
    if not 0 <= goal_index < len(goals):
        problems.add(field="goal", value=str(goal_index), message=f"the plan has {len(goals)} goals")
    if not 0 <= progress <= 10:
        problems.add(field="progress", value=str(progress), message="must be 0-10")
    if followed_up_on < plan.made_on:
        problems.add(field="followed_up_on", value=followed_up_on.isoformat(),
                     message=f"must not be before the plan ({plan.made_on.isoformat()})")
    problems.raise_if_any()
    row = GoalFollowUp.objects.create(plan=plan, goal_index=goal_index, goal=str(goals[goal_index])[:500],
                                      followed_up_on=followed_up_on, progress=progress, achieved=achieved,
                                      child_view=child_view.strip(), recorded_by=actor)
    audit_record(actor=actor, child_id=plan.child_id, action="write", endpoint="goal_follow_up_record",
                 purpose=f"plan {plan.pk} goal {goal_index} followed up")
    return row
