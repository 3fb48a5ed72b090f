"""Every write to the operational register: validate with the core first, then persist.

Each service is one transaction; bad input raises :class:`trappen.errors.InvalidInput` (or a
subclass) naming the field and the value, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from graphlib import TopologicalSorter
from typing import Any

import numpy as np
import polars as pl
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import CASCADE, ManyToManyRel, Model
from django.utils import timezone

from trappen.errors import CaseClosed, EditConflict, InvalidInput, Problem, ProblemCollector
from trappen.privacy.roles import PARTNER_CREATE_STEPS, Scope, permission
from trappen.register import Register
from trappen.register.schema import SEXES
from trappen.register.validate import validate
from trappen.staircase import (
    END_REASONS,
    Span,
    check_escalation,
    check_step_allowed,
    current_step,
)
from trappen.web import rules
from trappen.web.audit.services import audit_record
from trappen.web.register import models as m
from trappen.web.register.crypto import cpr_cipher
from trappen.web.scope import require

logger = logging.getLogger(__name__)


def _require_child_create(actor: object, district_code: str) -> None:
    """``child``/``create`` (permissions.toml) reaching ``district_code``: a caseworker's districts.
    An unknown district is left to the validation, which names it."""
    scope = permission(getattr(actor, "role", "") or "", "child", "create")
    known = m.District.objects.filter(code=district_code).exists()
    reaches = scope == Scope.ALL or (scope == Scope.DISTRICT and (
        not known or actor.districts.filter(code=district_code).exists()))  # type: ignore[attr-defined]
    if not reaches:
        raise PermissionDenied("registering a child here needs child/create for its district (permissions.toml)")


def child_require_open(child_id: int) -> None:
    """Refuse a write to a child whose case is closed (closed records are read-only).

    Locks the child's row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises
    writers anyway), so a write and a closing of the same child cannot interleave. Call it
    inside the writing service's transaction.

    Raises:
        CaseClosed: the child has a closure without a reopening.
    """
    list(m.Child.objects.select_for_update().filter(pk=child_id).values_list("pk"))
    closure = m.CaseClosure.objects.filter(child_id=child_id, reopened_at=None).first()
    if closure is not None:
        raise CaseClosed(Problem(
            field="case", value=closure.closed_on.isoformat(),
            message=("the child's case is closed, so its records are read-only; "
                     "reopen the case (with a reason) to change them")))


def child_current_step(child: m.Child, *, on: dt.date) -> int:
    """The child's step on ``on`` (0 = not on the staircase), by the core's rule."""
    spans = [Span(step=s, start=a, end=b) for s, a, b in
             child.episodes.values_list("step", "start_date", "end_date")]
    return current_step(spans, on=on)


@transaction.atomic
def child_register(*, actor: object, name: str, cpr: str, birth_date: dt.date, sex: str,
                   district_code: str, entry_date: dt.date | None = None) -> m.Child:
    """Register a new child; the CPR number is stored encrypted with a keyed lookup hash.

    Raises:
        InvalidInput: an empty name, a malformed or already registered CPR number, an unknown
            sex or district, or a birth date in the future.
    """
    from trappen.privacy.cpr import parse_cpr

    _require_child_create(actor, district_code)
    problems = ProblemCollector()
    if not name.strip():
        problems.add(field="name", value=name, message="a name is required")
    normalised = None
    try:
        normalised = parse_cpr(cpr)
    except InvalidInput:
        # never echo a CPR number back: it is personal data
        problems.add(field="cpr", value="(hidden)", message="not a valid CPR number")
    if sex not in SEXES:
        problems.add(field="sex", value=sex, message=f"must be one of {', '.join(SEXES)}")
    if birth_date > dt.date.today():
        problems.add(field="birth_date", value=birth_date.isoformat(), message="is in the future")
    oldest = timezone.localdate() - dt.timedelta(days=round(365.25 * AFTERCARE_UNTIL_AGE))
    if birth_date < oldest:  # a 0001-01-01 typo overflowed the forecast's age tables (#14 item 3)
        problems.add(field="birth_date", value=birth_date.isoformat(),
                     message=f"is more than {AFTERCARE_UNTIL_AGE} years ago: not a child or young person")
    if not m.District.objects.filter(code=district_code).exists():
        problems.add(field="district_code", value=district_code, message="unknown district")
    cipher = cpr_cipher()
    lookup = cipher.lookup_hash(normalised) if normalised else ""
    if normalised and m.Child.objects.filter(cpr_lookup=lookup).exists():
        problems.add(field="cpr", value="(hidden)", message="a child with this CPR number is already registered")
    problems.raise_if_any()
    entry = entry_date or birth_date
    try:
        with transaction.atomic():  # the unique lookup hash decides a race between two registrations
            child = m.Child.objects.create(
                name=name.strip(), birth_date=birth_date, sex=sex, district_id=district_code,
                entry_date=entry, cpr_encrypted=cipher.encrypt(normalised), cpr_lookup=lookup)
    except IntegrityError:
        raise InvalidInput(Problem(field="cpr", value="(hidden)",
                                   message="a child with this CPR number is already registered")) from None
    m.Residence.objects.create(child=child, district_id=district_code, start_date=entry)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="child_register",
                 purpose="register child")
    return child


def date_horizon(*, today: dt.date | None = None) -> dt.date:
    """The last date a user may write: today plus ``TRAPPEN_MAX_FUTURE_DAYS`` (the planning horizon)."""
    return (today or timezone.localdate()) + dt.timedelta(days=settings.TRAPPEN_MAX_FUTURE_DAYS)


AFTERCARE_UNTIL_AGE = 23
"""Support may last until the young person turns 23 (Barnets Lov, kapitel 11: efterværn)."""


def date_within_life(problems: ProblemCollector, *, child: m.Child, field: str, value: dt.date,
                     planned: bool = False) -> None:
    """Add a problem naming ``field`` and ``value`` when the date is before the child's birth or
    beyond the planning horizon (a 9999-12-31 typo would break every dashboard, #14 item 3).

    A ``planned`` date (an intervention's planned end) may lie further ahead, up to the day the
    child turns :data:`AFTERCARE_UNTIL_AGE`; the analytics never read it."""
    if value < child.birth_date:
        problems.add(field=field, value=value.isoformat(),
                     message=f"is before the child's birth date {child.birth_date.isoformat()}")
    if planned:
        born = child.birth_date
        last = dt.date(born.year + AFTERCARE_UNTIL_AGE, born.month, 28 if (born.month, born.day) == (2, 29)
                       else born.day)
        if value > last:
            problems.add(field=field, value=value.isoformat(),
                         message=f"is after the child turns {AFTERCARE_UNTIL_AGE} ({last.isoformat()})")
        return
    horizon = date_horizon()
    if value > horizon:
        problems.add(field=field, value=value.isoformat(),
                     message=(f"is more than {settings.TRAPPEN_MAX_FUTURE_DAYS} days ahead "
                              f"(after {horizon.isoformat()})"))


AUTHORITIES: dict[str, tuple[str, str]] = {
    "create": ("intervention", "create"), "approve": ("intervention", "approve"),
    "step1_support": ("step1_support", "create")}
"""The grant (resource, action) each ``authority`` of :func:`intervention_start` checks."""


@transaction.atomic
def intervention_start(*, actor: object, child: m.Child, intervention_code: str, step: int,
                       start_date: dt.date, planned_end: dt.date | None = None,
                       justification: dict[int, str] | None = None, provider: str = "",
                       price: Decimal | float | str | None = None, authority: str = "create",
                       offer: int | None = None, overbooking: bool = False,
                       decided_on: dt.date | None = None) -> m.Episode:
    """Start an intervention episode for ``child`` on ``start_date``.

    The code must be in the catalogue and allowed on ``step``; moving the child above its
    current step (on ``start_date``) needs a reason for every lower step passed over.

    ``authority`` names the grant of the permission table the actor starts it under
    (:data:`AUTHORITIES`): ``create`` (``intervention``/``create``, the responsible caseworker),
    ``approve`` (``intervention``/``approve``, a team leader approving a step-up that needs
    approval, trappen.web.approvals), or ``step1_support`` (``step1_support``/``create``, a
    daycare, school or health visitor registering its own step-1 support through
    trappen.web.collaboration; only the steps of ``[partner] intervention_create_steps``).

    Raises:
        PermissionDenied: the table grants ``authority``'s resource and action on no scope
            covering the child (403), or a ``step1_support`` start is not on a step-1 support
            step; Http404: the child is outside what the actor may open.
        CaseClosed: the child's case is closed (read-only until reopened).
        StepNotAllowed: unknown code, or the code is not for ``step``.
        EscalationNeedsJustification: reasons missing for lower steps.
        InvalidInput: a planned end not after the start, a start before birth, a negative price;
            an ``offer`` (pk of trappen.web.offers) that does not serve the step, code or age,
            is closing or closed, or is full without ``overbooking`` (a recorded overbooking);
            a ``decided_on`` after the start.
    """
    if authority not in AUTHORITIES:
        raise ValueError(f"intervention_start authority must be one of {', '.join(AUTHORITIES)}, not {authority!r}")
    require(actor, *AUTHORITIES[authority], child=child)
    if authority == "step1_support" and step not in PARTNER_CREATE_STEPS:
        raise PermissionDenied(f"step1_support/create starts no intervention on step {step} "
                               "([partner] intervention_create_steps, permissions.toml)")
    child_require_open(child.pk)
    check_step_allowed(rules.catalogue(), code=intervention_code, step=step)
    problems = ProblemCollector()
    date_within_life(problems, child=child, field="start_date", value=start_date)
    if planned_end is not None:
        date_within_life(problems, child=child, field="planned_end", value=planned_end, planned=True)
    if planned_end is not None and planned_end <= start_date:
        problems.add(field="planned_end", value=planned_end.isoformat(),
                     message="must be after the start date")
    price_dkk = None
    if price is not None and price != "":
        try:
            price_dkk = Decimal(str(price))
        except InvalidOperation:
            problems.add(field="price", value=price, message="not a number")
        else:
            if price_dkk < 0:
                problems.add(field="price", value=price, message="must not be negative")
    if decided_on is not None and decided_on > start_date:
        problems.add(field="decided_on", value=decided_on.isoformat(), message="must not be after the start date")
    problems.raise_if_any()
    current = child_current_step(child, on=start_date)
    check_escalation(current=current, target=step, reasons=justification)
    offer_row = None
    if offer is not None:
        from trappen.web.offers.services import offer_check_for_episode

        offer_row = offer_check_for_episode(offer_pk=offer, child=child, step=step, intervention_code=intervention_code,
                                            start_date=start_date, overbooking=overbooking)
        provider = provider.strip() or offer_row.name
    episode = m.Episode.objects.create(
        child=child, intervention_code=intervention_code, step=step, start_date=start_date,
        planned_end=planned_end,
        justification={str(k): v.strip() for k, v in (justification or {}).items() if v and v.strip()},
        provider=provider.strip(), price=price_dkk, offer=offer_row, decided_on=decided_on,
        overbooking=bool(overbooking and offer_row is not None))
    if offer_row is not None:
        from trappen.web.offers.services import waiting_placed

        waiting_placed(episode=episode)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="intervention_start",
                 purpose=f"start {intervention_code} on step {step}")
    return episode


@transaction.atomic
def intervention_end(*, actor: object, episode: m.Episode, end_date: dt.date, end_reason: str,
                     version: int | None = None, breakdown_reason: str = "") -> m.Episode:
    """End an ongoing episode; ``end_date`` is the first day without the intervention.

    Every path that ends an episode comes here (the placement breakdown too, with its
    ``breakdown_reason``). ``version`` is the episode version the user's form was opened at
    (optimistic locking); the write is ``UPDATE … WHERE version = v`` either way.

    Raises:
        PermissionDenied: no ``intervention``/``change`` grant covering the child (403);
            Http404: the child is outside what the actor may open.
        CaseClosed: the child's case is closed (read-only until reopened).
        EditConflict: the episode changed since ``version`` or while ending it; nothing written.
        InvalidInput: the episode already ended, the end is not after the start, or the reason
            is not one of :data:`trappen.staircase.END_REASONS`.
    """
    require(actor, "intervention", "change", child=episode.child_id)
    child_require_open(episode.child_id)

    def conflict(current: m.Episode) -> EditConflict:
        mine = {"end_date": end_date, "end_reason": end_reason}
        return EditConflict([Problem(field=k, value=str(getattr(current, k) or "—"),
                                     message=(f"was changed by someone else to {getattr(current, k) or '—'} "
                                              f"while you edited; yours: {v}"))
                             for k, v in mine.items() if getattr(current, k) != v],
                            current_version=current.version)

    if version is not None and version != episode.version:
        raise conflict(episode)
    problems = ProblemCollector()
    if episode.end_date is not None:
        problems.add(field="end_date", value=episode.end_date.isoformat(),
                     message="the intervention has already ended")
    if end_date <= episode.start_date:
        problems.add(field="end_date", value=end_date.isoformat(),
                     message=f"must be after the start date {episode.start_date.isoformat()}")
    date_within_life(problems, child=episode.child, field="end_date", value=end_date)
    if end_reason not in END_REASONS:
        problems.add(field="end_reason", value=end_reason,
                     message=f"must be one of {', '.join(END_REASONS)}")
    problems.raise_if_any()
    reason = breakdown_reason.strip()
    rows = m.Episode.objects.filter(pk=episode.pk, version=episode.version).update(
        end_date=end_date, end_reason=end_reason, breakdown_reason=reason, version=episode.version + 1)
    if rows == 0:
        raise conflict(m.Episode.objects.get(pk=episode.pk))
    episode.end_date, episode.end_reason, episode.version = end_date, end_reason, episode.version + 1
    episode.breakdown_reason = reason
    audit_record(actor=actor, child_id=episode.child_id, action="write", endpoint="intervention_end",
                 purpose=f"end episode {episode.pk}: {end_reason}")
    return episode


@transaction.atomic
def intervention_step_up(*, actor: object, current: m.Episode, current_version: int | None = None,
                         authority: str = "create", **start: Any) -> m.Episode:
    """Start an intervention on a higher step and end ``current`` on its start date (reason
    ``moved_up``), all or nothing: the new one through :func:`intervention_start` (checked against
    the step the child holds with ``current`` still running), the old one through
    :func:`intervention_end`.

    Raises:
        InvalidInput: the new step is not above ``current``'s, or ``current`` is another child's;
            and whatever the two services raise (nothing is written then).
    """
    require(actor, "intervention", authority, child=start["child"])
    if current.child_id != start["child"].pk or start["step"] <= current.step:
        raise InvalidInput(f"only an intervention on a step above {current.step} ends the current one",
                           field="end_current", value=current.pk)
    episode = intervention_start(actor=actor, authority=authority, **start)
    intervention_end(actor=actor, episode=current, end_date=start["start_date"], end_reason="moved_up",
                     version=current_version)
    return episode


# --------------------------------------------------------------------------- bulk load

_FIRST_NAMES = {
    "F": ("Emma", "Ida", "Clara", "Freja", "Alma", "Ella", "Sofia", "Anna", "Laura", "Karla",
          "Agnes", "Olivia", "Josefine", "Asta", "Lily", "Maja", "Nora", "Vigga", "Esther", "Luna"),
    "M": ("William", "Noah", "Oscar", "Lucas", "Carl", "Victor", "Malthe", "Alfred", "Emil", "Aksel",
          "Valdemar", "Magnus", "Frederik", "Oliver", "Elias", "Arthur", "August", "Anton", "Theo", "Johan"),
}
_LAST_NAMES = ("Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
               "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
               "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen")

_TABLE_MODELS: dict[str, type[Model]] = {
    "districts": m.District, "teams": m.Team, "children": m.Child, "residences": m.Residence,
    "cases": m.Case, "caseworkers": m.Caseworker, "assignments": m.Assignment,
    "episodes": m.Episode, "notifications": m.Notification, "investigations": m.Investigation,
    "plans": m.Plan, "follow_ups": m.FollowUp, "supervision_visits": m.SupervisionVisit,
    "complaints": m.Complaint, "population": m.PopulationCount,
}
"""The analytic table each model is loaded from (``teams`` is derived from the caseworkers).
Models not named here are operational only (conversations, closures, revisions): a load clears
them and writes none."""


def register_models() -> list[type[Model]]:
    """Every model of the register app, each after all the register models it points at.

    Derived from the app registry's foreign keys (``graphlib``), so a new model takes its place
    in the load and clear order without anyone keeping a list.
    """
    models = list(apps.get_app_config("register").get_models())
    graph = {model: {f.related_model for f in model._meta.concrete_fields
                     if f.is_relation and f.related_model in models and f.related_model is not model}
             for model in models}
    return list(TopologicalSorter(graph).static_order())


def register_load_order() -> tuple[str, ...]:
    """The analytic tables in load order: a table after every table it has a foreign key to."""
    position = {model: i for i, model in enumerate(register_models())}
    return tuple(sorted(_TABLE_MODELS, key=lambda name: position[_TABLE_MODELS[name]]))


def _synthetic_identities(children: pl.DataFrame, *, seed: int) -> pl.DataFrame:
    """Synthetic names and CPR numbers (birth date + a per-day sequence; odd last digit = male).

    The 7th digit follows the CPR century rule (0-3: 1900-1999, 4: 2000-2036), so the numbers
    look real but are made up; they are synthetic data only.
    """
    rng = np.random.default_rng(seed)
    n = children.height
    first_f = np.array(_FIRST_NAMES["F"], dtype=object)[rng.integers(0, 20, n)]
    first_m = np.array(_FIRST_NAMES["M"], dtype=object)[rng.integers(0, 20, n)]
    last = np.array(_LAST_NAMES, dtype=object)[rng.integers(0, len(_LAST_NAMES), n)]
    is_male = (children["sex"] == "M").to_numpy()
    names = np.where(is_male, first_m, first_f) + " " + last
    seq = children.select(pl.int_range(pl.len()).over("birth_date").alias("seq"))["seq"].to_numpy()
    if n and seq.max() >= 1500:
        raise InvalidInput(Problem(field="birth_date", value=None, table="children",
                                   message="more than 1500 children share one birth date"))
    year = children["birth_date"].dt.year().to_numpy()
    serial = np.where(year >= 2000, 4000, 0) + seq * 2 + is_male.astype(np.int64)
    cpr = (children["birth_date"].dt.strftime("%d%m%y") + "-"
           + pl.Series(serial).cast(pl.String).str.zfill(4))
    return pl.DataFrame({"name": names.astype(str), "cpr": cpr})


def _frames(register: Register, *, seed: int) -> dict[str, tuple[type, pl.DataFrame]]:
    r = register
    cw = r.caseworkers
    teams = (cw.group_by("team_code", maintain_order=True)
             .agg(pl.col("district_code").first())
             .select(pl.col("team_code").alias("code"), pl.col("team_code").alias("name"),
                     pl.col("district_code").alias("district_id")))
    ident = _synthetic_identities(r.children, seed=seed)
    cipher = cpr_cipher()
    cprs = ident["cpr"].to_list()
    children = r.children.select(
        pl.col("child_id").alias("id"), pl.Series("name", ident["name"]), "birth_date", "sex",
        pl.col("district_code").alias("district_id"), "entry_date", "exit_date",
        pl.Series("cpr_encrypted", [cipher.encrypt(c) for c in cprs], dtype=pl.Binary),
        pl.Series("cpr_lookup", [cipher.lookup_hash(c) for c in cprs], dtype=pl.String))
    lit = pl.lit
    return {
        "districts": (m.District, r.districts.select(pl.col("district_code").alias("code"), "name", "pilot_from")),
        "teams": (m.Team, teams),
        "children": (m.Child, children),
        "residences": (m.Residence, r.residences.select(
            "child_id", pl.col("district_code").alias("district_id"), "start_date", "end_date")),
        "cases": (m.Case, r.cases.select(pl.col("case_id").alias("id"), "child_id", "opened_on",
                                         "closed_on", "source")),
        "caseworkers": (m.Caseworker, cw.select(
            pl.col("caseworker_id").alias("id"), pl.col("district_code").alias("district_id"),
            pl.col("team_code").alias("team_id"), "fte", "start_date", "end_date")),
        "assignments": (m.Assignment, r.assignments.select("child_id", "caseworker_id", "start_date", "end_date")),
        "episodes": (m.Episode, r.episodes.select(
            pl.col("episode_id").alias("id"), "child_id", "intervention_code", "step", "start_date",
            lit(None, pl.Date).alias("planned_end"), "end_date", "end_reason",
            lit("{}").alias("justification"), lit("").alias("provider"),
            lit(None, pl.Float64).alias("price"))),
        "notifications": (m.Notification, r.notifications.select(
            pl.col("notification_id").alias("id"), "child_id", "received_at", "notifier_kind",
            "assessed_at", "outcome", "acknowledged_at")),
        "investigations": (m.Investigation, r.investigations.select(
            pl.col("investigation_id").alias("id"), "child_id", "notification_id", "aware_on",
            "started_on", "concluded_on")),
        "plans": (m.Plan, r.plans.select(pl.col("plan_id").alias("id"), "child_id", "episode_id", "made_on")),
        "follow_ups": (m.FollowUp, r.follow_ups.select(
            pl.col("follow_up_id").alias("id"), "child_id", "episode_id", "held_on")),
        "supervision_visits": (m.SupervisionVisit, r.supervision_visits.select(
            pl.col("visit_id").alias("id"), "child_id", "episode_id", "visited_on")),
        "complaints": (m.Complaint, r.complaints.select(
            pl.col("complaint_id").alias("id"), "child_id", "received_on", "reassessed_on",
            "municipality_upheld", "appeals_outcome")),
        "population": (m.PopulationCount, r.population.select(
            "year", pl.col("district_code").alias("district_id"), "age", "children")),
    }


def _for_database(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates and instants as Django's SQLite text forms; PostgreSQL takes Python objects."""
    if connection.vendor != "sqlite":
        return frame
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            col = pl.col(name).dt.convert_time_zone("UTC") if dtype.time_zone else pl.col(name)
            exprs.append(col.dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs)


def _outside_references() -> list[tuple[type[Model], str | None]]:
    """Rows outside the register app that point into it: ``(model, None)`` for a many-to-many
    table or a model whose rows belong to a register row (``on_delete=CASCADE``, such as a
    child's custody holders): its rows are deleted; ``(model, field name)`` for a nullable
    foreign key (set to NULL). Derived from the app registry, like the clear order."""
    register = set(register_models())
    found: list[tuple[type[Model], str | None]] = []
    for model in register:
        for rel in model._meta.related_objects:
            if rel.related_model in register:
                continue
            if isinstance(rel, ManyToManyRel):
                if rel.through is not None:
                    found.append((rel.through, None))
            elif rel.field.null:
                found.append((rel.related_model, rel.field.name))
            elif rel.on_delete is CASCADE:
                found.append((rel.related_model, None))
            else:
                raise TypeError(f"{rel.related_model.__name__}.{rel.field.name} points at the register "
                                "without null=True: a register load could not replace the register")
    return found


def _links_keep() -> dict[str, list[tuple[Any, ...]]]:
    """Users' districts, teams, caseworker posts and partner links, by the codes and CPR lookup
    hashes that identify them across registers (ids of children are the register's own)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return {
        "districts": list(user_model.districts.through.objects.values_list("user_id", "district__code")),
        "teams": list(user_model.objects.exclude(team=None).values_list("pk", "team__code")),
        "posts": list(m.Caseworker.objects.exclude(user=None)
                      .values_list("pk", "district_id", "team_id", "user_id")),
        "children": list(user_model.linked_children.through.objects
                         .values_list("user_id", "child__cpr_lookup")),
    }


def _links_restore(kept: dict[str, list[tuple[Any, ...]]]) -> dict[str, int]:
    """Re-create the kept links whose district, team, post (same id, district and team) or
    child (same CPR lookup hash) the new register has; the rest are gone with the old register."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    districts = dict(m.District.objects.values_list("code", "pk"))
    teams = dict(m.Team.objects.values_list("code", "pk"))
    rows = [user_model.districts.through(user_id=u, district_id=districts[code])
            for u, code in kept["districts"] if code in districts]
    user_model.districts.through.objects.bulk_create(rows)
    restored = {"districts": len(rows), "teams": 0, "posts": 0, "children": 0}
    for user_id, code in kept["teams"]:
        if code in teams:
            restored["teams"] += user_model.objects.filter(pk=user_id).update(team_id=teams[code])
    for post_id, district, team, user_id in kept["posts"]:
        restored["posts"] += m.Caseworker.objects.filter(pk=post_id, district_id=district, team_id=team).update(
            user_id=user_id)
    lookups = {h for _, h in kept["children"]}
    child_ids = dict(m.Child.objects.filter(cpr_lookup__in=lookups).values_list("cpr_lookup", "pk"))
    links = [user_model.linked_children.through(user_id=u, child_id=child_ids[h])
             for u, h in kept["children"] if h in child_ids]
    user_model.linked_children.through.objects.bulk_create(links)
    restored["children"] = len(links)
    return restored


def _register_clear() -> None:
    """Delete every row of every register model, and the links from outside into them.

    The order is the reverse of :func:`register_models` (a row after the rows pointing at it);
    one ``DELETE`` per table, no per-row cascade in Python.
    """
    for model, field in _outside_references():
        if field is None:
            model._base_manager.all().delete()
        else:
            model._base_manager.exclude(**{field: None}).update(**{field: None})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(register_models()):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


@transaction.atomic
def register_bulk_load(register: Register, *, batch_size: int = 5000, seed: int = 0,
                       progress: object | None = None) -> dict[str, int]:
    """Replace the register in the database with ``register``: all tables or nothing.

    Validates through the core (:func:`trappen.register.validate.validate`) first, then, in one
    transaction: deletes every register model's rows (order derived from the foreign keys, see
    :func:`register_models`; operational-only records such as child conversations go with the
    old register) and writes each table with ``executemany``, in :func:`register_load_order`.
    Users keep their districts, teams, caseworker posts and partner links where the new register
    has them (see :func:`_links_restore`); the rest are dropped with the old register.

    Children get synthetic names and CPR numbers (encrypted); the analytic ids are kept, so
    ``register_snapshot()`` gives the same tables back. Rows are written with one
    ``executemany`` per batch (far faster than building a model object per row).

    Args:
        register: the analytic register to load (e.g. from ``trappen.synthetic.generate``).
        batch_size: rows per ``executemany`` call.
        seed: seed for the synthetic names.
        progress: optional callable ``progress(table_name, rows_written)``.

    Returns:
        Rows written per table name (``teams`` is derived from the caseworkers' team codes).

    Raises:
        RegisterInvalid: the register fails :func:`trappen.register.validate.validate`; nothing
            is written (or deleted).
    """
    validate(register)
    kept = _links_keep()
    _register_clear()
    counts: dict[str, int] = {}
    frames = _frames(register, seed=seed)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name in register_load_order():
            model, frame = frames[name]
            frame = _for_database(frame)
            columns = [model._meta.get_field(c).column for c in frame.columns]
            sql = (f"INSERT INTO {quote(model._meta.db_table)} "
                   f"({', '.join(quote(c) for c in columns)}) "
                   f"VALUES ({', '.join(['%s'] * len(columns))})")
            for offset in range(0, frame.height, batch_size):
                cursor.executemany(sql, frame.slice(offset, batch_size).rows())
            counts[name] = frame.height
            if progress is not None:
                progress(name, frame.height)  # type: ignore[operator]
        reset = connection.ops.sequence_reset_sql(no_style(), [model for model, _ in frames.values()])
        for statement in reset:
            cursor.execute(statement)
    restored = _links_restore(kept)
    logger.info("register loaded", extra={"counts": counts, "links_restored": restored})
    return counts


@transaction.atomic
def child_cpr_rotate(*, batch_size: int = 2000) -> int:
    """Re-encrypt every child's CPR number and lookup hash under the current key.

    Run after moving the old key to ``TRAPPEN_CPR_PREVIOUS_KEYS`` and setting a new
    ``TRAPPEN_CPR_KEY``. All or nothing. Returns the number of children re-encrypted.
    """
    cipher = cpr_cipher()
    table = connection.ops.quote_name(m.Child._meta.db_table)
    rows = list(m.Child.objects.values_list("pk", "cpr_encrypted"))
    updates = [(*cipher.rotate_record(bytes(token)), pk) for pk, token in rows]
    with connection.cursor() as cursor:
        for offset in range(0, len(updates), batch_size):
            cursor.executemany(f"UPDATE {table} SET cpr_encrypted = %s, cpr_lookup = %s WHERE id = %s",
                               updates[offset:offset + batch_size])
    return len(updates)
