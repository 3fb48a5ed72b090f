"""The closing analysis of an offer, before it is decided: the children in it today, where they
would go (the staircase and the other offers' free places), the cost change per year, and a
capacity-limited forecast with and without the offer (:mod:`trappen.forecast._capacity`).

Aggregate output: child ids never leave this module (the moves are counted per destination).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from trappen.forecast import Projection
from trappen.forecast._capacity import project_capacity
from trappen.offers import offer_price_dkk_per_day
from trappen.offers._capacity import ClosingResult, Occupant, closing_moves
from trappen.web import rules
from trappen.web.offers import models as om
from trappen.web.offers.selectors import age_years, catalogue, occupancy_on, running_on
from trappen.web.register import models as m

FORECAST_MONTHS = 36


@dataclass(frozen=True, kw_only=True)
class Destination:
    offer_id: str | None
    name: str
    step: int | None
    children: int
    dkk_per_day: float | None


@dataclass(frozen=True, kw_only=True)
class ClosingAnalysis:
    offer: om.Offer
    result: ClosingResult
    destinations: list[Destination]
    forecast_open: Projection | None
    forecast_closed: Projection | None
    caps_open: dict[int, int]
    caps_closed: dict[int, int]

    def yearly_costs(self) -> list[tuple[int, float, float, float]]:
        """(year, cost with the offer, cost without, difference) from the two forecasts."""
        if self.forecast_open is None or self.forecast_closed is None:
            return []
        out = []
        a, b = self.forecast_open.cost_dkk_per_month, self.forecast_closed.cost_dkk_per_month
        dates = self.forecast_open.month_dates
        years = sorted({d.year for d in dates[1:]})
        for year in years:
            rows = [i for i, d in enumerate(dates) if i > 0 and d.year == year]
            with_offer, without = float(a[rows].sum()), float(b[rows].sum())
            out.append((year, with_offer, without, without - with_offer))
        return out

    def step_difference(self) -> list[tuple[int, float, float]]:
        """(step, children with the offer, without it) at the forecast's last month."""
        if self.forecast_open is None or self.forecast_closed is None:
            return []
        top = rules.staircase().numbers
        return [(s, float(self.forecast_open.mean[-1, s]), float(self.forecast_closed.mean[-1, s])) for s in top]


def _forecast(caps_open: dict[int, int], caps_closed: dict[int, int]) -> tuple[Projection, Projection] | None:
    from trappen.errors import InvalidInput
    from trappen.web.forecasts.selectors import forecast_model

    try:
        model = forecast_model()
    except InvalidInput:
        return None
    start = model.start.sum(axis=(0, 1)) if model.start.ndim == 3 else np.zeros(model.states.size)
    opened = {s: int(round(float(start[s]))) + caps_open.get(s, 0) for s in caps_open}
    closed = {s: int(round(float(start[s]))) + caps_closed.get(s, 0) for s in caps_closed}
    return (project_capacity(model, months=FORECAST_MONTHS, places=opened),
            project_capacity(model, months=FORECAST_MONTHS, places=closed))


def closing_analysis(row: om.Offer, *, on: dt.date, forecast: bool = True) -> ClosingAnalysis:
    """What closing ``row`` ``on`` a day would do (see the module docstring)."""
    cat = catalogue()
    rows = {r.offer_id: r for r in om.Offer.objects.all()}
    occupied = occupancy_on(on)
    free = {oid: r.places - occupied.get(r.pk, 0) for oid, r in rows.items()}
    from trappen.web.economics.selectors import rate_table

    rates = rate_table()  # the economics price history (the step's unit cost is the fallback)
    price = {o.offer_id: offer_price_dkk_per_day(o, on=on, rates=rates) or 0.0 for o in cat.offers}
    episodes = (m.Episode.objects.filter(running_on(on), offer=row).order_by("start_date", "pk")
                .values_list("child_id", "step", "child__birth_date"))
    occupants = [Occupant(child_id=c, step=s, age_years=age_years(b, on), price_dkk_per_day=price[row.offer_id])
                 for c, s, b in episodes]
    result = closing_moves(cat, row.offer_id, on=on, occupants=occupants, free=free, price=price,
                           top_step=max(rules.staircase().numbers))
    counts: dict[tuple[str | None, int | None], int] = {}
    for move in result.moves:
        counts[(move.to_offer, move.to_step)] = counts.get((move.to_offer, move.to_step), 0) + 1
    destinations = [Destination(offer_id=oid, name=rows[oid].name if oid else "", step=step, children=n,
                                dkk_per_day=price.get(oid) if oid else None)
                    for (oid, step), n in sorted(counts.items(), key=lambda kv: (kv[0][0] is None, -kv[1]))]
    # capacity-limited forecast: the free places per step with the offer, and without it (its
    # free places gone, and the places its children take elsewhere no longer free)
    lowest = {o.offer_id: min(o.steps) for o in cat.offers}
    caps_open: dict[int, int] = {}
    caps_closed: dict[int, int] = {}
    for o in cat.offers:
        if o.status_on(on) != "open":
            continue
        room = max(free[o.offer_id], 0)
        caps_open[lowest[o.offer_id]] = caps_open.get(lowest[o.offer_id], 0) + room
        caps_closed[lowest[o.offer_id]] = caps_closed.get(lowest[o.offer_id], 0) + (
            0 if o.offer_id == row.offer_id else room)
    for move in result.moves:
        if move.to_step is not None:
            caps_closed[move.to_step] = max(caps_closed.get(move.to_step, 0) - 1, 0)
    pair = _forecast(caps_open, caps_closed) if forecast else None
    return ClosingAnalysis(offer=row, result=result, destinations=destinations,
                           forecast_open=pair[0] if pair else None, forecast_closed=pair[1] if pair else None,
                           caps_open=caps_open, caps_closed=caps_closed)
