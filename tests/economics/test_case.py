"""Investment case: hand-computed golden cases, a cross-check, invariants and refusals."""

from __future__ import annotations

import copy

import numpy as np
import numpy_financial as npf
import pytest

from trappen.economics import (
    case_from_dict,
    discount_factors,
    evaluate_case,
    herning_pilot_path,
    load_case,
)
from trappen.errors import InvalidInput


def test_golden_zero_discounting(golden):
    r = evaluate_case(case_from_dict(golden(0.0)))
    np.testing.assert_allclose(r.net, [-50_000, 20_000, 90_000, 90_000])
    np.testing.assert_allclose(r.cumulative, [-50_000, -30_000, 60_000, 150_000])
    assert r.npv_dkk == pytest.approx(150_000)
    # municipality: savings 0, 60k, 120k, 120k minus 50k a year = -50 + 10 + 70 + 70 = 100k
    # region: savings 0, 10k, 20k, 20k = 50k, no cost
    assert r.npv_by_payer == pytest.approx({"municipality": 100_000, "region": 50_000, "state": 0})
    # PV cost 4 x 50k = 200k; PV savings 350k; ratio 1.75
    assert r.pv_cost_dkk == pytest.approx(200_000)
    assert r.benefit_cost_ratio == pytest.approx(1.75)
    # cumulative first >= 0 (and stays) in year index 2
    assert r.payback_year == 2 and r.payback_year_undiscounted == 2
    # savings per unit of net success rate: 10 x 70,000 x (0 + 0.5 + 1 + 1) = 1,750,000
    # break-even net rate 200,000 / 1,750,000 = 0.1142857; rate with = 0.3 + that
    assert r.break_even_effect == pytest.approx(200_000 / 1_750_000)
    assert r.break_even_success_rate_with == pytest.approx(0.3 + 200_000 / 1_750_000)
    # net[1] = 20k > 0 and cumulative at end of year 3 (index 2) = 60k > 0
    assert r.rule_met is True and r.rule_parts == {"earn_back": True, "surplus": True}


def test_golden_three_and_a_half_percent(golden):
    r = evaluate_case(case_from_dict(golden(0.035)))
    # factors 1, 1/1.035 = 0.966184, 1/1.035^2 = 0.933511, 1/1.035^3 = 0.901943
    np.testing.assert_allclose(r.discount_factor, [1, 1 / 1.035, 1 / 1.035**2, 1 / 1.035**3])
    # -50,000 + 20,000/1.035 (19,323.67) + 90,000/1.035^2 (84,015.96) + 90,000/1.035^3 (81,174.84)
    assert r.npv_dkk == pytest.approx(134_514.478, abs=0.01)
    assert r.payback_year == 2


def test_cross_check_numpy_financial(golden):
    # numpy_financial.npv discounts the FIRST value at t=0 (not at t=1, unlike Excel's NPV()),
    # which is our convention: year 0 undiscounted.
    r = evaluate_case(case_from_dict(golden(0.035)))
    assert r.npv_dkk == pytest.approx(npf.npv(0.035, r.net), rel=1e-12)
    herning = evaluate_case(load_case(herning_pilot_path()))
    assert herning.npv_dkk == pytest.approx(npf.npv(0.035, herning.net), rel=1e-12)


def test_default_discount_is_finansministeriet_3_5_percent(golden):
    d = golden()
    del d["discount"]
    case = case_from_dict(d)
    assert case.discount_schedule[0] == (0, 35, 0.035)
    assert evaluate_case(case).npv_dkk == pytest.approx(134_514.478, abs=0.01)


def test_stepwise_schedule():
    # 10 % in year 1, 0 % afterwards: factors 1, 1/1.1, 1/1.1, 1/1.1
    f = discount_factors(((0, 1, 0.10), (2, 5, 0.0)), 4)
    np.testing.assert_allclose(f, [1, 1 / 1.1, 1 / 1.1, 1 / 1.1])


def test_npv_linear_in_success_rate_and_break_even_is_zero(golden):
    rates = [0.3, 0.45, 0.6, 0.9]
    npvs = [evaluate_case(case_from_dict(golden(0.035, success_rate_with=w))).npv_dkk for w in rates]
    slopes = np.diff(npvs) / np.diff(rates)
    np.testing.assert_allclose(slopes, slopes[0], rtol=1e-10)
    be = evaluate_case(case_from_dict(golden(0.035))).break_even_success_rate_with
    at_be = evaluate_case(case_from_dict(golden(0.035, success_rate_with=be)))
    assert at_be.npv_dkk == pytest.approx(0, abs=1e-6)


def test_payer_parts_sum_to_total():
    r = evaluate_case(load_case(herning_pilot_path()))
    assert sum(r.npv_by_payer.values()) == pytest.approx(r.npv_dkk)
    np.testing.assert_allclose(r.net_by_payer.sum(axis=0), r.net)
    table = r.who_pays_who_saves()
    assert table["npv_dkk"].sum() == pytest.approx(r.npv_dkk)
    assert r.yearly()["net_dkk"].to_list() == pytest.approx(list(r.net))


def test_zero_effect_gives_minus_the_cost(golden):
    r = evaluate_case(case_from_dict(golden(0.035, success_rate_with=0.3)))
    assert r.npv_dkk == pytest.approx(-r.pv_cost_dkk)
    assert r.payback_year is None and r.rule_met is False


def test_rule_not_met_when_year_after_is_negative(golden):
    d = golden(0.0)
    d["decision_rule"] = {"name": "earn back at once", "earn_back_after_years": 0}
    r = evaluate_case(case_from_dict(d))
    assert r.rule_met is False and r.rule_parts == {"earn_back": False}


def test_fading_and_shift_effect(golden):
    # fading 50 % a year from year 2: multipliers 0, 0.5, 1, 0.5 -> savings 0, 70k, 140k, 70k
    r = evaluate_case(case_from_dict(golden(0.0, fading_per_year=0.5, fading_from_year=2)))
    np.testing.assert_allclose(r.benefit_by_payer.sum(axis=0), [0, 70_000, 140_000, 70_000])
    d = golden(0.0)
    d["effect"] = {"kind": "shift", "child_years": {"6": [0, -1, -2]}}
    r = evaluate_case(case_from_dict(d))
    # savings 0, 70k, 140k, 0 (years not listed are zero), costs 50k a year
    np.testing.assert_allclose(r.net, [-50_000, 20_000, 90_000, -50_000])
    # break-even scale: PV cost 200k / savings per unit scale 210k
    assert r.break_even_effect == pytest.approx(200_000 / 210_000)


def test_price_year_conversion_uses_index(golden):
    d = golden(0.0)
    d["prices"][0]["price_year"] = 2023
    index = {2023: 100.0, 2024: 110.0}
    r = evaluate_case(case_from_dict(d, price_index=index))
    # 70,000 x 1.1 = 77,000 per success: savings 0, 77k, 154k, 154k
    np.testing.assert_allclose(r.benefit_by_payer.sum(axis=0), [0, 77_000, 154_000, 154_000])


def _refused(d: dict, *names: str) -> str:
    with pytest.raises(InvalidInput) as exc:
        case_from_dict(d)
    msg = str(exc.value)
    for name in names:
        assert name in msg, msg
    return msg


def test_bad_inputs_are_refused_naming_them(golden):
    d = golden()
    d["costs"][0]["fte"] = -1
    _refused(d, "costs.caseworker.fte", "negative")

    d = golden()
    d["case"]["horizon_years"] = 0
    _refused(d, "case.horizon_years", "0")

    d = golden()
    d["discount"]["periods"] = [{"from_year": 0, "to_year": 1, "rate_per_year": 0.035},
                                {"from_year": 3, "to_year": 35, "rate_per_year": 0.035}]
    _refused(d, "discount_schedule[1].from_year", "gap")

    d = golden()
    d["discount"]["periods"] = [{"from_year": 0, "to_year": 2, "rate_per_year": 0.035}]
    _refused(d, "discount_schedule", "horizon")

    d = golden()
    del d["prices"][0]["price_year"]
    _refused(d, "prices.6.price_year", "price year")

    d = golden()
    d["prices"][0]["price_year"] = 1850
    _refused(d, "prices.6.price_year", "1850")

    d = golden()
    d["prices"][0]["county"] = 5
    _refused(d, "prices.6.county")

    d = golden()
    d["prices"] = []
    _refused(d, "prices.6", "no price")

    d = golden(success_rate_with=1.5)
    _refused(d, "effect.success_rate_with", "1.5")

    d = golden(success_rate_with={"dist": "triangular", "low": 0.5, "mode": 0.4, "high": 0.6})
    _refused(d, "effect.success_rate_with", "low <= mode <= high")

    d = golden(success_rate_with={"dist": "beta", "a": 1})
    _refused(d, "effect.success_rate_with.dist", "beta")

    d = golden()
    d["costs"][0]["payer"] = "county"
    _refused(d, "costs.caseworker.payer", "county")

    d = golden()
    d["effect"]["kind"] = "magic"
    _refused(d, "effect.kind")


def test_load_case_file_errors(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[case\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_case(p)
    with pytest.raises(FileNotFoundError):
        load_case(tmp_path / "missing.toml")


def test_inputs_are_frozen(golden):
    case = case_from_dict(golden())
    with pytest.raises(AttributeError):
        case.horizon_years = 3  # type: ignore[misc]
    # building from the same dict twice gives equal results (no shared mutable state)
    d = golden()
    assert evaluate_case(case_from_dict(copy.deepcopy(d))).npv_dkk == evaluate_case(case_from_dict(d)).npv_dkk


def test_shift_effect_from_forecast_frames(golden):
    import dataclasses

    import polars as pl

    from trappen.economics import shift_effect_from_frames

    baseline = pl.DataFrame({"year": [2024, 2025, 2026, 2025], "step": [6, 6, 6, 3],
                             "child_years": [10.0, 10.0, 10.0, 5.0]})
    scenario = pl.DataFrame({"year": [2024, 2025, 2026, 2025, 2030], "step": [6, 6, 6, 3, 6],
                             "child_years": [10.0, 9.0, 8.0, 6.0, 1.0]})
    eff = shift_effect_from_frames(scenario, baseline, start_year=2024, horizon_years=4)
    # step 6: 0, -1, -2, 0 (2027 absent in both); step 3: 0, +1, 0, 0; 2030 is outside the horizon
    assert eff.child_years_by_step == {3: (0.0, 1.0, 0.0, 0.0), 6: (0.0, -1.0, -2.0, 0.0)}
    case = case_from_dict(golden(0.0))
    with pytest.raises(InvalidInput, match="prices.3"):
        dataclasses.replace(case, effect=eff)
    six_only = shift_effect_from_frames(scenario.filter(pl.col("step") == 6),
                                        baseline.filter(pl.col("step") == 6), start_year=2024, horizon_years=4)
    r = evaluate_case(dataclasses.replace(case, effect=six_only))
    np.testing.assert_allclose(r.net, [-50_000, 20_000, 90_000, -50_000])
    with pytest.raises(InvalidInput, match="child_years"):
        shift_effect_from_frames(scenario.drop("child_years"), baseline, start_year=2024, horizon_years=4)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(0, 0.2), fte=st.floats(0, 20), price=st.floats(0, 2e6),
       region=st.floats(0, 1e6), without=st.floats(0, 0.5), change=st.floats(-2, 2))
def test_properties_linear_and_payers_add_up(rate, fte, price, region, without, change):
    from economics_cases import golden as make

    def case(with_):
        d = make(rate, success_rate_with=with_, success_rate_without=without,
                 use_change_per_success={"6": change})
        d["costs"][0]["fte"] = fte
        d["prices"][0].update(municipality=price, region=region)
        return case_from_dict(d)

    r = [evaluate_case(case(w)) for w in (without, without + 0.25, without + 0.5)]
    scale = 1 + abs(r[0].npv_dkk) + abs(r[2].npv_dkk)
    assert r[1].npv_dkk == pytest.approx((r[0].npv_dkk + r[2].npv_dkk) / 2, abs=1e-9 * scale)
    assert sum(r[2].npv_by_payer.values()) == pytest.approx(r[2].npv_dkk, abs=1e-9 * scale)
    assert r[0].npv_dkk == pytest.approx(-r[0].pv_cost_dkk, abs=1e-9 * scale)
    if r[2].break_even_success_rate_with is not None:
        be = r[2].break_even_success_rate_with
        if 0 <= be <= 1:
            assert evaluate_case(case(be)).npv_dkk == pytest.approx(0, abs=1e-6 * scale)


def test_a_forecast_scenario_becomes_a_case_whose_effect_is_its_shift():
    """shift_case: effect (a) = scenario minus baseline child-years per step and year, priced per
    step; the case evaluates, and a step that did not move is left out."""
    import tomllib

    import polars as pl

    from trappen.economics import case_from_dict, case_to_toml, evaluate_case, shift_case

    years = [2026, 2026, 2026, 2027, 2027, 2027]
    steps = [3, 5, 6] * 2
    baseline = pl.DataFrame({"year": years, "step": steps, "child_years": [10.0, 20.0, 8.0, 10.0, 20.0, 8.0]})
    scenario = pl.DataFrame({"year": years, "step": steps, "child_years": [11.0, 20.0, 7.5, 12.0, 20.0, 7.0]})
    data = shift_case(name="From the forecast", description="test", scenario=scenario, baseline=baseline,
                      start_year=2026, horizon_years=2, price_year=2025,
                      prices={3: 100_000.0, 5: 470_000.0, 6: 1_160_000.0}, prices_source="catalogue",
                      extra_fte=1.5, dkk_per_fte_per_year=483_000.0, fte_price_year=2022, fte_source="ref")
    assert data["effect"]["child_years"] == {"3": [1.0, 2.0], "6": [-0.5, -1.0]}
    assert [p["step"] for p in data["prices"]] == [3, 6]
    assert tomllib.loads(case_to_toml(data)) == data
    case = case_from_dict(data)
    result = evaluate_case(case)
    # savings by hand: year 0 = 0.5 x 1,160,000 - 1 x 100,000; year 1 = 1 x 1,160,000 - 2 x 100,000
    # (the caseworkers' cost is in 2022 prices and converted with the index, so not checked here)
    assert result.benefit_by_payer.sum(axis=0) == pytest.approx([480_000.0, 960_000.0])
    assert result.rule_met is None  # two years: Herning's four-year rule is left out
