"""Engines: conservation, reproducibility, agreement between engines, scenarios."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from trappen.errors import InvalidInput
from trappen.forecast import (
    Scenario,
    adjust,
    arrival_rates,
    arrival_schedule,
    estimate,
    project_expected,
    redirect_table,
    simulate,
)

CUTOFF = date(2023, 12, 31)
MONTHS = 24


@pytest.fixture(scope="module")
def model(synthetic):
    return estimate(synthetic, cutoff=CUTOFF)


def test_children_are_conserved(model):
    """Every month: children = start + arrivals so far (in = out + stays), in both engines."""
    rates = arrival_rates(model, months=MONTHS, scenario=Scenario()).sum(axis=(1, 2)).cumsum()
    e = project_expected(model, months=MONTHS)
    np.testing.assert_allclose(e.mean.sum(axis=1), model.start.sum() + rates, rtol=1e-10)
    arrivals = arrival_schedule(model, months=MONTHS, scenario=Scenario()).sum(axis=(1, 2)).cumsum()
    s = simulate(model, months=MONTHS, replicates=3, seed=5, entrant_uncertainty=False)
    np.testing.assert_allclose(s.mean.sum(axis=1), model.start.sum() + arrivals, rtol=1e-12)


def test_drawn_arrivals_are_whole_children_that_only_add(model):
    """Drawn arrivals: per replicate the total never falls (nobody is lost), replicates differ,
    and the mean total follows the expected arrivals within its standard error."""
    from trappen.forecast._engines import run_replicates

    reps = 200
    runs = run_replicates(model, months=MONTHS, replicates=reps, seed=3, scenario=Scenario())[0]
    total = runs.sum(axis=2).astype(float)
    assert np.all(np.diff(total, axis=1) >= 0)
    assert np.unique(total[:, -1]).size > 1
    want = model.start.sum() + arrival_rates(model, months=MONTHS, scenario=Scenario()).sum(axis=(1, 2)).cumsum()
    se = np.maximum(total.std(axis=0, ddof=1) / np.sqrt(reps), 1.0 / np.sqrt(reps))
    assert np.all(np.abs(total.mean(axis=0) - want) <= 4.5 * se)


def test_same_seed_same_result_other_seed_differs(model):
    a = simulate(model, months=12, replicates=4, seed=7)
    b = simulate(model, months=12, replicates=4, seed=7)
    c = simulate(model, months=12, replicates=4, seed=8)
    threaded = simulate(model, months=12, replicates=4, seed=7, threads=2)
    forked = simulate(model, months=12, replicates=4, seed=7, processes=2, chunk_children=1000)
    split = simulate(model, months=12, replicates=4, seed=7, chunk_children=1000)
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_array_equal(a.p10, threaded.p10)
    np.testing.assert_array_equal(split.p90, forked.p90)
    np.testing.assert_array_equal(split.mean, forked.mean)
    np.testing.assert_array_equal(a.p90, b.p90)
    assert not np.array_equal(a.mean, c.mean)


def test_simulation_mean_agrees_with_expected(model):
    """Without parameter draws the simulation is unbiased for the expected projection:
    every state and month within 4.5 standard errors (SE from the replicates; with 250 cells
    a false alarm has a chance of about 0.2 %)."""
    reps = 1000
    e = project_expected(model, months=MONTHS)
    from trappen.forecast._engines import run_replicates

    runs = run_replicates(model, months=MONTHS, replicates=reps, seed=3, scenario=Scenario(),
                          draw_parameters=False)[0].astype(float)
    mean, sd = runs.mean(axis=0), runs.std(axis=0, ddof=1)
    se = np.maximum(sd / np.sqrt(reps), 1.0 / np.sqrt(reps))
    assert np.all(np.abs(mean - e.mean) <= 4.5 * se + 1e-9)


def test_parameter_uncertainty_widens_bands(model):
    wide = simulate(model, months=MONTHS, replicates=300, seed=2)
    narrow = simulate(model, months=MONTHS, replicates=300, seed=2, parameter_uncertainty=False)
    steps = list(model.states.steps)
    assert (wide.p90 - wide.p10)[-1, steps].sum() > (narrow.p90 - narrow.p10)[-1, steps].sum()


def test_closed_step_gets_no_children_and_inflow_goes_to_nearest(model):
    closed = Scenario(name="no residential", closed_steps=(6,))
    e0 = project_expected(model, months=MONTHS)
    e1 = project_expected(model, months=MONTHS, scenario=closed)
    s1 = simulate(model, months=MONTHS, replicates=5, seed=1, scenario=closed)
    for p in (e1, s1):
        assert np.all(p.mean[:, 6] == 0) and np.all(p.p90[:, 6] == 0)
        # those who were on step 6 at the start and those who would have gone there: step 5
        assert p.redirected[0, 5] == model.start[:, :, 6].sum()
        assert p.redirected[1:, 5].sum() > 0
        assert p.redirected[:, [0, 1, 2, 3, 4, 6]].sum() == 0
    assert e1.mean[-1, 5] > e0.mean[-1, 5]
    np.testing.assert_allclose(e1.mean.sum(axis=1), e0.mean.sum(axis=1))


def test_redirect_table_prefers_lower_on_tie(model):
    lut = redirect_table(model.states, (4,))
    assert lut[4] == 3  # 3 and 5 are both one step away: the one closer to everyday life
    assert list(redirect_table(model.states, (5, 6))[[5, 6]]) == [4, 4]
    assert redirect_table(model.states, (1, 2, 3, 4, 5, 6))[3] == 0


def test_levers_keep_rows_stochastic_and_move_the_right_way(model):
    for sc in (Scenario(caseload_per_caseworker=10), Scenario(entrant_rate_change_pct=300)):
        p = adjust(model.transition, model=model, scenario=sc)
        np.testing.assert_allclose(p.sum(-1), 1.0, atol=1e-12)
        assert p.min() >= 0
    base = project_expected(model, months=MONTHS)
    low = project_expected(
        model, months=MONTHS, scenario=Scenario(caseload_per_caseworker=(model.caseload_baseline or 50) / 2)
    )
    more = project_expected(model, months=MONTHS, scenario=Scenario(entrant_rate_change_pct=20))
    grow = project_expected(model, months=MONTHS, scenario=Scenario(population_growth_pct_per_year=10))
    placements = [4, 5, 6]
    assert low.mean[-1, placements].sum() < base.mean[-1, placements].sum()
    assert more.mean[-1, 1:7].sum() > base.mean[-1, 1:7].sum()
    assert grow.mean[-1].sum() > base.mean[-1].sum()


def test_halving_caseload_uses_herning_default(model):
    """Default elasticity: caseload halved multiplies moves up by 0.85 (Herning: -15 %)."""
    old = model.caseload_baseline or 50
    p = adjust(model.transition, model=model, scenario=Scenario(caseload_per_caseworker=old / 2))
    a, d = 2, 1
    assert p[a, d, 3, 5] == pytest.approx(model.transition[a, d, 3, 5] * 0.85)
    assert p[a, d, 5, 3] == pytest.approx(model.transition[a, d, 5, 3] / 0.85)


def test_bad_scenario_is_refused(model):
    with pytest.raises(InvalidInput, match="closed_steps"):
        project_expected(model, months=12, scenario=Scenario(closed_steps=(9,)))
    with pytest.raises(InvalidInput, match="replicates"):
        simulate(model, months=12, replicates=0, seed=1)
    with pytest.raises(InvalidInput, match="months"):
        simulate(model, months=1_201, replicates=1, seed=1)


def test_costs_follow_counts(model):
    e = project_expected(model, months=12)
    np.testing.assert_allclose(e.cost_dkk_per_month, e.mean * model.cost_dkk_per_day * 365.25 / 12)
    years = e.cost_per_year()
    assert years["year"].unique().to_list() == [1]
    assert years["cost_dkk"].sum() == pytest.approx(e.cost_dkk_per_month[1:].sum())


def test_capped_step_takes_no_more_than_its_places(model):
    on6 = model.start[:, :, 6].sum()
    places = int(on6) - 3
    capped = Scenario(name="cap", step_caps=((6, places),))
    e = project_expected(model, months=MONTHS, scenario=capped)
    # one chunk: with several, each chunk holds its share of the places (see simulate)
    s = simulate(model, months=MONTHS, replicates=8, seed=4, scenario=capped, entrant_uncertainty=False)
    free = simulate(model, months=MONTHS, replicates=8, seed=4, entrant_uncertainty=False)
    for p in (e, s):
        # never more than the start stock (nobody new gets in while it is over its places) ...
        assert np.all(p.p90[:, 6] <= on6 + 1e-9)
        assert p.redirected[1:, 5].sum() > 0  # the overflow went to step 5
    # once down to its places it stays there (per replicate, so for the cohort mean)
    at = np.flatnonzero(e.mean[:, 6] <= places + 1e-9)
    assert at.size and np.all(e.mean[at[0] :, 6] <= places + 1e-9)
    assert s.p50[-1, 6] <= places
    assert free.mean[-1, 6] > s.mean[-1, 6]
    np.testing.assert_allclose(s.mean.sum(axis=1), free.mean.sum(axis=1))
