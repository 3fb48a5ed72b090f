"""The offers' numbers: one function per figure, each checked against a hand count."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from trappen.offers import NO_FREE_PLACE_REASON
from trappen.offers._kpis import (
    bought_share,
    no_place_step_up_share,
    offer_kpi_catalogue,
    offer_utilisation,
    spending_per_offer,
    step_utilisation,
    waiting_days,
)
from trappen.synthetic import synthetic_offers


def test_every_figure_of_the_catalogue_has_its_function():
    import trappen.offers._kpis as k

    names = {"OFFER_UTILISATION": "offer_utilisation", "STEP_UTILISATION": "step_utilisation",
             "WAITING_DAYS": "waiting_days", "NO_PLACE_STEP_UP_SHARE": "no_place_step_up_share",
             "SPENDING_PER_OFFER": "spending_per_offer", "BOUGHT_SHARE": "bought_share"}
    assert {d["code"] for d in offer_kpi_catalogue()} == set(names)
    assert all(callable(getattr(k, f)) for f in names.values())
    assert all(d["source"] and d["name_da"] and d["name_en"] for d in offer_kpi_catalogue())


def test_utilisation_and_spending_by_hand():
    assert offer_utilisation(np.array([3, 0, 2]), np.array([4, 0, 2])).tolist()[0] == 0.75
    assert np.isnan(offer_utilisation(np.array([0]), np.array([0]))[0])
    period = (dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    lo = period[0].toordinal()
    spend = spending_per_offer(np.array([0, 0, 1]), np.array([lo - 10, lo + 100, lo + 360]),
                               np.array([lo + 10, lo + 110, lo + 400]), np.array([100.0, 50.0]), period=period)
    assert spend.tolist() == [100.0 * (10 + 10), 50.0 * 5]


def test_step_utilisation_counts_open_offers_only():
    cat = synthetic_offers(seed=2)
    on = dt.date(2026, 12, 1)
    occupied = np.array([o.places for o in cat.offers])
    out = step_utilisation(cat.offers, occupied, on=on, steps=[1, 2, 3, 4, 5, 6])
    assert all(v == pytest.approx(1.0) for v in out.values() if v is not None)


def test_waiting_days_and_no_place_step_ups():
    lo = dt.date(2026, 1, 1)
    decided = np.array([lo.toordinal(), lo.toordinal(), -1])
    start = decided + np.array([10, 30, 0])
    start[2] = lo.toordinal() + 5
    assert waiting_days(decided, start, period=(lo, dt.date(2027, 1, 1))) == 20.0
    reasons = [{}, {"2": NO_FREE_PLACE_REASON}, {"1": "needs more than advice", "2": NO_FREE_PLACE_REASON + ": x"},
               {"3": "does not meet the need at all"}]
    assert no_place_step_up_share(reasons, marker=NO_FREE_PLACE_REASON) == (2, 3)


def test_bought_share():
    cat = synthetic_offers(seed=2)
    spending = np.array([1.0 if o.bought else 3.0 for o in cat.offers])
    bought = sum(1 for o in cat.offers if o.bought)
    assert bought_share(spending, cat.offers) == pytest.approx(bought / (bought + 3 * (len(cat.offers) - bought)))
    assert bought_share(np.zeros(len(cat.offers)), cat.offers) is None
