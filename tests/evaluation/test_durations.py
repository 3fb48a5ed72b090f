"""Competing-risk durations: analytic CIFs, lifelines cross-check, naive KM bias, Cox HR."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.evaluation import (
    aalen_johansen,
    cause_specific_cox,
    competing_exits,
    expected_years_on_steps,
    naive_km_risk,
    restricted_mean_time,
)

RATES = np.array([0.2, 0.6, 0.1, 0.1])  # per year: breakdown, planned end, move down, move up


def _competing(rng: np.random.Generator, n: int, censor_rate: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    total = RATES.sum()
    t = rng.exponential(1 / total, n)
    cause = rng.choice(np.arange(1, RATES.size + 1), p=RATES / total, size=n)
    censor = rng.exponential(1 / censor_rate, n)
    return np.minimum(t, censor), np.where(t <= censor, cause, 0)


def test_aalen_johansen_by_hand() -> None:
    # 4 episodes: cause 1 at t=1, censored at 2, cause 2 at 3, cause 1 at 4
    aj = aalen_johansen(np.array([1.0, 2, 3, 4]), np.array([1, 0, 2, 1]))
    assert aj["at_risk"].to_list() == [4, 3, 2, 1]
    assert aj["cif_1"].to_list() == pytest.approx([0.25, 0.25, 0.25, 0.25 + 0.375])
    assert aj["cif_2"].to_list() == pytest.approx([0, 0, 0.375, 0.375])
    assert aj["survival"][-1] == pytest.approx(0.0)


def test_aalen_johansen_matches_constant_hazards() -> None:
    d, c = _competing(np.random.default_rng(7), 20_000)
    aj = aalen_johansen(d, c)
    total = RATES.sum()
    grid = np.array([0.5, 1.0, 2.0, 3.0])
    idx = np.searchsorted(aj["time"].to_numpy(), grid, side="right") - 1
    for k, rate in enumerate(RATES, start=1):
        analytic = rate / total * (1 - np.exp(-total * grid))
        # binomial sd <= 0.5/sqrt(n_at_risk) ~ 0.006 at t = 3; allow 4 sd
        assert aj[f"cif_{k}"].to_numpy()[idx] == pytest.approx(analytic, abs=0.012)
    assert np.allclose(aj["survival"] + sum(aj[f"cif_{k}"] for k in range(1, 5)), 1.0)


def test_matches_lifelines_aalen_johansen() -> None:
    from lifelines import AalenJohansenFitter

    d, c = _competing(np.random.default_rng(3), 400)  # continuous times: no ties, no jitter
    aj = aalen_johansen(d, c)
    theirs = AalenJohansenFitter(calculate_variance=False).fit(d, c, event_of_interest=1).cumulative_density_
    t = theirs.index.to_numpy()[1:]
    mine = aj["cif_1"].to_numpy()[np.searchsorted(aj["time"].to_numpy(), t)]
    assert mine == pytest.approx(theirs.iloc[1:, 0].to_numpy(), abs=1e-10)


def test_naive_km_overstates_breakdown_risk() -> None:
    d, c = _competing(np.random.default_rng(1), 5_000)
    aj = aalen_johansen(d, c)
    km = naive_km_risk(d, c, cause=1)
    at = int(np.searchsorted(aj["time"].to_numpy(), 3.0) - 1)
    # analytic: naive KM estimates 1 - exp(-0.2 t) = 0.45 at t = 3; the true CIF is 0.2/1.0 * (1 - e^-3) = 0.19
    assert km["risk"][at] == pytest.approx(1 - np.exp(-0.6), abs=0.03)
    assert aj["cif_1"][at] == pytest.approx(0.2 * (1 - np.exp(-3.0)), abs=0.02)
    assert km["risk"][at] > 2 * aj["cif_1"][at]


def test_restricted_mean_time_of_exponential() -> None:
    d, c = _competing(np.random.default_rng(2), 20_000, censor_rate=0.01)
    # all-cause rate 1.0: RMST(2) = (1 - e^-2) / 1
    assert restricted_mean_time(d, c, horizon=2.0) == pytest.approx(1 - np.exp(-2.0), abs=0.015)


def test_expected_years_on_steps_by_hand() -> None:
    # step 5: one episode lasting exactly 1 year (exit), entries 2 a year, horizon 3 years
    exits = pl.DataFrame({"step": [5], "duration_days": [365.25], "cause_code": [2]},
                         schema_overrides={"step": pl.Int16, "cause_code": pl.Int8})
    out = expected_years_on_steps(exits, horizon_years=3.0, entries_per_year={5: 2.0})
    assert out["rmst_years"][0] == pytest.approx(1.0)
    # ∫_0^1 (3 - t) dt = 2.5 child-years per unit entry rate
    assert out["child_years"][0] == pytest.approx(5.0)


def test_cox_recovers_injected_hazard_ratio() -> None:
    rng = np.random.default_rng(11)
    n = 3_000
    pilot = rng.random(n) < 0.5
    age = rng.uniform(0, 17, n)
    hr_pilot, hr_age = 0.6, 1.05  # injected
    rate = 0.3 * hr_pilot ** pilot * hr_age ** age
    t = rng.exponential(1 / rate)
    other = rng.exponential(1 / 0.5, n)  # competing planned ends
    end = np.minimum(t, other)
    exits = pl.DataFrame({"duration_days": end * 365.25, "cause": np.where(t <= other, "breakdown", "planned_end"),
                          "age_years": age, "pilot": pilot, "residential": np.ones(n, dtype=bool)})
    fit = cause_specific_cox(exits, cause="breakdown")
    hr = dict(zip(fit["covariate"], fit["hazard_ratio"], strict=True))
    assert set(hr) == {"age_years", "pilot"}  # constant covariates dropped
    assert hr["pilot"] == pytest.approx(hr_pilot, rel=0.12)
    assert hr["age_years"] == pytest.approx(hr_age, rel=0.02)
    row = fit.filter(pl.col("covariate") == "pilot")
    assert row["ci_low"][0] <= hr_pilot <= row["ci_high"][0]


def test_competing_exits_from_register_and_bad_input() -> None:
    from tests.evaluation.test_panel import _register

    exits = competing_exits(_register(), as_of=date(2024, 3, 1)).sort("episode_id")
    assert exits["cause"].to_list() == ["moved_up", None, None, "planned_end"]
    assert exits["duration_days"].to_list() == [26.0, 20.0, 60.0, 273.0]
    assert exits["placement"].to_list() == [False, True, False, True]
    assert exits["pilot"].to_list() == [False, False, False, False]  # A adopted 15 Feb, after these starts
    with pytest.raises(InvalidInput, match="row 2"):
        aalen_johansen(np.array([1.0, -1.0]), np.array([1, 1]))
