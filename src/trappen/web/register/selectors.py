"""Every read that feeds a page or an export. Scoping by role lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import polars as pl
from django.db.models import IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from trappen.kpi.disclosure import suppress
from trappen.register import TABLES, Register
from trappen.staircase import Span, trajectory
from trappen.web.disclosure import DISCLOSURE_THRESHOLD
from trappen.web.register import models as m

NAME_ROLES = frozenset({"caseworker", "teamleader", "admin", "partner"})


def _active_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day}))


def children_visible_to(user: object) -> QuerySet[m.Child]:
    """The children ``user`` may open by name: the scope of the role's ``child view`` grant in
    the permission table (the one layer; nothing hard-coded per role here).

    ``district``: children living in the user's districts; ``team``: children whose case a post
    of the user's team holds today, and unheld children of the team's district (a new case is the
    team's to take up); ``own``: the cases the user's post holds today; ``linked``: the children
    linked to the user (a partner); ``all``: every child. No grant, or ``aggregate`` (analysts,
    economists, administrators: they work on the pseudonymous register or run the system), gives
    none.
    """
    from django.utils import timezone

    from trappen.privacy.roles import Scope, permission

    if not getattr(user, "is_authenticated", False):
        return m.Child.objects.none()
    scope = permission(getattr(user, "role", "") or "", "child", "view")
    today = timezone.localdate()
    held = m.Assignment.objects.filter(_active_on(today))
    if scope == Scope.DISTRICT:
        return m.Child.objects.filter(district__in=user.districts.all())  # type: ignore[attr-defined]
    if scope == Scope.TEAM:
        team_id = getattr(user, "team_id", None)
        if team_id is None:
            return m.Child.objects.none()
        team_district = m.Team.objects.filter(pk=team_id).values("district")
        return m.Child.objects.filter(
            Q(pk__in=held.filter(caseworker__team__pk=team_id).values("child"))
            | (Q(district__in=team_district) & ~Q(pk__in=held.values("child"))))
    if scope == Scope.OWN:
        mine = held.filter(caseworker__user_id=int(getattr(user, "pk", 0) or 0))
        return m.Child.objects.filter(pk__in=mine.values("child"))
    if scope == Scope.LINKED:
        # linked to the user, or today to an organisation the user acts for (trappen.web.collaboration)
        from trappen.web.collaboration.links import org_linked_child_ids

        return m.Child.objects.filter(Q(partners=user) | Q(pk__in=org_linked_child_ids(user)))
    if scope == Scope.ALL:
        return m.Child.objects.all()
    return m.Child.objects.none()


def child_for_user(user: object, child_id: int) -> m.Child:
    """One child ``user`` may open; :class:`Http404` otherwise (no hint that it exists)."""
    child = children_visible_to(user).select_related("district").filter(pk=child_id).first()
    if child is None:
        raise Http404("no such child")
    return child


def _step_subquery(day: dt.date) -> Coalesce:
    episodes = (m.Episode.objects.filter(child=OuterRef("pk")).filter(_active_on(day))
                .values("child").annotate(top=Max("step")).values("top"))
    return Coalesce(Subquery(episodes, output_field=IntegerField()), Value(0))


def caseload_for_caseworker(user: object, *, on: dt.date) -> QuerySet[m.Child]:
    """The children currently assigned to ``user``'s caseworker post, with ``current_step``."""
    assigned = m.Assignment.objects.filter(_active_on(on), caseworker__user=user).values("child")
    return (children_visible_to(user).filter(pk__in=assigned)
            .annotate(current_step=_step_subquery(on)).order_by("-current_step", "pk"))


def children_with_step(queryset: QuerySet[m.Child], *, on: dt.date, highest_first: bool = False) -> QuerySet[m.Child]:
    """Annotate ``current_step`` (0 = not on the staircase) on any children queryset; with
    ``highest_first`` ordered by that step, highest first, then by id."""
    annotated = queryset.annotate(current_step=_step_subquery(on))
    return annotated.order_by("-current_step", "pk") if highest_first else annotated


def staircase_overview(*, on: dt.date) -> pl.DataFrame:
    """Children on each step on ``on``, by district: columns district_code, name, step, children.

    One GROUP BY query (highest active step per child) and a Polars group-by on the result.
    Steps with no children are absent; the chart fills them with zeros.
    """
    rows = list(m.Episode.objects.filter(_active_on(on))
                .values_list("child_id", "child__district_id").annotate(step=Max("step")))
    per_child = pl.DataFrame(rows, schema={"child_id": pl.Int64, "district_code": pl.String,
                                           "step": pl.Int8}, orient="row")
    districts = pl.DataFrame(list(m.District.objects.values_list("code", "name")),
                             schema={"district_code": pl.String, "name": pl.String}, orient="row")
    counts = per_child.group_by("district_code", "step").agg(pl.len().cast(pl.Int64).alias("children"))
    return (counts.join(districts, on="district_code", how="left")
            .select("district_code", "name", "step", "children").sort("district_code", "step"))


@dataclass(frozen=True, kw_only=True)
class OverviewTable:
    """Children on each step by district, as published: ``rows`` of (code, name, counts per step
    with None for a hidden cell, the district's total), the total per step and the grand total."""

    rows: list[tuple[str, str, list[int | None], int]]
    step_totals: list[int]
    total: int


def staircase_overview_table(*, on: dt.date, steps: Sequence[int],
                             unsuppressed: Collection[str] = ()) -> OverviewTable:
    """:func:`staircase_overview` for every district and step (zeros included) with the disclosure
    rule applied (:mod:`trappen.web.disclosure`): in districts outside ``unsuppressed``, counts
    1-4 and the cells that would give them away through the published district and step totals
    are hidden."""
    counts = staircase_overview(on=on)
    districts = pl.DataFrame(list(m.District.objects.values_list("code", "name")),
                             schema={"district_code": pl.String, "name": pl.String}, orient="row")
    full = (districts.join(pl.DataFrame({"step": list(steps)}, schema={"step": pl.Int8}), how="cross")
            .join(counts.select("district_code", "step", "children"), on=["district_code", "step"], how="left")
            .with_columns(pl.col("children").fill_null(0).cast(pl.Float64))
            .with_columns(shown=pl.col("children")))
    own = full.filter(pl.col("district_code").is_in(list(unsuppressed)))
    others = full.filter(~pl.col("district_code").is_in(list(unsuppressed)))
    if others.height:
        hidden = suppress(others.drop("shown"), value_col="children", row_dims=["district_code"],
                          col_dims=["step"], threshold=DISCLOSURE_THRESHOLD)
        others = (others.drop("shown")
                  .join(hidden.select("district_code", "step", pl.col("children").alias("shown")),
                        on=["district_code", "step"]))
    table = pl.concat([own, others.select(own.columns)]).sort("district_code", "step")
    rows = []
    for (code, name), part in table.group_by("district_code", "name", maintain_order=True):
        rows.append((str(code), str(name or code), [None if v is None else int(v) for v in part["shown"]],
                     int(part["children"].sum())))
    return OverviewTable(rows=rows, step_totals=[int(counts.filter(pl.col("step") == s)["children"].sum())
                                                 for s in steps],
                         total=int(counts["children"].sum()))


def child_timeline(child: m.Child) -> dict[str, object]:
    """The child's episodes and step trajectory, for the child page."""
    episodes = sorted(child.episodes.all(), key=lambda e: (e.start_date, e.pk))  # prefetched or one query
    spans = [Span(step=e.step, start=e.start_date, end=e.end_date) for e in episodes]
    return {"episodes": episodes, "trajectory": trajectory(spans)}


# --------------------------------------------------------------------------- snapshot

_SNAPSHOT: dict[str, tuple[type, tuple[str, ...]]] = {
    # register table -> (model, ORM fields in the order of the schema's columns)
    "districts": (m.District, ("code", "name", "pilot_from")),
    "children": (m.Child, ("id", "birth_date", "sex", "district_id", "entry_date", "exit_date")),
    "residences": (m.Residence, ("child_id", "district_id", "start_date", "end_date")),
    "cases": (m.Case, ("id", "child_id", "opened_on", "closed_on", "source")),
    "episodes": (m.Episode, ("id", "child_id", "intervention_code", "step", "start_date",
                             "end_date", "end_reason")),
    "notifications": (m.Notification, ("id", "child_id", "received_at", "notifier_kind",
                                       "assessed_at", "outcome", "acknowledged_at")),
    "investigations": (m.Investigation, ("id", "child_id", "notification_id", "aware_on",
                                         "started_on", "concluded_on")),
    "plans": (m.Plan, ("id", "child_id", "episode_id", "made_on")),
    "follow_ups": (m.FollowUp, ("id", "child_id", "episode_id", "held_on")),
    "supervision_visits": (m.SupervisionVisit, ("id", "child_id", "episode_id", "visited_on")),
    "complaints": (m.Complaint, ("id", "child_id", "received_on", "reassessed_on",
                                 "municipality_upheld", "appeals_outcome")),
    "caseworkers": (m.Caseworker, ("id", "district_id", "team_id", "fte", "start_date", "end_date")),
    "assignments": (m.Assignment, ("child_id", "caseworker_id", "start_date", "end_date")),
    "population": (m.PopulationCount, ("year", "district_id", "age", "children")),
}


def register_snapshot() -> Register:
    """The analytic register from the database, one query per table; pseudonymous.

    No names and no CPR numbers: only the schema's columns are read.
    """
    frames = {}
    for name, (model, fields) in _SNAPSHOT.items():
        table = TABLES[name]
        rows = list(model.objects.order_by("pk").values_list(*fields))
        frames[name] = _within_horizon(pl.DataFrame(rows, schema=table.schema, orient="row"), model, fields)
    return Register.from_frames(meta={"source": "operational database"}, **frames)


SNAPSHOT_EARLIEST = dt.date(1900, 1, 1)
"""Dates before it (a 0001-01-01 typo) are read as this day: no register reaches further back,
and an age of two thousand years overflowed the forecast's age tables."""


def _within_horizon(frame: pl.DataFrame, model: type, fields: tuple[str, ...]) -> pl.DataFrame:
    """Dates beyond the planning horizon (a 9999-12-31 stored before the services checked it)
    are read as not yet happened: a nullable date becomes empty, a required one is held at the
    horizon; dates before :data:`SNAPSHOT_EARLIEST` are held there. So no dashboard, forecast or
    evaluation overflows on them (#14 item 3)."""
    from trappen.web.register.services import date_horizon

    horizon = date_horizon()
    fixes = []
    for column, field_name in zip(frame.columns, fields, strict=True):
        dtype = frame.schema[column]
        if dtype == pl.Date:
            bound, floor = pl.lit(horizon), pl.lit(SNAPSHOT_EARLIEST)
        elif isinstance(dtype, pl.Datetime):
            bound = pl.lit(dt.datetime.combine(horizon, dt.time.max)).cast(dtype)
            floor = pl.lit(dt.datetime.combine(SNAPSHOT_EARLIEST, dt.time.min)).cast(dtype)
        else:
            continue
        value = pl.col(column)
        nullable = model._meta.get_field(field_name).null  # type: ignore[attr-defined]
        fixes.append(pl.when(value > bound).then(None if nullable else bound)
                     .when(value < floor).then(floor).otherwise(value).alias(column))
    return frame.with_columns(fixes) if fixes else frame
