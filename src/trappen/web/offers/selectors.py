"""Reads of the offer catalogue: the catalogue, occupancy today, the offers a new intervention
may pick, and an offer's page figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from trappen.offers import Offer, OfferCatalogue, offer_price_dkk_per_day
from trappen.web.economics.selectors import rate_table
from trappen.web.offers import models as om
from trappen.web.offers.convert import catalogue_from_rows, offer_from_row
from trappen.web.register import models as m


def offer_rows() -> QuerySet[om.Offer]:
    return om.Offer.objects.prefetch_related("prices").order_by("offer_id")


def catalogue() -> OfferCatalogue:
    """The catalogue in the database as the core's model."""
    return catalogue_from_rows(offer_rows())


def running_on(on: dt.date) -> Q:
    """Episodes running ``on`` a day (half-open)."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gt=on))


def occupancy_on(on: dt.date) -> dict[int, int]:
    """Children in each offer (by row pk) ``on`` a day: one grouped query."""
    rows = (m.Episode.objects.filter(running_on(on), offer__isnull=False)
            .values("offer_id").annotate(n=Count("id")).order_by())
    return {r["offer_id"]: r["n"] for r in rows}


def waiting_open(on: dt.date) -> QuerySet[om.WaitingEntry]:
    """Decided interventions still waiting for a place ``on`` a day."""
    return om.WaitingEntry.objects.filter(decided_on__lte=on).filter(
        Q(placed_on__isnull=True) | Q(placed_on__gt=on)).filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=on))


@dataclass(frozen=True, kw_only=True)
class OfferChoice:
    """An offer a new intervention may pick, with its free places that day."""

    pk: int
    offer: Offer
    occupied: int
    status: str | None

    @property
    def free(self) -> int:
        return self.offer.places - self.occupied

    @property
    def full(self) -> bool:
        return self.free <= 0


def offer_choices(*, on: dt.date, step: int | None = None, age_years: int | None = None,
                  code: str | None = None, include_closed: bool = False) -> list[OfferChoice]:
    """Offers for a new intervention ``on`` a day: serving ``step``, ``code`` and the child's age,
    open that day (closing/closed ones only with ``include_closed``); free places first."""
    occupied = occupancy_on(on)
    out = []
    for row in offer_rows():
        offer = offer_from_row(row)
        status = offer.status_on(on)
        if not include_closed and status != "open":
            continue
        if step is not None and step not in offer.steps:
            continue
        if code and code not in offer.intervention_codes:
            continue
        if age_years is not None and not offer.age_min_years <= age_years <= offer.age_max_years:
            continue
        out.append(OfferChoice(pk=row.pk, offer=offer, occupied=occupied.get(row.pk, 0), status=status))
    return sorted(out, key=lambda c: (c.full, c.offer.name))


def offer_name(offer_pk: int | str) -> str:
    """The catalogue name of the offer with primary key ``offer_pk``; empty if there is none."""
    return om.Offer.objects.filter(pk=offer_pk).values_list("name", flat=True).first() or ""


def intervention_offer_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The offer's part of an intervention start, from the intervention form's cleaned ``data``:
    the offer, overbooking and decision date; and, when the form names no provider, the offer's
    name as the provider (so an approval request keeps it). Empty without an offer."""
    if data.get("offer") is None:
        return {}
    out = {"offer": data["offer"], "overbooking": bool(data.get("overbooking")), "decided_on": data.get("decided_on")}
    if not (data.get("provider") or "").strip():
        out["provider"] = offer_name(data["offer"])
    return out


def age_years(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass(frozen=True, kw_only=True)
class OfferFigures:
    """An offer's page figures ``on`` a day."""

    occupied: int
    waiting: int
    price_dkk_per_day: float | None
    cost_per_child_dkk: float | None
    """Mean cost of one child's stay: price per day x mean days of its ended episodes."""
    success_share: float | None
    """Share of ended episodes that ended as planned or moved down (a successful outcome)."""
    cost_per_success_dkk: float | None
    ended: int


SUCCESS_REASONS = ("goal_reached", "planned_end", "moved_down")
"""End reasons counted as a successful outcome (``trappen.staircase.END_REASONS``)."""


def offer_figures(row: om.Offer, *, on: dt.date) -> OfferFigures:
    offer = offer_from_row(row)
    occupied = m.Episode.objects.filter(running_on(on), offer=row).count()
    waiting = waiting_open(on).filter(offer=row).count()
    price = offer_price_dkk_per_day(offer, on=on, rates=rate_table())
    ended = list(m.Episode.objects.filter(offer=row, end_date__isnull=False, end_date__lte=on)
                 .values_list("start_date", "end_date", "end_reason"))
    if not ended or price is None:
        return OfferFigures(occupied=occupied, waiting=waiting, price_dkk_per_day=price, cost_per_child_dkk=None,
                            success_share=None, cost_per_success_dkk=None, ended=len(ended))
    mean_days = sum((e - s).days for s, e, _ in ended if e is not None) / len(ended)
    per_child = price * mean_days
    success = sum(1 for *_, r in ended if r in SUCCESS_REASONS) / len(ended)
    return OfferFigures(occupied=occupied, waiting=waiting, price_dkk_per_day=price, cost_per_child_dkk=per_child,
                        success_share=success, cost_per_success_dkk=per_child / success if success else None,
                        ended=len(ended))


def case_inputs(row: om.Offer, *, on: dt.date) -> object:
    """The inputs of the offer's investment case (:func:`trappen.offers._som.offer_case_toml`)
    from the register: participants = children who started in the offer in the last year (its
    places when none did); the success rate without it = the share of ended episodes on the
    same step in other offers (or none) that ended successfully (0.5 when there are none); days
    = the mean length of its ended stays (180 when none); the step a child who does not succeed
    moves to = the next step up, priced at the mean unit cost of its interventions."""
    from statistics import mean

    from trappen.offers._som import OfferCaseInputs
    from trappen.web import rules

    offer = offer_from_row(row)
    started = m.Episode.objects.filter(offer=row, start_date__gt=on - dt.timedelta(days=365),
                                       start_date__lte=on).count()
    step = min(offer.steps)
    others = list(m.Episode.objects.filter(step=step, end_date__isnull=False, end_date__lte=on)
                  .exclude(offer=row).values_list("end_reason", flat=True)[:20000])
    base = sum(1 for r in others if r in SUCCESS_REASONS) / len(others) if others else 0.5
    ended = list(m.Episode.objects.filter(offer=row, end_date__isnull=False, end_date__lte=on)
                 .values_list("start_date", "end_date"))
    days = mean((e - s).days for s, e in ended if e is not None) if ended else 180.0
    top = max(rules.staircase().numbers)
    up = min(max(offer.steps) + 1, top)
    costs = [t.cost_dkk_per_day for t in rules.catalogue().types if up in t.steps and t.cost_dkk_per_day]
    price = offer_price_dkk_per_day(offer, on=on, rates=rate_table()) or 0.0
    return OfferCaseInputs(start_year=on.year, participants_per_year=float(started or offer.places),
                           base_success_rate=base, price_dkk_per_day=price,
                           days_per_participant=float(days), step_up=up,
                           step_up_dkk_per_child_year=(mean(costs) * 365 if costs else 0.0))
