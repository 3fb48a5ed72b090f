"""Monte Carlo and tornado: zero variance equals deterministic, seeds reproduce, order by swing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trappen.economics import case_from_dict, evaluate_case, herning_pilot_path, load_case, simulate_case, tornado


def test_zero_variance_equals_deterministic(golden):
    d = golden(0.035,
               success_rate_with={"dist": "normal", "mean": 0.5, "sd": 0.0},
               success_rate_without={"dist": "triangular", "low": 0.3, "mode": 0.3, "high": 0.3})
    d["prices"][0]["municipality"] = {"dist": "uniform", "low": 60_000, "high": 60_000}
    d["costs"][0]["dkk_per_fte_per_year"] = {"dist": "lognormal", "mu": math.log(100_000), "sigma": 0.0}
    case = case_from_dict(d)
    det = evaluate_case(case)
    sim = simulate_case(case, draws=50, seed=3)
    np.testing.assert_allclose(sim.draws["npv_dkk"].to_numpy(), det.npv_dkk, rtol=1e-12)
    assert sim.summary["p_npv_positive"] == 1.0
    assert sim.summary["p_rule_met"] == 1.0
    assert sim.draws["payback_year"].to_list() == [det.payback_year] * 50


def test_same_seed_same_result_and_different_seed_differs():
    case = load_case(herning_pilot_path())
    a = simulate_case(case, draws=300, seed=7)
    b = simulate_case(case, draws=300, seed=7)
    c = simulate_case(case, draws=300, seed=8)
    assert a.draws.equals(b.draws) and a.summary == b.summary
    assert not a.draws["npv_dkk"].equals(c.draws["npv_dkk"])
    rng = np.random.default_rng(7)
    assert simulate_case(case, draws=300, seed=rng).draws["npv_dkk"].equals(a.draws["npv_dkk"])


def test_monte_carlo_mean_matches_linear_expectation(golden):
    # NPV is linear in the net success rate when only the rates are uncertain, so the mean NPV
    # converges to NPV at the mean rates; the tolerance is 4 standard errors of the mean.
    d = golden(0.035, success_rate_with={"dist": "uniform", "low": 0.4, "high": 0.6})
    case = case_from_dict(d)
    sim = simulate_case(case, draws=4000, seed=11)
    npv = sim.draws["npv_dkk"].to_numpy()
    se = npv.std(ddof=1) / math.sqrt(len(npv))
    assert abs(npv.mean() - evaluate_case(case).npv_dkk) < 4 * se
    # P(NPV > 0) equals P(rate_with > break-even) = (0.6 - be) / 0.2 for the uniform
    be = evaluate_case(case).break_even_success_rate_with
    p = min(1.0, max(0.0, (0.6 - be) / 0.2))
    assert abs(sim.summary["p_npv_positive"] - p) < 4 * math.sqrt(p * (1 - p) / 4000) + 1e-9


def test_tornado_sorted_by_swing_and_matches_one_at_a_time():
    case = load_case(herning_pilot_path())
    t = tornado(case)
    swings = t["swing_dkk"].to_list()
    assert swings == sorted(swings, reverse=True)
    assert set(t["input"]) == set(case.uncertain)
    # recompute one row by hand: the caseworker cost at its low, everything else at base
    row = t.filter(t["input"] == "costs.Extra caseworkers.dkk_per_fte_per_year").row(0, named=True)
    import tomllib
    from pathlib import Path

    raw = tomllib.loads(Path(herning_pilot_path()).read_text(encoding="utf-8"))
    raw["costs"][0]["dkk_per_fte_per_year"] = row["low"]
    assert evaluate_case(case_from_dict(raw)).npv_dkk == pytest.approx(row["npv_low_dkk"], rel=1e-9)
    # uniform(450k, 550k): 10th percentile = 460k
    assert row["low"] == pytest.approx(460_000)


def test_tornado_empty_without_uncertainty(golden):
    assert tornado(case_from_dict(golden())).height == 0


def test_bad_draws_refused(golden):
    from trappen.errors import InvalidInput

    with pytest.raises(InvalidInput, match="draws"):
        simulate_case(case_from_dict(golden()), draws=0, seed=1)
