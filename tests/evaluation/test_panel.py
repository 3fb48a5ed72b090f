"""The district × period panel from a hand-built register."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.evaluation import build_panel
from trappen.register import Register


def _register(*, population: bool = True) -> Register:
    children = pl.DataFrame({
        "child_id": [1, 2, 3, 4],
        "birth_date": [date(2015, 1, 1)] * 3 + [date(2020, 6, 1)],
        "sex": ["F", "M", "F", "M"],
        "district_code": ["A", "A", "B", "B"],
        "entry_date": [date(2015, 1, 1)] * 3 + [date(2020, 6, 1)],
        "exit_date": [None, None, None, None],
    }, schema_overrides={"exit_date": pl.Date})
    episodes = pl.DataFrame({
        "episode_id": [1, 2, 3, 4],
        "child_id": [1, 1, 2, 3],
        "intervention_code": ["X"] * 4,
        "step": [2, 5, 3, 6],
        # child 1: step 2 from Jan 15, then a placement (step 5) from Feb 10 that breaks down Mar 20
        "start_date": [date(2024, 1, 15), date(2024, 2, 10), date(2024, 1, 1), date(2023, 6, 1)],
        "end_date": [date(2024, 2, 10), date(2024, 3, 20), None, date(2024, 2, 29)],
        "end_reason": ["moved_up", "breakdown", None, "planned_end"],
    })
    notifications = pl.DataFrame({
        "notification_id": [1, 2], "child_id": [1, 3],
        "received_at": [datetime(2024, 1, 31, 23, 0, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)],
        "notifier_kind": ["school", "police"],
    }).with_columns(assessed_at=None, outcome=None, acknowledged_at=None)
    districts = pl.DataFrame({"district_code": ["A", "B"], "name": ["Aby", "Bby"],
                              "pilot_from": [date(2024, 2, 15), None]})
    frames = {"children": children, "episodes": episodes, "notifications": notifications, "districts": districts}
    if population:
        frames["population"] = pl.DataFrame({"year": [2023, 2023], "district_code": ["A", "B"], "age": [8, 8],
                                             "children": [500, 250]})
    return Register.from_frames(**frames)


def test_monthly_panel_by_hand() -> None:
    p = build_panel(_register(), freq="month", start=date(2024, 1, 1), end=date(2024, 4, 1))
    assert p.height == 6 and p["period_index"].to_list() == [0, 1, 2] * 2
    a = p.filter(pl.col("district_code") == "A")
    # last days Jan 31, Feb 29, Mar 31. Jan 31: child 1 on step 2, child 2 on step 3
    assert a["on_step_2"].to_list() == [1, 0, 0]
    assert a["on_step_3"].to_list() == [1, 1, 1]
    assert a["on_step_5"].to_list() == [0, 1, 0]  # broke down Mar 20
    assert a["placed"].to_list() == [0, 1, 0]
    assert a["placements_per_1000"].to_list() == pytest.approx([0, 2.0, 0])  # 1 per 500 children
    assert a["new_placements"].to_list() == [0, 1, 0]
    assert a["new_preventive"].to_list() == [2, 0, 0]
    assert a["breakdowns"].to_list() == [0, 0, 1]
    assert a["notifications"].to_list() == [1, 0, 0]
    assert a["adoption_index"].to_list() == [1, 1, 1]  # adopted Feb 15: February is the first treated month
    b = p.filter(pl.col("district_code") == "B")
    assert b["on_step_6"].to_list() == [1, 0, 0]  # ended Feb 29 (first day without)
    assert b["notifications"].to_list() == [0, 0, 1]
    assert b["adoption_index"].to_list() == [None] * 3


def test_quarterly_panel_counts_children_without_population_table() -> None:
    p = build_panel(_register(population=False), freq="quarter", start=date(2024, 2, 1), end=date(2024, 7, 1))
    assert p["period"].unique().sort().to_list() == [date(2024, 1, 1), date(2024, 4, 1)]
    assert p.filter(pl.col("district_code") == "B")["children_0_17"].to_list() == [2.0, 2.0]
    a = p.filter(pl.col("district_code") == "A")
    assert a["new_placements"].to_list() == [1, 0] and a["breakdowns"].to_list() == [1, 0]


def test_adoption_mapping_overrides_and_bad_input() -> None:
    p = build_panel(_register(), start=date(2024, 1, 1), end=date(2024, 4, 1),
                    adoption={"A": None, "B": date(2023, 1, 1)})
    assert p.filter(pl.col("district_code") == "B")["adoption_index"].to_list() == [0, 0, 0]  # always treated
    with pytest.raises(InvalidInput, match="district not in the register"):
        build_panel(_register(), start=date(2024, 1, 1), end=date(2024, 4, 1), adoption={"Z": None})
    with pytest.raises(InvalidInput, match="freq"):
        build_panel(_register(), freq="week", start=date(2024, 1, 1), end=date(2024, 4, 1))


def test_unpriced_interventions_cost_nothing() -> None:
    p = build_panel(_register(), freq="month", start=date(2024, 1, 1), end=date(2024, 4, 1))
    assert p["spending_dkk"].to_list() == [0.0] * 6  # code "X" is not in the catalogue


def test_spending_outcome_equals_the_economics_spending() -> None:
    """Two independent implementations agree: the panel's spending per district and quarter and
    trappen.economics.spending at the catalogue's prices (one price year, so no indexing)."""
    from trappen.economics import RATE_SCHEMA, RateTable, spending
    from trappen.staircase import default_catalogue
    from trappen.synthetic import generate

    reg = generate(children=2_000, years=3, seed=5)
    start, end = date(2024, 1, 1), date(2025, 1, 1)
    panel = build_panel(reg, freq="quarter", start=start, end=end)
    types = default_catalogue().types
    rates = RateTable.from_frame(pl.DataFrame({
        "intervention_code": [t.code for t in types], "valid_from": [date(1900, 1, 1)] * len(types),
        "valid_to": [None] * len(types), "cost_dkk_per_day": [t.cost_dkk_per_day for t in types],
        "price_year": [2024] * len(types), "source": [""] * len(types)}, schema=dict(RATE_SCHEMA)))
    monthly = spending(reg, rates=rates, start=start, end=end, by=("district_code", "month"))
    quarterly = (monthly.with_columns(period_index=((pl.col("month").dt.month() - 1) // 3).cast(pl.Int32))
                 .group_by("district_code", "period_index").agg(pl.col("amount_dkk").sum()))
    both = panel.join(quarterly, on=["district_code", "period_index"], how="left").with_columns(
        pl.col("amount_dkk").fill_null(0.0))
    assert both["spending_dkk"].sum() > 1_000_000
    assert both["spending_dkk"].to_list() == pytest.approx(both["amount_dkk"].to_list())
    assert both["spending_per_child"].to_list() == pytest.approx(
        (both["spending_dkk"] / both["children_0_17"]).to_list())
