"""Rates with history, price index, spending and caseworker costs — hand-computed."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from trappen.economics import (
    RATE_SCHEMA,
    RateTable,
    caseworker_costs,
    convert_price_year,
    default_price_index,
    default_rates,
    spending,
)
from trappen.errors import InvalidInput
from trappen.register import Register
from trappen.staircase import default_catalogue

START, END = date(2024, 1, 1), date(2024, 4, 1)


def rates() -> RateTable:
    base = RateTable.from_frame(pl.DataFrame({
        "intervention_code": ["A", "B"], "valid_from": [date(1900, 1, 1)] * 2,
        "valid_to": pl.Series([None, None], dtype=pl.Date),
        "cost_dkk_per_day": [100.0, 50.0], "price_year": [2024, 2024], "source": ["test", "test"],
    }))
    return base.with_new_price("A", valid_from=date(2024, 2, 10), cost_dkk_per_day=200.0, price_year=2024)


def register() -> Register:
    return Register.from_frames(
        children=pl.DataFrame({
            "child_id": [1, 2], "birth_date": [date(2015, 1, 1)] * 2, "sex": ["F", "M"],
            "district_code": ["D1", "D2"], "entry_date": [date(2015, 1, 1)] * 2,
            "exit_date": pl.Series([None, None], dtype=pl.Date)}),
        episodes=pl.DataFrame({
            "episode_id": [10, 20, 30], "child_id": [1, 2, 2], "intervention_code": ["A", "B", "B"],
            "step": [3, 5, 5],
            "start_date": [date(2024, 1, 20), date(2023, 12, 15), date(2023, 1, 1)],
            "end_date": [date(2024, 3, 5), None, date(2023, 6, 1)],  # episode 30 is before the window
            "end_reason": [None, None, None]},
            schema_overrides={"end_reason": pl.String}),
        caseworkers=pl.DataFrame({
            "caseworker_id": [1, 2], "district_code": ["D1", "D1"], "team_code": ["T", "T"],
            "fte": [1.0, 0.5], "start_date": [date(2024, 1, 1), date(2024, 2, 15)],
            "end_date": [None, date(2024, 3, 1)]}),
    )


def test_new_price_keeps_history():
    r = rates()
    assert r.rate_on("A", date(2024, 2, 9)) == 100.0
    assert r.rate_on("A", date(2024, 2, 10)) == 200.0
    assert r.frame.filter(pl.col("intervention_code") == "A").height == 2
    with pytest.raises(InvalidInput, match="already has a rate"):
        r.with_new_price("A", valid_from=date(2024, 1, 1), cost_dkk_per_day=1.0, price_year=2024)


def test_overlapping_or_yearless_rates_refused():
    frame = rates().frame.with_columns(pl.col("valid_to").fill_null(date(2030, 1, 1)))
    bad = pl.concat([frame, frame.head(1)])
    with pytest.raises(InvalidInput, match="overlaps"):
        RateTable.from_frame(bad)
    with pytest.raises(InvalidInput, match="price year"):
        RateTable.from_frame(frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("price_year")))


def test_spending_splits_at_rate_and_month_boundaries():
    out = spending(register(), rates=rates(), start=START, end=END, by=["episode_id", "month"])
    got = {(r["episode_id"], r["month"].month): (r["days"], r["amount_dkk"]) for r in out.iter_rows(named=True)}
    # episode 10: Jan 20-31 = 12 days x 100; Feb 1-9 = 9 x 100 + Feb 10-29 = 20 x 200 (leap year);
    # Mar 1-4 = 4 x 200
    assert got[(10, 1)] == (12, 1_200)
    assert got[(10, 2)] == (29, 4_900)
    assert got[(10, 3)] == (4, 800)
    # episode 20 (ongoing since Dec 2023), clipped to the window: 31, 29, 31 days x 50
    assert got[(20, 1)] == (31, 1_550) and got[(20, 2)] == (29, 1_450) and got[(20, 3)] == (31, 1_550)
    assert 30 not in {k[0] for k in got}
    assert out["price_year"].unique().to_list() == [2024]


def test_spending_totals_conserved_across_groupings():
    reg, r = register(), rates()
    total = spending(reg, rates=r, start=START, end=END, by=[])["amount_dkk"][0]
    assert total == 6_900 + 4_550
    for by in (["step"], ["district_code"], ["child_id", "intervention_code"], ["month"]):
        assert spending(reg, rates=r, start=START, end=END, by=by)["amount_dkk"].sum() == pytest.approx(total)
    by_district = spending(reg, rates=r, start=START, end=END, by=["district_code"])
    assert dict(by_district.select("district_code", "amount_dkk").iter_rows()) == {"D1": 6_900, "D2": 4_550}


def test_spending_converts_price_years():
    r = RateTable.from_frame(rates().frame.with_columns(
        pl.when(pl.col("intervention_code") == "B").then(2023).otherwise(pl.col("price_year")).alias("price_year")))
    with pytest.raises(InvalidInput, match="price_year"):
        spending(register(), rates=r, start=START, end=END)
    index = {2023: 100.0, 2024: 110.0}
    out = spending(register(), rates=r, start=START, end=END, by=["intervention_code"], price_year=2024, index=index)
    assert dict(out.select("intervention_code", "amount_dkk").iter_rows()) == pytest.approx(
        {"A": 6_900, "B": 4_550 * 1.1})


def test_spending_refuses_days_without_rate():
    r = RateTable.from_frame(rates().frame.filter(pl.col("intervention_code") == "A"))
    with pytest.raises(InvalidInput, match="episode 20"):
        spending(register(), rates=r, start=START, end=END)
    with pytest.raises(InvalidInput, match="by"):
        spending(register(), rates=rates(), start=START, end=END, by=["colour"])


def test_default_rates_from_catalogue():
    cat = default_catalogue()
    dr = default_rates()
    code = cat.codes[0]
    assert dr.rate_on(code, date(2024, 1, 1)) == pytest.approx(cat.get(code).cost_dkk_per_day)
    assert set(dr.frame.columns) == set(RATE_SCHEMA)


def test_caseworker_costs_pro_rata():
    out = caseworker_costs(register(), dkk_per_fte_per_year=366_000, start=START, end=END, by=["month"])
    got = dict(out.select(pl.col("month").dt.month(), "amount_dkk").iter_rows())
    # 2024 has 366 days: 1,000 DKK per FTE-day. Jan 31 x 1; Feb 29 x 1 + 15 x 0.5 (Feb 15-29); Mar 31 x 1
    assert got == pytest.approx({1: 31_000, 2: 29_000 + 7_500, 3: 31_000})


def test_price_index_conversion():
    idx = default_price_index()
    assert convert_price_year(100.0, from_year=2021, to_year=2021) == 100.0
    expected = pytest.approx(100 * idx[2024] / idx[2021])
    assert convert_price_year(100.0, from_year=2021, to_year=2024, index=idx) == expected
    with pytest.raises(InvalidInput, match="1850"):
        convert_price_year(1.0, from_year=1850, to_year=2024)


def test_spending_empty_window():
    out = spending(register(), rates=rates(), start=date(2010, 1, 1), end=date(2010, 2, 1), by=["step", "month"])
    assert out.height == 0 and {"step", "month", "days", "amount_dkk", "price_year"} <= set(out.columns)
