"""Back-test on a synthetic municipality with a known change (all districts adopt the model
in 2021): fitted on the three years after the change, the truth falls inside the bands."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from trappen.forecast import Scenario, compare, estimate, observed_counts, project_expected, simulate


@pytest.fixture(scope="module")
def changed():
    from trappen.synthetic import generate

    return generate(children=3000, years=8, seed=11, pilot_districts=8, pilot_from=2021)


def test_backtest_lands_within_bands(changed):
    from trappen.forecast import backtest

    table = backtest(changed, cutoff=date(2023, 12, 31), horizon_months=24, replicates=100, seed=1)
    assert table["step"].to_list() == [1, 2, 3, 4, 5, 6]
    assert table["coverage_p10_p90"].mean() >= 0.7
    assert table.filter(step=3)["mape_pct"].item() < 25


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
