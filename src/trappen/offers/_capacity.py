"""Capacity of the offers: occupancy by day, free places, waiting, and what closing an offer does.

Pure and vectorised (NumPy): episodes come in as arrays, never as rows in a Python loop, so the
availability of a 20,000-child municipality is one sort and a few ``searchsorted`` calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from trappen.offers._model import Offer, OfferCatalogue

_SPAN = 1 << 22
"""Days per offer in the packed key ``offer * _SPAN + day ordinal`` (day ordinals are < 2**20)."""


def _ordinal(days: Sequence[dt.date] | NDArray[np.int64]) -> NDArray[np.int64]:
    if isinstance(days, np.ndarray):
        return days.astype(np.int64)
    return np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days))


def occupancy(offer_index: NDArray[np.int64], start: NDArray[np.int64], end: NDArray[np.int64],
              *, offers: int, days: NDArray[np.int64]) -> NDArray[np.int64]:
    """Children in each offer on each day: shape (offers, days).

    Args:
        offer_index: the offer (0..offers-1) of each episode.
        start: each episode's first day (day ordinal).
        end: each episode's first day without it (ordinal); a running episode has a far-future end.
        offers: how many offers.
        days: the day ordinals counted.

    An episode counts on day d when ``start <= d < end`` (half-open, as the register).
    """
    offer_index = np.asarray(offer_index, dtype=np.int64)
    starts = np.sort(offer_index * _SPAN + np.asarray(start, dtype=np.int64))
    ends = np.sort(offer_index * _SPAN + np.minimum(np.asarray(end, dtype=np.int64), _SPAN - 1))
    query = (np.arange(offers, dtype=np.int64)[:, None] * _SPAN + np.asarray(days, dtype=np.int64)[None, :])
    low = np.arange(offers, dtype=np.int64)[:, None] * _SPAN
    began = np.searchsorted(starts, query, side="right") - np.searchsorted(starts, low, side="left")
    ended = np.searchsorted(ends, query, side="right") - np.searchsorted(ends, low, side="left")
    return (began - ended).astype(np.int64)


def open_on(offer: Offer, day: dt.date) -> bool:
    """Whether the offer takes new children on ``day`` (open: not closing or closed)."""
    return offer.status_on(day) == "open"


@dataclass(frozen=True, kw_only=True)
class Occupant:
    """A child in an offer today: the ids the analysis needs, nothing identifying."""

    child_id: int
    step: int
    age_years: int
    price_dkk_per_day: float


@dataclass(frozen=True, kw_only=True)
class Move:
    """Where one child of a closing offer would go: ``to_offer`` None = waiting for a place."""

    child_id: int
    from_step: int
    to_offer: str | None
    to_step: int | None
    old_dkk_per_year: float
    new_dkk_per_year: float


@dataclass(frozen=True, kw_only=True)
class ClosingResult:
    """The closing analysis of one offer (:func:`closing_moves`)."""

    offer_id: str
    on: dt.date
    moves: tuple[Move, ...]
    free_after: Mapping[str, int] = field(default_factory=dict)

    @property
    def children(self) -> int:
        return len(self.moves)

    @property
    def waiting(self) -> int:
        return sum(1 for m in self.moves if m.to_offer is None)

    @property
    def same_step(self) -> int:
        return sum(1 for m in self.moves if m.to_offer is not None and m.to_step == m.from_step)

    @property
    def step_up(self) -> int:
        return sum(1 for m in self.moves if m.to_step is not None and m.to_step > m.from_step)

    @property
    def cost_change_dkk_per_year(self) -> float:
        """Spending after minus before, per year, for the children who found a place (a waiting
        child's saving is not a saving: the need is unmet; see :attr:`waiting_dkk_per_year`)."""
        return float(sum(m.new_dkk_per_year - m.old_dkk_per_year for m in self.moves if m.to_offer is not None))

    @property
    def waiting_dkk_per_year(self) -> float:
        """What the waiting children's places cost today, per year."""
        return float(sum(m.old_dkk_per_year for m in self.moves if m.to_offer is None))


DAYS_PER_YEAR = 365.0


def closing_moves(catalogue: OfferCatalogue, offer_id: str, *, on: dt.date, occupants: Sequence[Occupant],
                  free: Mapping[str, int], price: Mapping[str, float], top_step: int) -> ClosingResult:
    """Where the children of ``offer_id`` would go if it closed ``on`` a day.

    Each child (oldest wait first: in the given order) takes a free place in another open offer
    on its own step that serves its age, the cheapest first; with none free, the nearest higher
    step's (the staircase: a child who finds no place goes up a step); with none there either, the
    child waits. Every child goes somewhere or waits (children are conserved).

    Args:
        catalogue: the offers.
        offer_id: the offer closing.
        on: the day.
        occupants: the children in the offer that day.
        free: free places per offer id (places minus occupancy) that day.
        price: each offer's price per day that day (its own, else its step's unit cost).
        top_step: the staircase's highest step.
    """
    left = {k: max(int(v), 0) for k, v in free.items()}
    moves: list[Move] = []
    others = [o for o in catalogue.offers if o.offer_id != offer_id and open_on(o, on)]
    for child in occupants:
        chosen: Offer | None = None
        chosen_step: int | None = None
        for step in range(child.step, top_step + 1):
            fits = [o for o in others if step in o.steps and o.age_min_years <= child.age_years <= o.age_max_years
                    and left.get(o.offer_id, 0) > 0]
            if fits:
                chosen = min(fits, key=lambda o: (price.get(o.offer_id, 0.0), o.offer_id))
                chosen_step = step
                break
        old = child.price_dkk_per_day * DAYS_PER_YEAR
        if chosen is None:
            moves.append(Move(child_id=child.child_id, from_step=child.step, to_offer=None, to_step=None,
                              old_dkk_per_year=old, new_dkk_per_year=0.0))
            continue
        left[chosen.offer_id] -= 1
        moves.append(Move(child_id=child.child_id, from_step=child.step, to_offer=chosen.offer_id,
                          to_step=chosen_step, old_dkk_per_year=old,
                          new_dkk_per_year=price.get(chosen.offer_id, 0.0) * DAYS_PER_YEAR))
    return ClosingResult(offer_id=offer_id, on=on, moves=tuple(moves), free_after=left)


def places_by_step(catalogue: OfferCatalogue, *, on: dt.date, without: str | None = None) -> dict[int, int]:
    """Places per step of the offers open ``on`` a day (an offer serving several steps counts on
    its lowest), leaving ``without`` out: the capacities of a capacity-limited forecast."""
    out: dict[int, int] = {}
    for offer in catalogue.offers:
        if offer.offer_id == without or offer.status_on(on) not in ("open", "closing"):
            continue
        step = min(offer.steps)
        out[step] = out.get(step, 0) + offer.places
    return out
