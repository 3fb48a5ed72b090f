"""Estimation: hand-computed counts on a tiny register, posterior rows, staircase size."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from trappen.errors import InvalidInput
from trappen.forecast import estimate
from trappen.staircase import Staircase, Step, default_staircase

CUTOFF = date(2021, 12, 31)


def test_hand_computed_counts(tiny):
    m = estimate(tiny, cutoff=CUTOFF, window_months=36)  # the hand counts are for 36 months
    st = m.states
    assert st.size == 10 and st.left == 7 and st.aftercare == 8
    c = m.counts
    # child 1: 0 -> 3 at age 9y0m (band 6-11), after 24+ months off the staircase
    assert c[1, 2, 0, 3] == 1
    # child 1: 11 months on step 3 (6 stays at <6 months, 5 at 6-23), then 3 -> 5
    assert c[1, 0, 3, 3] == 6 and c[1, 1, 3, 3] == 5
    assert c[1, 1, 3, 5] == 1
    # child 2 moves out at 8
    assert c[1, 2, 0, st.left] == 1
    # child 3 turns 18 on step 6 (37 months there) and goes into aftercare
    assert c[4, 2, 6, st.aftercare] == 1
    # nothing else moved (stays of state 0 and on steps 5, 6, aftercare aside)
    moves = c.copy()
    moves[:, :, np.arange(st.size), np.arange(st.size)] = 0
    assert moves.sum() == 4
    # start population: child 1 on step 5 (11y11m, 23 months), child 3 in aftercare
    assert m.start.sum() == 2
    assert m.start[143, 23, 5] == 1 and m.start[225, 9, st.aftercare] == 1


def test_rows_sum_to_one_and_structural_zeros(synthetic):
    m = estimate(synthetic, cutoff=date(2023, 12, 31))
    np.testing.assert_allclose(m.transition.sum(axis=-1), 1.0, atol=1e-12)
    allowed = m.states.allowed()[:, None]
    assert np.all(m.transition[~np.broadcast_to(allowed, m.transition.shape)] == 0)
    # at 23 everyone still active ends
    assert np.all(m.transition[-1, :, : m.states.top + 1, m.states.ended] == 1.0)


def test_small_counts_give_wider_posterior(synthetic):
    """The Dirichlet posterior of a row with fewer observations is wider."""
    m = estimate(synthetic, cutoff=date(2023, 12, 31))
    a = m.alpha
    n = a.sum(-1)
    var = a * (n[..., None] - a) / (n[..., None] ** 2 * (n[..., None] + 1))
    # state 0 has thousands of child-months; step 6 few: its stay probability is less certain
    assert var[1, 2, 6, 6] > var[1, 2, 0, 0]


def test_number_of_steps_comes_from_the_staircase(tiny):
    base = default_staircase().steps
    extra = Step(number=7, category="residential_care", name_da="Sikret", name_en="Secure")
    seven = Staircase(name="seven", source="test", steps=(*base, extra))
    m = estimate(tiny, cutoff=CUTOFF, staircase=seven)
    assert m.states.size == 11 and m.transition.shape[-1] == 11
    assert m.states.labels[7] == "step_7"
    four = Staircase(name="four", source="test", steps=base[:4])
    with pytest.raises(InvalidInput, match="step above"):
        estimate(tiny, cutoff=CUTOFF, staircase=four)


def test_costs_from_catalogue_or_register_mix(tiny):
    m = estimate(tiny, cutoff=CUTOFF)
    from trappen.staircase import default_catalogue

    cat = default_catalogue()
    # step 5 at the cut-off: child 1 in FOSTER_GENERAL (the register's mix)
    assert m.cost_dkk_per_day[5] == pytest.approx(cat.get("FOSTER_GENERAL").cost_dkk_per_day)
    # step 4: nobody there; the catalogue mean of its types
    four = [t.cost_dkk_per_day for t in cat.for_step(4) if not t.aftercare]
    assert m.cost_dkk_per_day[4] == pytest.approx(np.mean(four))
    assert m.cost_dkk_per_day[0] == 0


def test_caseload_effect_estimated_from_pilot_districts():
    """Pilot districts run at ~25 children per caseworker against ~50 elsewhere, with fewer
    moves into placement: the elasticity comes from the register, with a plausible sign."""
    from trappen.forecast import DEFAULT_CASELOAD_ELASTICITY
    from trappen.synthetic import generate

    reg = generate(children=10_000, years=7, seed=2, pilot_districts=4, pilot_from=2020)
    m = estimate(reg, cutoff=date(2025, 12, 31))
    assert m.caseload_source.startswith("estimated from the register")
    assert 0 < m.caseload_elasticity < 1
    plain = estimate(generate(children=2_000, years=4, seed=2), cutoff=date(2025, 12, 31))
    assert plain.caseload_elasticity == DEFAULT_CASELOAD_ELASTICITY
    assert plain.caseload_source.startswith("default from Herning")


def test_extra_caseworkers_for_a_lower_caseload(synthetic):
    from dataclasses import replace

    m = estimate(synthetic, cutoff=date(2023, 12, 31))
    children = m.start[:, :, 1:m.states.top + 1].sum()
    known = replace(m, caseload_baseline=40.0)
    fte, n = known.extra_caseworkers(20.0)
    assert n == children and fte == pytest.approx(children / 20 - children / 40) and fte > 0
    assert known.extra_caseworkers(80.0)[0] < 0
    assert replace(m, caseload_baseline=None).extra_caseworkers(20.0) is None


def test_recent_months_weighted_by_half_life(synthetic):
    cut = date(2023, 12, 31)
    plain = estimate(synthetic, cutoff=cut, window_months=24)
    recent = estimate(synthetic, cutoff=cut, window_months=24, half_life_months=6)
    # weights average 1 over the window: about as many transitions, but not the same ones
    assert recent.counts.sum() == pytest.approx(plain.counts.sum(), rel=0.05)
    assert not np.allclose(recent.counts, plain.counts)
    assert np.allclose(recent.transition.sum(-1), 1.0)
    with pytest.raises(InvalidInput):
        estimate(synthetic, cutoff=cut, half_life_months=0)
    with pytest.raises(InvalidInput):
        estimate(synthetic, cutoff=cut, window_months=12, arrival_months=24)


def test_month_lengths_are_not_arrival_noise():
    from trappen.forecast._estimate import arrival_dispersion

    rng = np.random.default_rng(5)
    days = np.tile([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], 6).astype(np.float64)
    counts = rng.poisson(200.0 * days).astype(np.float64)  # 6,000 a month, Poisson, per day alike
    assert arrival_dispersion(counts) > 1e-4  # read as overdispersion without the lengths
    assert arrival_dispersion(counts, days=days) < 1e-4
    lumpy = rng.poisson(200.0 * days * rng.gamma(10.0, 0.1, days.size)).astype(np.float64)
    assert arrival_dispersion(lumpy, days=days) > 0.03  # real extra variation stays (phi = 0.1)
