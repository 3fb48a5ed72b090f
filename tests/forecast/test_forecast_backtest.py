"""Back-test on a synthetic municipality with a known change (all districts adopt the model
in 2021): fitted on the three years after the change, the truth falls inside the bands."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from trappen.forecast import Scenario, compare, estimate, observed_counts, project_expected, simulate


@pytest.fixture(scope="module")
def changed():
    from trappen.synthetic import generate

    return generate(children=3000, years=8, seed=11, pilot_districts=8, pilot_from=2021)


def test_backtest_lands_within_bands(changed):
    from trappen.forecast import backtest

    bt = backtest(changed, cutoffs=[date(2023, 12, 31)], horizon_months=24, replicates=100, seed=1)
    table = bt.summary
    assert table["series"].to_list() == [*(f"step_{s}" for s in range(1, 7)), "mean_of_steps", "total"]
    steps = table.filter(pl.col("series").str.starts_with("step_"))
    assert steps["coverage_p10_p90"].mean() >= 0.7
    assert table.filter(series="step_3")["mape_pct"].item() < 25
    assert (table["coverage_p5_p95"] >= table["coverage_p10_p90"]).all()


def test_total_is_the_sum_of_the_steps_and_baselines_are_what_they_say(changed):
    from trappen.forecast import backtest

    cuts = [date(2023, 6, 30), date(2023, 12, 31)]
    bt = backtest(changed, cutoffs=cuts, horizon_months=6, replicates=20, seed=1)
    d = bt.detail
    assert d["cutoff"].unique().sort().to_list() == cuts
    steps = d.filter(pl.col("series") != "total").group_by("cutoff", "month").agg(
        pl.col("observed", "mean", "no_change", "trend").sum())
    total = d.filter(series="total").join(steps, on=["cutoff", "month"], suffix="_steps")
    for c in ("observed", "mean", "no_change"):
        np.testing.assert_allclose(total[c], total[f"{c}_steps"])
    # no change: the count on the cut-off day, which is the model's start population
    m = estimate(changed, cutoff=cuts[1])
    on3 = d.filter(series="step_3", cutoff=cuts[1])
    assert on3["no_change"].unique().to_list() == [m.start[:, :, 3].sum()]
    # the total's band comes from the replicates' totals, so it is narrower than the steps' bands summed
    t6 = d.filter(series="total", month=6)
    s6 = d.filter(pl.col("series") != "total", month=6).group_by("cutoff").agg((pl.col("p90") - pl.col("p10")).sum())
    assert (t6.sort("cutoff")["p90"] - t6.sort("cutoff")["p10"] <= s6.sort("cutoff")["p90"]).all()


def test_empty_steps_are_left_out_of_the_averages():
    """A step nobody is ever on has no figures (not 'nan MAPE, 100 % inside the band') and
    does not enter the mean of the steps (the old back-test counted it as fully covered)."""
    from trappen.forecast import summarise_backtest

    rows = []
    for month in (1, 2):
        rows += [{"series": "step_1", "observed": 0.0, "mean": 0.0, "p5": 0.0, "p10": 0.0, "p50": 0.0, "p90": 0.0,
                  "p95": 0.0, "no_change": 0.0, "trend": 0.0},
                 {"series": "step_2", "observed": 10.0, "mean": 12.0, "p5": 11.0, "p10": 11.0, "p50": 12.0,
                  "p90": 13.0, "p95": 14.0, "no_change": 10.0, "trend": 9.0}]
        for r in rows[-2:]:
            r["month"] = month
    detail = pl.DataFrame(rows).with_columns(pl.lit(date(2020, 1, 31)).alias("cutoff"))
    table = summarise_backtest(detail, order=["step_1", "step_2", "total"])
    one = table.filter(series="step_1")
    assert one["compared_months"].item() == 0 and one["mape_pct"].item() is None
    assert one["coverage_p10_p90"].item() is None
    mean = table.filter(series="mean_of_steps")
    assert mean["mape_pct"].item() == pytest.approx(20.0)  # step 2 only
    assert mean["no_change_mape_pct"].item() == 0 and mean["trend_mape_pct"].item() == pytest.approx(10.0)
    assert mean["coverage_p10_p90"].item() == 0 and mean["coverage_p5_p95"].item() == 0


def test_binomial_band_and_trend():
    from trappen.forecast import binomial_band, rolling_cutoffs, trend_forecast

    lo, hi = binomial_band(0.8, 100)
    assert 0.71 <= lo < 0.8 < hi <= 0.88  # about 0.8 -/+ 1.96 * 0.04
    lo2, hi2 = binomial_band(0.8, 10_000)
    assert hi2 - lo2 < (hi - lo) / 5
    line = trend_forecast(np.array([[1.0, 5.0], [2.0, 4.0], [3.0, 3.0]]), 3)
    np.testing.assert_allclose(line, [[4.0, 2.0], [5.0, 1.0], [6.0, 0.0]])
    cuts = rolling_cutoffs(last=date(2025, 12, 31), horizon_months=12, origins=3, every_months=6)
    assert cuts == (date(2023, 12, 31), date(2024, 6, 30), date(2024, 12, 31))


def test_observed_counts_match_the_start_population(changed):
    m = estimate(changed, cutoff=date(2023, 12, 31))
    obs = observed_counts(changed, days=[date(2023, 12, 31)], states=m.states)
    np.testing.assert_array_equal(obs[0, : m.states.top + 1], m.start.sum(axis=(0, 1))[: m.states.top + 1])


def test_compare_side_by_side(changed):
    m = estimate(changed, cutoff=date(2023, 12, 31))
    base = project_expected(m, months=12)
    more = simulate(m, months=12, replicates=5, seed=1, scenario=Scenario(name="more", entrant_rate_change_pct=50))
    table = compare(base, [more])
    assert set(table["scenario"].unique()) == {"baseline", "more"}
    assert table.filter(scenario="baseline")["diff_mean"].abs().max() == 0
    row = table.filter(scenario="more", month=12, state="step_3")
    assert row["diff_mean"].item() == pytest.approx(row["mean"].item() - base.mean[12, 3])


def test_scenario_from_toml(tmp_path):
    from trappen.errors import InvalidInput

    path = tmp_path / "close6.toml"
    path.write_text('name = "close 6"\nclosed_steps = [6]\ncaseload_per_caseworker = 25\n'
                    'entrant_rate_change_pct = -10\n[step_caps]\n5 = 40\n', encoding="utf-8")
    sc = Scenario.from_toml(path)
    assert sc == Scenario(name="close 6", closed_steps=(6,), caseload_per_caseworker=25.0,
                          entrant_rate_change_pct=-10.0, step_caps=((5, 40),))
    bad = tmp_path / "bad.toml"
    bad.write_text('closed_step = [6]\ncaseload_per_caseworker = "low"\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        Scenario.from_toml(bad)
    assert "closed_step" in str(err.value) and "caseload_per_caseworker" in str(err.value)
