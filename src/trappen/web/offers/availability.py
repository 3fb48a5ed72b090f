"""The availability panel: occupancy per offer and step by day, free places, waiting children
and median wait, by district, and each step's availability status (green/red).

One query per table, then NumPy (:func:`trappen.offers._capacity.occupancy`): the panel on the
20,000-child demo is timed by ``benchmarks/offers_availability.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import polars as pl
from django.conf import settings

from trappen.kpi.disclosure import suppress
from trappen.offers import Offer
from trappen.offers._capacity import occupancy
from trappen.web import rules
from trappen.web.disclosure import DISCLOSURE_THRESHOLD
from trappen.web.offers import models as om
from trappen.web.offers.selectors import catalogue, waiting_open
from trappen.web.register import models as m

FAR = dt.date(9999, 12, 31).toordinal()


@dataclass(frozen=True, kw_only=True)
class StepStatus:
    step: int
    places: int
    occupied: int
    free: int
    open_offers_with_room: int
    waiting: int
    median_wait_days: float | None
    """Median days the children waiting today have waited."""
    red: bool
    reasons: tuple[str, ...]
    """``no_free_place`` and/or ``waiting_too_long``."""


@dataclass(frozen=True, kw_only=True)
class Availability:
    on: dt.date
    days: list[dt.date]
    offers: list[dict[str, object]]
    steps: list[StepStatus]
    by_district: list[dict[str, object]]
    step_series: dict[int, list[int]]
    """Children in the offers of each step on each day of ``days``."""
    median_started_wait_days: float | None
    """Median days from decision to start of the episodes started in the last year."""
    threshold_days: int
    numbers: dict[str, object]
    """The offers' numbers (trappen.offers._kpis) over the 12 months up to the day."""


def _episodes() -> tuple[np.ndarray, ...]:
    rows = list(m.Episode.objects.filter(offer__isnull=False)
                .values_list("offer_id", "start_date", "end_date", "child__district_id", "decided_on"))
    offer = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    start = np.fromiter((r[1].toordinal() for r in rows), dtype=np.int64, count=len(rows))
    end = np.fromiter((r[2].toordinal() if r[2] else FAR for r in rows), dtype=np.int64, count=len(rows))
    district = np.array([r[3] for r in rows], dtype=object)
    decided = np.fromiter((r[4].toordinal() if r[4] else -1 for r in rows), dtype=np.int64, count=len(rows))
    return offer, start, end, district, decided


def step_statuses(offers: list[Offer], *, free: np.ndarray, places: np.ndarray, occupied: np.ndarray,
                  waiting_steps: np.ndarray, waiting_days: np.ndarray, on: dt.date,
                  threshold_days: int) -> list[StepStatus]:
    """Each step's status: red when no open offer on it has a free place, or the median wait
    of the children waiting for it passes ``threshold_days``."""
    out = []
    for step in rules.staircase().numbers:
        on_step = np.array([step in o.steps for o in offers], dtype=bool)
        open_now = np.array([o.status_on(on) == "open" for o in offers], dtype=bool)
        room = int((on_step & open_now & (free > 0)).sum())
        waits = waiting_days[waiting_steps == step]
        median = float(np.median(waits)) if waits.size else None
        reasons = []
        if room == 0:
            reasons.append("no_free_place")
        if median is not None and median > threshold_days:
            reasons.append("waiting_too_long")
        out.append(StepStatus(step=step, places=int(places[on_step & open_now].sum()),
                              occupied=int(occupied[on_step].sum()),
                              free=int(np.maximum(free[on_step & open_now], 0).sum()),
                              open_offers_with_room=room, waiting=int(waits.size), median_wait_days=median,
                              red=bool(reasons), reasons=tuple(reasons)))
    return out


def _district_table(district: np.ndarray, step: np.ndarray, waiting_district: np.ndarray,
                    waiting_step: np.ndarray, unsuppressed: Collection[str]) -> list[dict[str, object]]:
    names = dict(m.District.objects.values_list("code", "name"))
    steps = list(rules.staircase().numbers)
    cells = []
    for code in names:
        for s in steps:
            cells.append({"district_code": code, "step": s,
                          "children": int(((district == code) & (step == s)).sum()),
                          "waiting": int(((waiting_district == code) & (waiting_step == s)).sum())})
    frame = pl.DataFrame(cells, schema={"district_code": pl.String, "step": pl.Int64, "children": pl.Int64,
                                        "waiting": pl.Int64})
    raw_cells = {(c["district_code"], c["step"]): c for c in cells}
    shown = {}
    for column in ("children", "waiting"):
        hidden = suppress(frame.select("district_code", "step", column), value_col=column,
                          row_dims=["district_code"], col_dims=["step"], threshold=DISCLOSURE_THRESHOLD)
        shown[column] = {(r["district_code"], r["step"]): r[column] for r in hidden.iter_rows(named=True)}
    rows: list[dict[str, object]] = []
    for code, name in names.items():
        own = code in unsuppressed
        row_cells = []
        for s in steps:
            raw = raw_cells[(code, s)]
            row_cells.append({"children": raw["children"] if own else shown["children"][(code, s)],
                              "waiting": raw["waiting"] if own else shown["waiting"][(code, s)]})
        rows.append({"code": code, "name": name, "cells": row_cells})
    return rows


def availability(*, on: dt.date, days: int = 91, unsuppressed: Collection[str] = ()) -> Availability:
    """The panel ``on`` a day, with occupancy over the ``days`` days up to it."""
    threshold = int(settings.TRAPPEN_WAITING_ALERT_DAYS)
    rows = list(om.Offer.objects.prefetch_related("prices").order_by("offer_id"))
    cat = catalogue()
    offers = list(cat.offers)
    index = {r.pk: i for i, r in enumerate(rows)}
    offer_pk, start, end, district, decided = _episodes()
    idx = np.array([index[int(p)] for p in offer_pk], dtype=np.int64) if offer_pk.size else np.zeros(0, np.int64)
    day_ord = np.arange(on.toordinal() - days + 1, on.toordinal() + 1, dtype=np.int64)
    occ = occupancy(idx, start, end, offers=len(offers), days=day_ord)
    today_occ = occ[:, -1] if occ.size else np.zeros(len(offers), dtype=np.int64)
    places = np.array([o.places for o in offers], dtype=np.int64)
    free = places - today_occ
    waiting = list(waiting_open(on).values_list("step", "decided_on", "offer_id", "child__district_id"))
    w_step = np.array([w[0] for w in waiting], dtype=np.int64)
    w_days = np.array([(on - w[1]).days for w in waiting], dtype=np.int64)
    w_offer = [w[2] for w in waiting]
    w_district = np.array([w[3] for w in waiting], dtype=object)
    steps = step_statuses(offers, free=free, places=places, occupied=today_occ, waiting_steps=w_step,
                          waiting_days=w_days, on=on, threshold_days=threshold)
    lowest = np.array([min(o.steps) for o in offers], dtype=np.int64)
    series = {s.step: occ[lowest == s.step].sum(axis=0).astype(int).tolist() for s in steps}
    running = (start <= on.toordinal()) & (end > on.toordinal())
    ep_step = lowest[idx] if idx.size else np.zeros(0, np.int64)
    by_district = _district_table(district[running], ep_step[running], w_district, w_step, unsuppressed)
    recent = (start > on.toordinal() - 365) & (start <= on.toordinal()) & (decided >= 0)
    started_wait = start[recent] - decided[recent]
    offer_rows = []
    for i, (row, offer) in enumerate(zip(rows, offers, strict=True)):
        offer_rows.append({"row": row, "offer": offer, "occupied": int(today_occ[i]), "free": int(free[i]),
                           "status": offer.status_on(on), "waiting": sum(1 for w in w_offer if w == row.pk),
                           "utilisation": (float(today_occ[i]) / offer.places) if offer.places else None,
                           "peak": int(occ[i].max()) if occ.size else 0})
    numbers = _numbers(offers, offer_rows, idx=idx, start=start, end=end, decided=decided, on=on,
                       occupied=today_occ)
    return Availability(on=on, days=[dt.date.fromordinal(int(d)) for d in day_ord], offers=offer_rows, steps=steps,
                        by_district=by_district, step_series=series,
                        median_started_wait_days=float(np.median(started_wait)) if started_wait.size else None,
                        threshold_days=threshold, numbers=numbers)


def _numbers(offers: list[Offer], offer_rows: list[dict[str, object]], *, idx: np.ndarray, start: np.ndarray,
             end: np.ndarray, decided: np.ndarray, on: dt.date, occupied: np.ndarray) -> dict[str, object]:
    """The offers' numbers over the 12 months up to ``on`` (one function each, trappen.offers._kpis);
    a count of step-ups of 1-4 is hidden (None), as is the share built on it."""
    from trappen.offers import NO_FREE_PLACE_REASON, offer_price_dkk_per_day
    from trappen.offers._kpis import (
        bought_share,
        no_place_step_up_share,
        offer_utilisation,
        spending_per_offer,
        step_utilisation,
        waiting_days,
    )
    from trappen.web.economics.selectors import rate_table

    period = (on - dt.timedelta(days=365), on + dt.timedelta(days=1))
    rates = rate_table()  # the economics price history (the step's unit cost is the fallback)
    prices = np.array([offer_price_dkk_per_day(o, on=on, rates=rates) or 0.0 for o in offers], dtype=float)
    spending = spending_per_offer(idx, start, end, prices, period=period)
    utilisation = offer_utilisation(occupied, np.array([o.places for o in offers], dtype=np.int64))
    for row, spent, used in zip(offer_rows, spending, utilisation, strict=True):
        row["spending_dkk"] = float(spent)
        row["utilisation"] = None if np.isnan(used) else float(used)
    justifications = list(m.Episode.objects.filter(start_date__gte=period[0], start_date__lt=period[1])
                          .exclude(justification={}).values_list("justification", flat=True))
    no_place, ups = no_place_step_up_share(justifications, marker=NO_FREE_PLACE_REASON)
    hidden = 0 < no_place < DISCLOSURE_THRESHOLD or 0 < ups - no_place < DISCLOSURE_THRESHOLD
    return {"period": period, "spending_dkk": float(spending.sum()), "bought_share": bought_share(spending, offers),
            "waiting_days": waiting_days(decided, start, period=period),
            "step_utilisation": step_utilisation(offers, occupied, on=on, steps=list(rules.staircase().numbers)),
            "step_ups": None if hidden else ups, "no_place_step_ups": None if hidden else no_place,
            "no_place_share": None if hidden or not ups else no_place / ups}



def step_availability(*, on: dt.date) -> list[StepStatus]:
    """Only the steps' statuses (the overviews' strip): one grouped query and the waiting list."""
    from trappen.web.offers.selectors import occupancy_on

    rows = list(om.Offer.objects.prefetch_related("prices").order_by("offer_id"))
    offers = catalogue().offers
    occ = occupancy_on(on)
    occupied = np.array([occ.get(r.pk, 0) for r in rows], dtype=np.int64)
    places = np.array([o.places for o in offers], dtype=np.int64)
    waiting = list(waiting_open(on).values_list("step", "decided_on"))
    return step_statuses(list(offers), free=places - occupied, places=places, occupied=occupied,
                         waiting_steps=np.array([w[0] for w in waiting], dtype=np.int64),
                         waiting_days=np.array([(on - w[1]).days for w in waiting], dtype=np.int64), on=on,
                         threshold_days=int(settings.TRAPPEN_WAITING_ALERT_DAYS))


__all__ = ["Availability", "StepStatus", "availability", "step_availability"]
