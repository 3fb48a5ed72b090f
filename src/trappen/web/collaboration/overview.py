"""The team leader's collaboration overview: per school and daycare of the leader's districts,
and the collaboration KPIs (trappen.collaboration.kpi), every count disclosure-controlled."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Min, Q
from django.utils import timezone

from trappen.collaboration import kpi
from trappen.web.collaboration.links import current
from trappen.web.collaboration.models import (
    Action,
    ChildLink,
    Consultation,
    GoalFollowUp,
    Meeting,
    Organisation,
    Step1Support,
)
from trappen.web.register import models as m

OVERVIEW_KINDS = ("school", "daycare")


def _districts(user: object) -> list[str]:
    return list(user.districts.values_list("code", flat=True))  # type: ignore[attr-defined]


def organisation_rows(user: object, *, today: dt.date) -> list[dict[str, object]]:
    """Per school and daycare of the user's districts: linked children, meetings in the last 12
    months about them, open and overdue actions, active step-1 supports (counts disclosed)."""
    year_ago = today - dt.timedelta(days=365)
    orgs = list(Organisation.objects.filter(kind__in=OVERVIEW_KINDS, district__code__in=_districts(user))
                .annotate(children=Count("child_links", filter=current(today, "child_links__"), distinct=True))
                .order_by("kind", "name"))
    links = ChildLink.objects.filter(current(today), organisation__in=orgs)
    child_org: dict[int, list[int]] = defaultdict(list)
    for child_id, org_id in links.values_list("child_id", "organisation_id"):
        child_org[child_id].append(org_id)
    meetings: dict[int, int] = defaultdict(int)
    for child_id in Meeting.objects.filter(held_on__gte=year_ago, held_on__lte=today,
                                           child_id__in=list(child_org)).values_list("child_id", flat=True):
        for org in child_org[child_id]:
            meetings[org] += 1
    open_actions: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    for child_id, due_on in Action.objects.filter(status="open", child_id__in=list(child_org)
                                                  ).values_list("child_id", "due_on"):
        for org in child_org[child_id]:
            open_actions[org] += 1
            overdue[org] += due_on < today
    supports = dict(Step1Support.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=today),
                                                organisation__in=orgs)
                    .values("organisation").annotate(n=Count("pk")).values_list("organisation", "n"))
    return [{"organisation": o, "children": kpi.disclose(o.children),
             "meetings": kpi.disclose(meetings[o.pk]), "open_actions": kpi.disclose(open_actions[o.pk]),
             "overdue": kpi.disclose(overdue[o.pk]), "supports": kpi.disclose(supports.get(o.pk, 0))}
            for o in orgs]


def collaboration_kpis(user: object, *, today: dt.date) -> dict[str, object]:
    """The collaboration KPIs for the user's districts."""
    districts = _districts(user)
    year_ago = today - dt.timedelta(days=365)
    consult = Consultation.objects.filter(held_on__gte=year_ago, held_on__lte=today).filter(
        Q(organisation__district__code__in=districts) | Q(organisation__isnull=True))
    since = timezone.make_aware(dt.datetime.combine(year_ago, dt.time()))
    notifications = m.Notification.objects.filter(received_at__gte=since, child__district__code__in=districts)
    linked = consult.exclude(notification=None).values_list("notification_id", flat=True)
    actions = Action.objects.filter(child__district__code__in=districts, due_on__gte=year_ago).values_list(
        "owner_kind", "due_on", "status", "done_on")
    placed = dict(m.Episode.objects.filter(step__gte=kpi.PLACEMENT_STEP, child__district__code__in=districts)
                  .values("child").annotate(first=Min("start_date")).filter(first__gte=year_ago)
                  .values_list("child", "first"))
    kinds: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for child_id, kind, held in Meeting.objects.filter(child_id__in=list(placed)).values_list(
            "child_id", "kind", "held_on"):
        kinds[child_id].append((kind, held))
    first_concern = {child: timezone.localtime(first).date() for child, first in
                     notifications.values("child").annotate(first=Min("received_at")).values_list("child", "first")}
    # a consultation later linked to the child's notification is an earlier first concern
    for child, held in consult.exclude(notification=None).values_list("notification__child_id", "held_on"):
        if child in first_concern and held < first_concern[child]:
            first_concern[child] = held
    meeting_days: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, held in Meeting.objects.filter(child_id__in=list(first_concern)).values_list("child_id", "held_on"):
        meeting_days[child_id].append(held)
    return {
        "consultations": kpi.consultations_per_month(consult.values_list("held_on", "partner_kind")),
        "preceded": kpi.notifications_preceded_by_consultation(notifications.values_list("pk", flat=True), linked),
        "on_time": kpi.actions_on_time_by_owner_kind(actions, today=today),
        "network_before_placement": kpi.placed_with_network_meeting_before(placed, kinds),
        "concern_to_meeting_days": kpi.days_first_concern_to_first_meeting(first_concern, meeting_days),
        "plan_goals": kpi.plan_goals_achieved(_latest_goal_outcomes(districts)),
        "network_care": kpi.placements_in_network_care(
            m.Episode.objects.filter(step__gte=kpi.PLACEMENT_STEP, start_date__gte=year_ago, start_date__lte=today,
                                     child__district__code__in=districts).values_list("intervention_code", flat=True)),
        "step1_goal_met": kpi.step1_supports_goal_met(
            Step1Support.objects.filter(organisation__district__code__in=districts).values_list("outcome", flat=True)),
    }


def _latest_goal_outcomes(districts: list[str]) -> list[bool | None]:
    """The outcome at each followed-up plan goal's latest follow-up, for the districts' children."""
    latest: dict[tuple[int, int], bool | None] = {}
    for plan, index, achieved in (GoalFollowUp.objects.filter(plan__child__district__code__in=districts)
                                  .order_by("followed_up_on", "pk").values_list("plan_id", "goal_index", "achieved")):
        latest[(plan, index)] = achieved
    return list(latest.values())


def overview(user: object, *, today: dt.date) -> dict[str, object]:
    return {"rows": organisation_rows(user, today=today), "kpis": collaboration_kpis(user, today=today),
            "today": today}
