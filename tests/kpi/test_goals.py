"""Goals: progress share, expected share, trend and status, by hand."""

from datetime import date

import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.kpi.goals import Goal, goal_progress

GOAL = Goal(kpi_code="SS01_RESIDENTIAL_SHARE", baseline_value=0.40, baseline_date=date(2024, 1, 1),
            target_value=0.20, target_date=date(2025, 1, 1))


def _series(values: list[float], district: str | None = None) -> pl.DataFrame:
    months = [date(2024, m, 1) for m in range(1, len(values) + 1)]
    return pl.DataFrame({"month": months, "kpi_code": ["SS01_RESIDENTIAL_SHARE"] * len(values),
                         "district": [district] * len(values), "value": values})


def test_on_track_when_ahead_of_the_straight_line():
    # 0.40 -> 0.30 by 2024-07-01: progress 0.10 / 0.20 = 0.5; time passed 182 / 366 days = 0.497
    st = goal_progress(GOAL, _series([0.40, 0.38, 0.36, 0.34, 0.32, 0.30, 0.30]))
    assert st.progress_share == pytest.approx(0.5)
    assert st.expected_share == pytest.approx(182 / 366)
    assert st.status == "on_track"
    assert st.trend_per_month < 0


def test_off_track_and_met():
    assert goal_progress(GOAL, _series([0.40, 0.41, 0.42])).status == "off_track"
    st = goal_progress(GOAL, _series([0.40, 0.30, 0.19]))
    assert st.status == "met" and st.progress_share == pytest.approx(1.05)


def test_trend_is_slope_per_month():
    # exactly -0.01 a month (months of unequal length make it approximate)
    st = goal_progress(GOAL, _series([0.40, 0.39, 0.38, 0.37]))
    assert st.trend_per_month == pytest.approx(-0.01, rel=0.05)


def test_district_goal_selects_its_rows_and_errors():
    g = Goal(kpi_code="SS01_RESIDENTIAL_SHARE", baseline_value=0.4, baseline_date=date(2024, 1, 1),
             target_value=0.2, target_date=date(2025, 1, 1), district="N")
    both = pl.concat([_series([0.4, 0.1], district="N"), _series([0.4, 0.5])])
    assert goal_progress(g, both).status == "met"
    assert goal_progress(GOAL, both).status == "off_track"
    with pytest.raises(InvalidInput, match="no observation"):
        goal_progress(g, _series([0.4]))
    with pytest.raises(InvalidInput, match="after the baseline"):
        Goal(kpi_code="X", baseline_value=1, baseline_date=date(2024, 1, 1), target_value=2,
             target_date=date(2024, 1, 1))
