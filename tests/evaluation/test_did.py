"""Staggered DiD: hand cases, a second implementation, TWFE bias, coverage and size."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from tests.evaluation.conftest import simulate_panel, to_long

from trappen.errors import InvalidInput
from trappen.evaluation import (
    att_cells,
    bacon_decomposition,
    randomisation_p_value,
    staggered_did,
    twfe,
)


def test_two_by_two_by_hand() -> None:
    # units 0,1 treated from period 1; units 2,3 never. ATT = (mean change T) - (mean change C)
    y = np.array([[1.0, 4.0], [2.0, 7.0], [1.0, 2.0], [3.0, 5.0]])
    cells = att_cells(y, np.array([1, 1, np.inf, np.inf]))
    assert cells.att.tolist() == [pytest.approx(((4 - 1 + 7 - 2) / 2) - ((2 - 1 + 5 - 3) / 2))]
    assert cells.n_treated.tolist() == [2] and cells.n_control.tolist() == [2]


def test_two_by_two_equals_ols_interaction() -> None:
    rng = np.random.default_rng(3)
    y, cohort = simulate_panel(rng, cohorts=[4] * 5 + [np.inf] * 6, periods=6, effect=2.0)
    cells = att_cells(y, cohort, control="never_treated")
    for g, t, att in zip(cells.cohort, cells.period, cells.att, strict=True):
        sub = y[:, [g - 1, t]]
        treat = np.repeat((cohort == g).astype(float), 2)
        post = np.tile([0.0, 1.0], y.shape[0])
        x = sm.add_constant(np.column_stack([treat, post, treat * post]))
        assert sm.OLS(sub.ravel(), x).fit().params[3] == pytest.approx(att, abs=1e-10)


def test_matches_diff_diff_callaway_santanna() -> None:
    pd = pytest.importorskip("pandas")
    from diff_diff import CallawaySantAnna

    rng = np.random.default_rng(1)
    y, cohort = simulate_panel(rng, cohorts=[3] * 4 + [6] * 4 + [np.inf] * 4, periods=10, effect=1.0, slope=0.3)
    n, t = y.shape
    frame = pd.DataFrame({"unit": np.repeat(np.arange(n), t), "time": np.tile(np.arange(1, t + 1), n),
                          "y": y.ravel(),
                          "first_treat": np.repeat(np.where(np.isfinite(cohort), cohort + 1, 0), t).astype(int)})
    theirs = CallawaySantAnna(control_group="not_yet_treated", estimation_method="reg",
                              base_period="universal").fit(frame, outcome="y", unit="unit", time="time",
                                                           first_treat="first_treat")
    cells = att_cells(y, cohort)
    assert cells.att.size == 18
    for g, p, att in zip(cells.cohort, cells.period, cells.att, strict=True):
        assert theirs.group_time_effects[(g + 1, p + 1)]["effect"] == pytest.approx(att, abs=1e-9)


def test_not_yet_treated_controls_exclude_treated_and_later_cells() -> None:
    # two cohorts, no never-treated: after the late cohort adopts, no control remains
    y = np.zeros((4, 6))
    cells = att_cells(y, np.array([2, 2, 4, 4.0]))
    assert set(zip(cells.cohort.tolist(), cells.period.tolist(), strict=True)) == {(2, 0), (2, 2), (2, 3)}
    assert att_cells(y, np.array([2, 2, 4, 4.0]), control="never_treated").att.size == 0


def test_twfe_biased_where_callaway_santanna_is_not() -> None:
    # heterogeneous, dynamic effects: effect = 1 + 1 * (periods since adoption), seeded noise
    y, cohort = simulate_panel(np.random.default_rng(0), cohorts=[2] * 3 + [5] * 3 + [8] * 3, periods=10,
                               effect=1.0, slope=1.0, noise_sd=0.1)
    result = staggered_did(to_long(y, cohort), outcome="y", draws=50, seed=1)
    post = result.event_study.filter(pl.col("event_time") >= 0)
    truth = 1.0 + post["event_time"].cast(pl.Float64).to_numpy()
    assert np.allclose(post["att"].to_numpy(), truth, atol=0.3)
    assert np.allclose(result.event_study.filter(pl.col("event_time") < -1)["att"].to_numpy(), 0.0, atol=0.3)
    # true ATT over identified treated cells (cohorts 2 and 5 up to period 7, where cohort 8 is a control)
    truth_cs = np.mean([np.mean([1 + (t - 2) for t in range(2, 8)]), np.mean([1 + (t - 5) for t in range(5, 8)])])
    cs = result.overall["att"][0]
    assert cs == pytest.approx(truth_cs, abs=0.2)
    fit = twfe(y, cohort)
    assert fit.se > 0 and 0 <= fit.p_value <= 1
    assert abs(fit.coefficient - truth_cs) > 1.0  # TWFE pulled far from the truth by forbidden comparisons
    bacon = bacon_decomposition(y, cohort)
    assert bacon["weight"].sum() == pytest.approx(1.0)
    assert (bacon["weight"] * bacon["estimate"]).sum() == pytest.approx(fit.coefficient, abs=1e-9)
    forbidden = bacon.filter(pl.col("kind") == "later_vs_earlier")
    assert (forbidden["estimate"] < 1.0).all()  # already-treated controls subtract growing effects


def test_twfe_p_value_is_statsmodels_clustered_normal() -> None:
    import statsmodels.api as sm

    y, cohort = simulate_panel(np.random.default_rng(3), cohorts=[3] * 4 + [np.inf] * 4, periods=6, effect=1.0)
    n, t = y.shape
    unit = np.repeat(np.arange(n), t)
    x = np.column_stack([(np.arange(t)[None, :] >= cohort[:, None]).astype(float).ravel(),
                         np.eye(n)[unit], np.eye(t)[np.tile(np.arange(t), n)][:, 1:]])
    ref = sm.OLS(y.ravel(), x).fit(cov_type="cluster", cov_kwds={"groups": unit})
    fit = twfe(y, cohort)
    assert fit.se == pytest.approx(float(ref.bse[0]), rel=1e-9)
    assert fit.p_value == pytest.approx(float(ref.pvalues[0]), rel=1e-9)


def test_twfe_on_a_noise_free_panel_has_zero_se_and_no_p_value() -> None:
    # the degenerate case: a constant effect and no noise, so TWFE fits exactly, the residuals are
    # zero and the clustered variances are rounding noise (some of them tiny negative numbers)
    y, cohort = simulate_panel(np.random.default_rng(0), cohorts=[2] * 3 + [5] * 3 + [8] * 3, periods=10,
                               effect=1.0, slope=0.0, noise_sd=0.0)
    fit = twfe(y, cohort)
    assert fit.coefficient == pytest.approx(1.0, abs=1e-9)
    assert fit.se == 0.0
    assert np.isnan(fit.p_value)


def test_bacon_sums_to_twfe_with_never_and_always_treated() -> None:
    y, cohort = simulate_panel(np.random.default_rng(5), cohorts=[0, 0, 3, 3, 3, 6, 6, np.inf, np.inf, np.inf],
                               periods=9, effect=2.0, slope=0.5)
    bacon = bacon_decomposition(y, cohort)
    assert (bacon["weight"] * bacon["estimate"]).sum() == pytest.approx(twfe(y, cohort).coefficient, abs=1e-9)
    assert set(bacon["kind"]) == {"treated_vs_never", "earlier_vs_later", "later_vs_earlier"}


def test_event_study_has_sup_t_band_wider_than_pointwise() -> None:
    y, cohort = simulate_panel(np.random.default_rng(2), cohorts=[3] * 4 + [5] * 4 + [np.inf] * 6, periods=8,
                               effect=1.0)
    r = staggered_did(to_long(y, cohort), outcome="y", draws=299, seed=4)
    es = r.event_study.filter(pl.col("event_time") != -1)
    assert (es["band_high"] - es["band_low"] >= es["ci_high"] - es["ci_low"] - 1e-12).all()
    assert r.sup_t_critical > 1.96
    assert r.clusters.treated == 8 and r.clusters.never_treated == 6 and r.clusters.control == 10
    assert r.pretrend is not None and 0 <= r.pretrend.p_value <= 1


def test_pretrend_detects_a_diverging_pre_trend() -> None:
    rng = np.random.default_rng(8)
    y, cohort = simulate_panel(rng, cohorts=[6] * 8 + [np.inf] * 8, periods=9, noise_sd=0.3)
    y[:8] += 0.8 * np.arange(9)[None, :]  # treated districts drift up before adopting
    r = staggered_did(to_long(y, cohort), outcome="y", draws=199, seed=1)
    assert r.pretrend.p_value < 0.01 and r.pretrend.sup_t_reject


def test_single_treated_unit_is_flagged() -> None:
    y, cohort = simulate_panel(np.random.default_rng(0), cohorts=[4] + [np.inf] * 7, periods=8, effect=1.0)
    r = staggered_did(to_long(y, cohort), outcome="y", draws=99, ri_draws=49, seed=0)
    assert r.flags.single_treated and r.flags.placebo_only and r.flags.few_treated
    assert r.overall["analytic_flagged"][0]
    assert any("placebo" in c for c in r.caveats("en"))
    assert any("placebo" in c for c in r.caveats("da"))
    # one treated district of eight: no p-value could reach 5% (1/8), so the design is descriptive:
    # the difference is there, every standard error, interval and p-value is null
    o = r.overall.row(0, named=True)
    assert r.descriptive and o["descriptive"] and np.isfinite(o["att"])
    assert all(o[k] is None for k in ("se", "ci_low", "ci_high", "p_wild", "p_analytic", "p_ri"))
    assert r.event_study["ci_low"].null_count() == r.event_study.height
    assert r.randomisation is None and r.sensitivity is None and not r.pretrend_failed
    assert any("description only" in c for c in r.caveats("en"))
    assert any("beskrivelse" in c for c in r.caveats("da"))


def test_all_adopt_at_once_has_no_controls() -> None:
    y, cohort = simulate_panel(np.random.default_rng(0), cohorts=[3] * 5, periods=6)
    r = staggered_did(to_long(y, cohort), outcome="y", draws=20)
    assert r.flags.no_controls and np.isnan(r.overall["att"][0])
    assert any("other municipalities" in c for c in r.caveats())


def test_unbalanced_or_missing_panel_is_refused() -> None:
    y, cohort = simulate_panel(np.random.default_rng(0), cohorts=[2, np.inf], periods=3)
    long = to_long(y, cohort)
    with pytest.raises(InvalidInput, match="not balanced"):
        staggered_did(long.slice(1), outcome="y")
    with pytest.raises(InvalidInput, match="missing outcome for D00"):
        staggered_did(long.with_columns(y=pl.when(pl.col("period_index") == 1).then(None).otherwise("y")),
                      outcome="y")


def test_injected_effect_recovered_with_nominal_coverage() -> None:
    # 100 seeded replications on a small staggered panel; 95% intervals
    reps, effect = 100, 2.0
    covered = 0
    for seed in range(reps):
        rng = np.random.default_rng(seed)
        y, cohort = simulate_panel(rng, cohorts=[3] * 5 + [5] * 5 + [np.inf] * 8, periods=7, effect=effect)
        r = staggered_did(to_long(y, cohort), outcome="y", draws=199, seed=rng)
        covered += r.overall["ci_low"][0] <= effect <= r.overall["ci_high"][0]
    # binomial sd at p = .95 and 100 reps is 2.2 points: accept 88%-100%
    assert covered >= 88  # observed 95


def test_size_under_no_effect_bootstrap_and_randomisation() -> None:
    reps = 100
    boot = ri = 0
    for seed in range(reps):
        rng = np.random.default_rng(1000 + seed)
        y, cohort = simulate_panel(rng, cohorts=[3] * 5 + [5] * 5 + [np.inf] * 8, periods=7)
        r = staggered_did(to_long(y, cohort), outcome="y", draws=199, seed=rng)
        boot += r.overall["p_wild"][0] < 0.05
        ri += randomisation_p_value(y, cohort, draws=99, rng=rng) < 0.05
    # the band: between 1% and 9% rejections at the 5% level
    assert 1 <= boot <= 9
    assert 1 <= ri <= 9


@pytest.mark.parametrize("kind", ["webb", "rademacher", "mammen"])
def test_bootstrap_weights_have_mean_zero_and_unit_variance(kind: str) -> None:
    from trappen.evaluation import bootstrap_weights

    w = bootstrap_weights(np.random.default_rng(0), draws=20_000, clusters=10, kind=kind)
    # sd of the mean of 200,000 unit-variance draws is 0.0022; allow 4 sd
    assert abs(w.mean()) < 0.009 and abs(w.var() - 1) < 0.02
    with pytest.raises(ValueError, match="bootstrap weights"):
        bootstrap_weights(np.random.default_rng(0), draws=1, clusters=1, kind="normal")


def test_single_treated_randomisation_is_the_placebo_rank() -> None:
    # one treated district with a large effect: its overall ATT is the most extreme of the 8
    # placebo assignments, so the permutation p-value approaches 1/8
    y, cohort = simulate_panel(np.random.default_rng(4), cohorts=[4] + [np.inf] * 7, periods=8, effect=10.0,
                               noise_sd=0.2)
    p = randomisation_p_value(y, cohort, draws=2_000, rng=np.random.default_rng(1))
    assert p == pytest.approx(1 / 8, abs=0.02)
