"""The offers' numbers (#17 item 7): one function per figure of ``data/kpis.toml``.

Pure: arrays and the catalogue in, numbers out. The web layer (trappen.web.offers.availability)
reads the episodes once and applies disclosure control to counts of children.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from trappen.offers._model import Offer

KPI_FILE = Path(__file__).with_name("data") / "kpis.toml"


@cache
def offer_kpi_catalogue() -> tuple[dict[str, str], ...]:
    """The figures' definitions (code, names, formula, unit, source)."""
    with KPI_FILE.open("rb") as handle:
        return tuple(tomllib.load(handle)["kpis"])


def offer_utilisation(occupied: NDArray[np.int64], places: NDArray[np.int64]) -> NDArray[np.float64]:
    """OFFER_UTILISATION: children / places per offer (NaN for an offer without places)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(places > 0, occupied / np.maximum(places, 1), np.nan)


def step_utilisation(offers: Sequence[Offer], occupied: NDArray[np.int64], *, on: dt.date,
                     steps: Sequence[int]) -> dict[int, float | None]:
    """STEP_UTILISATION: children in the step's open offers / their places (lowest step counts)."""
    out: dict[int, float | None] = {}
    for step in steps:
        mask = np.array([min(o.steps) == step and o.status_on(on) == "open" for o in offers], dtype=bool)
        places = int(sum(o.places for o, k in zip(offers, mask, strict=True) if k))
        out[step] = float(occupied[mask].sum()) / places if places else None
    return out


def waiting_days(decided: NDArray[np.int64], start: NDArray[np.int64], *,
                 period: tuple[dt.date, dt.date]) -> float | None:
    """WAITING_DAYS: median days from decision to start of the episodes started in ``period``
    (half-open) that have a decision date (ordinals; -1 = none)."""
    lo, hi = period[0].toordinal(), period[1].toordinal()
    mask = (decided >= 0) & (start >= lo) & (start < hi)
    return float(np.median(start[mask] - decided[mask])) if mask.any() else None


def no_place_step_up_share(justifications: Sequence[Mapping[str, str]], *, marker: str) -> tuple[int, int]:
    """NO_PLACE_STEP_UP_SHARE: (step-ups giving "no free place" for a lower step, all step-ups);
    a step-up is an episode with a written justification. The share is the first over the second."""
    ups = [j for j in justifications if j]
    no_place = sum(1 for j in ups if any(str(v).startswith(marker) for v in j.values()))
    return no_place, len(ups)


def spending_per_offer(offer_index: NDArray[np.int64], start: NDArray[np.int64], end: NDArray[np.int64],
                       price_per_day: NDArray[np.float64], *, period: tuple[dt.date, dt.date]) -> NDArray[np.float64]:
    """SPENDING_PER_OFFER: days of each offer's episodes inside ``period`` x the offer's price
    per day (one price per offer: the price on the period's last day)."""
    lo, hi = period[0].toordinal(), period[1].toordinal()
    days = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0, None)
    spent = np.bincount(offer_index, weights=days * price_per_day[offer_index], minlength=len(price_per_day))
    return spent.astype(np.float64)


def bought_share(spending: NDArray[np.float64], offers: Sequence[Offer]) -> float | None:
    """BOUGHT_SHARE: spending on bought offers / all spending on offers."""
    total = float(spending.sum())
    bought = float(sum(s for s, o in zip(spending, offers, strict=True) if o.bought))
    return bought / total if total else None
