"""The capacity core: occupancy by day, the closing analysis' moves, the capacity-limited forecast."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from trappen.forecast import Scenario, estimate, project_expected, simulate
from trappen.forecast._capacity import capacity_scenario
from trappen.offers._capacity import Occupant, closing_moves, occupancy, places_by_step
from trappen.synthetic import generate, synthetic_offers


def test_occupancy_equals_counting_each_day_by_hand():
    rng = np.random.default_rng(3)
    n, offers = 400, 7
    index = rng.integers(0, offers, n)
    start = rng.integers(738000, 738300, n)
    end = start + rng.integers(1, 200, n)
    end[::9] = dt.date(9999, 12, 31).toordinal()  # running episodes
    days = np.arange(737990, 738600, 13)
    got = occupancy(index, start, end, offers=offers, days=days)
    want = np.array([[int(((index == o) & (start <= d) & (end > d)).sum()) for d in days] for o in range(offers)])
    assert got.shape == (offers, len(days))
    assert np.array_equal(got, want)


def _catalogue():
    return synthetic_offers(seed=4)


def test_closing_conserves_children_and_never_overfills_an_offer():
    cat = _catalogue()
    on = dt.date(2026, 12, 1)
    closing = next(o for o in cat.offers if o.status_on(on) == "open" and 5 in o.steps)
    occupants = [Occupant(child_id=i, step=5, age_years=int(a), price_dkk_per_day=1500.0)
                 for i, a in enumerate(np.random.default_rng(1).integers(closing.age_min_years,
                                                                         closing.age_max_years + 1, 40))]
    free = {o.offer_id: 2 for o in cat.offers}
    price = {o.offer_id: 1000.0 + 10 * k for k, o in enumerate(cat.offers)}
    result = closing_moves(cat, closing.offer_id, on=on, occupants=occupants, free=free, price=price, top_step=6)
    assert result.children == 40
    assert result.same_step + result.step_up + result.waiting == 40  # each goes somewhere or waits
    assert {m.child_id for m in result.moves} == set(range(40))
    taken: dict[str, int] = {}
    for move in result.moves:
        if move.to_offer is not None:
            assert move.to_offer != closing.offer_id
            assert move.to_step >= move.from_step
            taken[move.to_offer] = taken.get(move.to_offer, 0) + 1
    assert all(n <= free[o] for o, n in taken.items())  # never more than the free places
    assert all(v >= 0 for v in result.free_after.values())
    moved = [m for m in result.moves if m.to_offer]
    assert result.cost_change_dkk_per_year == pytest.approx(sum(m.new_dkk_per_year - m.old_dkk_per_year for m in moved))


def test_closing_with_no_free_place_anywhere_leaves_every_child_waiting():
    cat = _catalogue()
    on = dt.date(2026, 12, 1)
    closing = next(o for o in cat.offers if o.status_on(on) == "open")
    occupants = [Occupant(child_id=i, step=min(closing.steps), age_years=closing.age_min_years,
                          price_dkk_per_day=100.0) for i in range(5)]
    result = closing_moves(cat, closing.offer_id, on=on, occupants=occupants, free={}, price={}, top_step=6)
    assert result.waiting == 5
    assert result.cost_change_dkk_per_year == 0
    assert result.waiting_dkk_per_year == pytest.approx(5 * 100 * 365)


def test_places_by_step_leaves_the_closed_offer_out():
    cat = _catalogue()
    on = dt.date(2026, 12, 1)
    offer = next(o for o in cat.offers if o.status_on(on) == "open")
    with_it, without = places_by_step(cat, on=on), places_by_step(cat, on=on, without=offer.offer_id)
    step = min(offer.steps)
    assert with_it[step] - without.get(step, 0) == offer.places


@pytest.fixture(scope="module")
def model():
    register = generate(children=400, years=4, seed=2, end_date=dt.date(2026, 6, 30))
    return estimate(register, cutoff=dt.date(2026, 5, 31))


def test_unlimited_places_forecast_equals_todays_forecast(model):
    unlimited = capacity_scenario({s: None for s in range(1, 7)})
    assert unlimited.step_caps == ()
    base = project_expected(model, months=24)
    capped = project_expected(model, months=24, scenario=unlimited)
    assert np.array_equal(base.mean, capped.mean)
    huge = capacity_scenario({s: 10**9 for s in range(1, 7)})
    assert np.array_equal(base.mean, project_expected(model, months=24, scenario=huge).mean)
    a = simulate(model, months=12, replicates=20, seed=5)
    b = simulate(model, months=12, replicates=20, seed=5, scenario=dataclasses.replace(unlimited, name="baseline"))
    assert np.array_equal(a.mean, b.mean)


def test_tight_places_push_children_up_or_aside(model):
    start = model.start.sum(axis=(0, 1))
    caps = {5: int(start[5])}  # no free place on step 5
    capped = project_expected(model, months=24, scenario=capacity_scenario(caps, name="tight"))
    base = project_expected(model, months=24)
    assert capped.mean[1:, 5].max() <= int(start[5]) + 1e-6 or capped.mean[-1, 5] <= base.mean[-1, 5]
    assert capped.redirected.sum() > 0
    assert capped.mean[-1].sum() == pytest.approx(base.mean[-1].sum())  # children conserved


def test_capacity_scenario_keeps_the_smaller_cap():
    base = Scenario(step_caps=((6, 10),))
    assert dict(capacity_scenario({6: 20, 5: 3}, base=base).step_caps) == {6: 10, 5: 3}


def test_project_capacity_without_limits_is_todays_forecast(model):
    from trappen.forecast._capacity import project_capacity

    base = project_expected(model, months=24)
    assert np.array_equal(project_capacity(model, months=24, places={s: None for s in range(1, 7)}).mean, base.mean)
    assert np.array_equal(project_capacity(model, months=24, places={s: 10**9 for s in range(1, 7)}).mean, base.mean)


def test_project_capacity_sends_children_without_a_place_one_step_up(model):
    from trappen.forecast._capacity import project_capacity

    start = model.start.sum(axis=(0, 1))
    base = project_expected(model, months=24)
    capped = project_capacity(model, months=24, places={3: int(start[3])})
    assert capped.mean[1:, 3].max() <= int(start[3]) + 1e-6 or capped.mean[-1, 3] < base.mean[-1, 3]
    assert capped.redirected[1:, 4].sum() > 0 and capped.redirected[1:, 2].sum() == 0  # up, never down
    assert capped.mean[-1].sum() == pytest.approx(base.mean[-1].sum())  # children conserved
