"""Levers (#19 item 4): rate adjustments (multiply or add, rows normalised), the exit lever,
filters by sex and age band, and costs per placement type and provider."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.forecast import (
    CostTable,
    Price,
    RateAdjustment,
    Scenario,
    adjust,
    cost_by_type,
    estimate,
    filter_register,
    project_expected,
    simulate,
    type_mix,
)
from trappen.forecast._estimate import DAYS_PER_MONTH

CUTOFF = date(2023, 12, 31)


@pytest.fixture(scope="module")
def model(synthetic):
    return estimate(synthetic, cutoff=CUTOFF)


def test_a_rate_adjustment_of_one_changes_nothing(model):
    same = Scenario(name="same", rate_adjustments=(RateAdjustment(from_state=3, to_state=5, multiply=1.0),
                                                   RateAdjustment(from_state=0, to_state=1, add=0.0)),
                    exit_rate_change_pct=0.0)
    assert np.array_equal(adjust(model.transition, model=model, scenario=same), model.transition)
    base = simulate(model, months=12, replicates=20, seed=3)
    other = simulate(model, months=12, replicates=20, seed=3, scenario=same)
    assert np.array_equal(base.mean, other.mean) and np.array_equal(base.p90, other.p90)


def test_multiply_and_add_keep_rows_summing_to_one(model):
    doubled = adjust(model.transition, model=model,
                     scenario=Scenario(rate_adjustments=(RateAdjustment(from_state=3, to_state=5, multiply=2.0),)))
    assert np.allclose(doubled[..., 3, 5], 2 * model.transition[..., 3, 5])
    assert np.allclose(doubled.sum(-1), 1.0)
    assert (doubled[:4, :, 3, 3] < model.transition[:4, :, 3, 3]).all()  # staying absorbs it (ages 0-17)
    added = adjust(model.transition, model=model,
                   scenario=Scenario(rate_adjustments=(RateAdjustment(from_state=2, to_state=0, add=0.05),)))
    children = slice(0, 4)  # age bands 0-17: the move is allowed there, not from 18
    assert np.allclose(added[children, :, 2, 0], model.transition[children, :, 2, 0] + 0.05)
    assert np.allclose(added[4:], model.transition[4:], atol=1e-12)  # not allowed from 18: unchanged
    assert np.allclose(added.sum(-1), 1.0)
    huge = adjust(model.transition, model=model,
                  scenario=Scenario(rate_adjustments=(RateAdjustment(from_state=4, to_state=0, add=1.0),)))
    assert np.allclose(huge.sum(-1), 1.0) and (huge >= 0).all()


def test_exit_lever_keeps_children_longer(model):
    longer = project_expected(model, months=24, scenario=Scenario(exit_rate_change_pct=-50))
    base = project_expected(model, months=24)
    assert longer.mean[-1, 1:7].sum() > base.mean[-1, 1:7].sum()


def test_bad_adjustments_are_named(model):
    bad = Scenario(rate_adjustments=(RateAdjustment(from_state=9, to_state=9, multiply=-1),))
    with pytest.raises(InvalidInput) as e:
        simulate(model, months=6, replicates=2, seed=1, scenario=bad)
    fields = {p.field for p in e.value.problems}
    assert {"rate_adjustments[0].from_state", "rate_adjustments[0].to_state",
            "rate_adjustments[0].multiply"} <= fields


def test_scenario_file_reads_rate_adjustments(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("exit_rate_change_pct = -10\n[[rate_adjustments]]\nfrom_state = 3\nto_state = 5\n"
                    "multiply = 1.5\n", encoding="utf-8")
    sc = Scenario.from_toml(path)
    assert sc.exit_rate_change_pct == -10
    assert sc.rate_adjustments == (RateAdjustment(from_state=3, to_state=5, multiply=1.5),)
    path.write_text("[[rate_adjustments]]\nfrom_state = 3\nto_state = 5\nmultiply = -1\n", encoding="utf-8")
    with pytest.raises(InvalidInput):
        Scenario.from_toml(path)


def test_costs_per_type_and_provider_sum_to_the_total(synthetic, model):
    mix = type_mix(synthetic, cutoff=CUTOFF)
    assert np.allclose(mix.group_by("step").agg(pl.col("share").sum())["share"].to_numpy(), 1.0)
    types = mix["type_code"].unique().sort().to_list()
    prices = [Price(type_code=types[0], provider="A", per_day=100.0, share=0.25),
              Price(type_code=types[0], provider="B", per_day=300.0, share=0.75)]
    costs = CostTable(currency="EUR", inflation_pct_per_year=3.0, prices=tuple(prices), default_per_day=50.0)
    proj = project_expected(model, months=24)
    table = cost_by_type(proj, mix=mix, costs=costs)
    assert set(table["currency"].unique()) == {"EUR"}
    # the total, computed independently: children per step x the step's mean day price
    day = {t: (100 * 0.25 + 300 * 0.75) if t == types[0] else 50.0 for t in types}
    step_price = {s: sum(sh * day[t] for s2, t, sh in mix.iter_rows() if s2 == s) for s in range(1, 7)}
    growth = 1.03 ** (np.arange(25) / 12)
    total = sum(proj.mean[:, s] * step_price.get(s, 0.0) for s in range(1, 7)) * DAYS_PER_MONTH * growth
    per_month = table.group_by("month").agg(pl.col("cost").sum()).sort("month")["cost"].to_numpy()
    assert np.allclose(per_month, total)
    children = table.group_by("month").agg(pl.col("children").sum()).sort("month")["children"].to_numpy()
    on_steps = [s for s in range(1, 7) if s in step_price and step_price[s] > 0]
    assert np.allclose(children, proj.mean[:, on_steps].sum(axis=1))
    # a type without a price and no default is named
    with pytest.raises(InvalidInput) as e:
        cost_by_type(proj, mix=mix, costs=CostTable(currency="EUR", inflation_pct_per_year=0, prices=()))
    assert {p.value for p in e.value.problems} == set(types)


def test_cost_file_shares_must_sum_to_one(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('currency = "GBP"\ninflation_pct_per_year = 2\n[[prices]]\ntype = "u1"\nprovider = "PR1"\n'
                    'per_day = 120\nshare = 0.5\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        CostTable.from_toml(path)
    assert e.value.problems[0].field == "prices.U1.share"
    path.write_text('currency = "GBP"\n[[prices]]\ntype = "u1"\nper_day = 120\n', encoding="utf-8")
    table = CostTable.from_toml(path)
    assert table.per_day("U1") == 120 and table.currency == "GBP"


def test_filters_by_sex_and_age_band(synthetic):
    girls = filter_register(synthetic, sex="F")
    assert set(girls.children["sex"].unique()) == {"F"}
    assert set(girls.episodes["child_id"].unique()) <= set(girls.children["child_id"])
    assert 0 < girls.children.height < synthetic.children.height
    teens = filter_register(synthetic, age_from=12, age_to=17, on=CUTOFF)
    born = teens.children["birth_date"]
    assert born.min() > date(2005, 12, 31) and born.max() <= date(2011, 12, 31)
    m_all, m_teen = estimate(synthetic, cutoff=CUTOFF), estimate(teens, cutoff=CUTOFF)
    assert 0 < m_teen.start.sum() < m_all.start.sum()
    assert m_teen.start[:12 * 12].sum() == 0  # nobody under 12 on the cut-off day
    with pytest.raises(InvalidInput):
        filter_register(synthetic, sex="X")
    with pytest.raises(InvalidInput):
        filter_register(synthetic, age_from=10, age_to=5, on=CUTOFF)
