"""Reads of the collaboration records, and the sharing check every partner read goes through.

A partner (a user acting for an organisation) sees a child's field group only while a consent
or a recorded legal basis covers their organisation and the group on that day
(:func:`trappen.collaboration.decide_sharing`). :func:`sharing_check` decides and writes one
audit event with every group's outcome; a refused identity check means the page answers with
the refusal, not the data. Staff with a ``meeting`` grant of their own (caseworkers, team
leaders) are the municipality itself and are not checked here (their reads are audited by the
purpose layer).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from trappen.collaboration import Grounds, decide_sharing
from trappen.privacy.roles import Scope, permission
from trappen.web.audit.services import audit_record
from trappen.web.collaboration.links import current, user_pk
from trappen.web.collaboration.models import (
    Action,
    ChildLink,
    Consent,
    Consultation,
    Meeting,
    Membership,
    Organisation,
    SharingBasis,
    Step1Support,
)
from trappen.web.register import models as m

PARTNER_GROUPS = ("identity", "step", "early_interventions", "meetings", "actions", "placements")
"""The groups a partner's pages ask for, in order (identity first: without it nothing shows)."""


def is_partner(user: object) -> bool:
    """Whether ``user``'s meeting grant is the linked (partner) scope: reads are consent-checked."""
    return permission(getattr(user, "role", "") or "", "meeting", "view") == Scope.LINKED


def organisations_of(user: object, *, on: dt.date) -> list[Organisation]:
    """The organisations ``user`` acts for on ``on``."""
    ids = Membership.objects.filter(current(on), user_id=user_pk(user)).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def grounds_by_child(child_ids: Iterable[int]) -> dict[int, tuple[list[Grounds], int]]:
    """Every consent and recorded legal basis of the children, as :class:`Grounds`, with the number
    of custody holders whose consent is needed (1 when a consent says the giver holds custody alone)."""
    ids = list(child_ids)
    out: dict[int, list[Grounds]] = defaultdict(list)
    sole: set[int] = set()
    orgs: dict[int, set[int]] = defaultdict(set)
    for consent_id, org_id in Consent.organisations.through.objects.filter(
            consent__child_id__in=ids).values_list("consent_id", "organisation_id"):
        orgs[consent_id].add(org_id)
    for c in Consent.objects.filter(child_id__in=ids):
        out[c.child_id].append(Grounds(kind="consent", ref=c.pk, organisation_ids=frozenset(orgs[c.pk]),
                                       field_groups=frozenset(c.field_groups), valid_from=c.valid_from,
                                       valid_to=c.valid_to, withdrawn_on=c.withdrawn_on, giver=c.giver))
        if c.sole_custody:
            sole.add(c.child_id)
    for b in SharingBasis.objects.filter(child_id__in=ids):
        out[b.child_id].append(Grounds(kind="basis", ref=b.pk, organisation_ids=frozenset({b.organisation_id}),
                                       field_groups=frozenset(), valid_from=b.valid_from, valid_to=b.valid_to,
                                       withdrawn_on=b.withdrawn_on, basis=b.basis))
    return {cid: (out.get(cid, []), 1 if cid in sole else 2) for cid in ids}


@dataclass(frozen=True, kw_only=True)
class Sharing:
    """What a partner may see of one child today: the allowed groups, the organisation it is
    shared with, and the reason per group (for the audit trail and the refusal page)."""

    child_id: int
    allowed: frozenset[str]
    organisation: Organisation | None
    reasons: dict[str, str] = field(default_factory=dict)

    def __contains__(self, group: str) -> bool:
        return group in self.allowed


def _linked_orgs(user: object, child_ids: list[int], *, on: dt.date) -> dict[int, list[Organisation]]:
    orgs = {o.pk: o for o in organisations_of(user, on=on)}
    out: dict[int, list[Organisation]] = defaultdict(list)
    for cid, oid in ChildLink.objects.filter(current(on), child_id__in=child_ids, organisation_id__in=list(orgs)
                                             ).values_list("child_id", "organisation_id"):
        out[cid].append(orgs[oid])
    return out


def sharing_for(user: object, child_ids: Iterable[int], *, on: dt.date,
                groups: tuple[str, ...] = PARTNER_GROUPS) -> dict[int, Sharing]:
    """For a partner: per child, the groups shared with an organisation ``user`` acts for and that
    links the child on ``on`` (the first organisation that gets identity wins). Not audited: the
    callers audit (:func:`sharing_check`, :func:`audit_sharing`)."""
    ids = sorted(set(child_ids))
    linked = _linked_orgs(user, ids, on=on)
    grounds = grounds_by_child(ids)
    out: dict[int, Sharing] = {}
    for cid in ids:
        best: Sharing | None = None
        for org in linked.get(cid, []):
            rows, holders = grounds[cid]
            reasons = {g: decide_sharing(rows, organisation_id=org.pk, organisation_kind=org.kind, group=g, day=on,
                                         custody_holders=holders) for g in groups}
            share = Sharing(child_id=cid, organisation=org,
                            allowed=frozenset(g for g, d in reasons.items() if d.allowed),
                            reasons={g: d.reason for g, d in reasons.items()})
            if best is None or ("identity" in share and "identity" not in best):
                best = share
        out[cid] = best or Sharing(child_id=cid, allowed=frozenset(), organisation=None,
                                   reasons={g: f"refused:{g}:no_organisation_link" for g in groups})
    return out


def _summary(share: Sharing) -> str:
    return ";".join(f"{g}={share.reasons.get(g, '')}" for g in share.reasons)[:200]


def sharing_check(user: object, child_id: int, *, endpoint: str, on: dt.date | None = None,
                  groups: tuple[str, ...] = PARTNER_GROUPS) -> Sharing:
    """The sharing decision for one child read by a partner, audited with every group's outcome."""
    day = on or timezone.localdate()
    share = sharing_for(user, [child_id], on=day, groups=groups)[child_id]
    audit_record(actor=user, child_id=child_id, action="read", endpoint=f"sharing_check {endpoint}",
                 purpose=_summary(share))
    return share


def partner_children(user: object, *, on: dt.date) -> QuerySet[m.Child]:
    """Every child linked on ``on`` to the partner's organisations, shared or not (the caller
    checks sharing before naming one), or linked to the partner directly."""
    from trappen.web.collaboration.links import org_linked_child_ids

    return m.Child.objects.filter(Q(partners=user) | Q(pk__in=org_linked_child_ids(user, on=on, shared_only=False))
                                  ).distinct().order_by("name", "pk")


def actions_owned(user: object, *, status: str = "open") -> QuerySet[Action]:
    """The agreed actions ``user`` owns, by due date."""
    return (Action.objects.filter(owner_id=user_pk(user), status=status)
            .select_related("meeting", "child").order_by("due_on", "pk"))


def meetings_attended(user: object, *, on: dt.date) -> QuerySet[Meeting]:
    """Meetings ``user`` takes part in: as a named participant or through their organisation."""
    orgs = Membership.objects.filter(current(on), user_id=user_pk(user)).values("organisation_id")
    return (Meeting.objects.filter(Q(participants__user_id=user_pk(user))
                                   | Q(participants__organisation_id__in=orgs)).distinct()
            .select_related("child").order_by("-held_on", "-pk"))


def attends(user: object, meeting: Meeting, *, on: dt.date) -> bool:
    """Whether ``user`` takes part in ``meeting`` (named, or their organisation)."""
    return meetings_attended(user, on=on).filter(pk=meeting.pk).exists()


def meetings_of_child(child: m.Child) -> QuerySet[Meeting]:
    return Meeting.objects.filter(child=child).prefetch_related("participants", "actions").order_by("-held_on")


def partner_interventions(user: object, child: m.Child | int, *, on: dt.date,
                          endpoint: str | None = None) -> list[m.Episode]:
    """The ONE read of a child's interventions for a partner (every partner page and API read
    of interventions comes here): the step 1-2 measures an organisation ``user`` acts for gives
    (a step-1 support it registered, or its name as the provider), for each organisation that
    links the child on ``on`` and shares ``early_interventions`` with; placements only where a
    consent names ``placements``. A partner acting for no organisation that links the child (a
    personal link only) sees none. With ``endpoint`` the decision is audited like
    :func:`sharing_check`."""
    from trappen.privacy.roles import PARTNER_INTERVENTION_STEPS

    child_id = child if isinstance(child, int) else child.pk
    orgs = _linked_orgs(user, [child_id], on=on).get(child_id, [])
    rows, holders = grounds_by_child([child_id])[child_id]
    shown = Q(pk__in=[])
    outcomes: list[str] = []
    for org in orgs:
        for group in ("early_interventions", "placements"):
            d = decide_sharing(rows, organisation_id=org.pk, organisation_kind=org.kind, group=group, day=on,
                               custody_holders=holders)
            outcomes.append(f"{org.pk}:{group}={d.reason}")
            if not d.allowed:
                continue
            if group == "early_interventions":
                shown |= Q(step__in=PARTNER_INTERVENTION_STEPS) & (
                    Q(step1_source__organisation=org) | Q(provider=org.name))
            else:
                shown |= Q(step__gte=4)
    if endpoint is not None:
        audit_record(actor=user, child_id=child_id, action="read", endpoint=f"sharing_check {endpoint}",
                     purpose=(";".join(outcomes) or "refused:early_interventions:no_organisation_link")[:200])
    if not orgs:
        return []
    return list(m.Episode.objects.filter(shown, child_id=child_id).order_by("-start_date", "-pk"))


def step1_supports(child: m.Child) -> QuerySet[Step1Support]:
    return Step1Support.objects.filter(child=child).select_related("organisation", "episode").order_by("-start_date")


def consents_of(child: m.Child) -> QuerySet[Consent]:
    return Consent.objects.filter(child=child).prefetch_related("organisations").order_by("-valid_from", "-pk")


def bases_of(child: m.Child) -> QuerySet[SharingBasis]:
    return SharingBasis.objects.filter(child=child).select_related("organisation").order_by("-valid_from", "-pk")


def consultations_by(user: object) -> QuerySet[Consultation]:
    return Consultation.objects.filter(recorded_by_id=user_pk(user)).order_by("-held_on", "-pk")


def organisations_for_child(child: m.Child, *, on: dt.date) -> QuerySet[Organisation]:
    """The organisations the child is linked to on ``on``."""
    return Organisation.objects.filter(pk__in=ChildLink.objects.filter(current(on), child=child)
                                       .values("organisation_id")).order_by("name")


def my_day_actions(user: object, *, today: dt.date | None = None, limit: int = 50) -> list[Action]:
    """The open agreed actions a caseworker owns, for their My day (overdue flagged)."""
    day = today or timezone.localdate()
    rows = list(actions_owned(user)[:limit])
    for a in rows:
        a.overdue = a.due_on < day  # type: ignore[attr-defined]
    return rows


def goal_rows(plan: m.Plan) -> list[dict[str, object]]:
    """Each goal of ``plan`` with its follow-ups, latest first."""
    from trappen.web.collaboration.models import GoalFollowUp

    ups: dict[int, list[GoalFollowUp]] = defaultdict(list)
    for row in GoalFollowUp.objects.filter(plan=plan).order_by("-followed_up_on", "-pk"):
        ups[row.goal_index].append(row)
    return [{"index": i, "goal": g, "follow_ups": ups.get(i, []), "latest": ups[i][0] if ups.get(i) else None}
            for i, g in enumerate(plan.goals or [])]


NOTIFIER_PARTNER_KIND = {"school": "school", "daycare": "daycare", "health_visitor": "health_visiting",
                         "police": "police_ssp"}
"""The partner kind a notifier kind matches (other notifiers: any partner kind)."""
CONSULTATION_WINDOW_DAYS = 180
"""Candidates for a notification: consultations held up to this many days before it was received."""
AGE_BAND = 1
"""Candidates' recorded age: the child's age when notified, plus or minus this many years."""


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def consultation_candidates(notification: m.Notification, *, wide: bool = False, limit: int = 50
                            ) -> list[Consultation]:
    """Unlinked consultations that may have been about the notified child: held in the window
    before the notification, by a partner of the notifier's kind, about a child of the age band
    (``wide``: any kind and age). Consultations hold no identity, so none is shown."""
    received = timezone.localtime(notification.received_at).date()
    qs = Consultation.objects.filter(notification__isnull=True, held_on__lte=received,
                                     held_on__gte=received - dt.timedelta(days=CONSULTATION_WINDOW_DAYS))
    if not wide:
        age = age_on(notification.child.birth_date, received)
        qs = qs.filter(age__gte=age - AGE_BAND, age__lte=age + AGE_BAND)
        kind = NOTIFIER_PARTNER_KIND.get(notification.notifier_kind)
        if kind is not None:
            qs = qs.filter(partner_kind=kind)
    return list(qs.order_by("-held_on", "-pk")[:limit])
