"""Goals on KPIs (målsætninger) and progress towards them, pure functions over a KPI series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from trappen.errors import InvalidInput, Problem

STATUSES = ("on_track", "off_track", "met")


@dataclass(frozen=True, kw_only=True)
class Goal:
    """Move ``kpi_code`` from ``baseline_value`` (on ``baseline_date``) to ``target_value`` by
    ``target_date``; ``district`` None = the whole municipality. The direction follows from the
    two values (a target below the baseline is a goal to go down)."""

    kpi_code: str
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    district: str | None = None

    def __post_init__(self) -> None:
        if self.target_date <= self.baseline_date:
            raise InvalidInput(Problem(field="target_date", value=self.target_date,
                                       message="target date must be after the baseline date"))


@dataclass(frozen=True, kw_only=True)
class GoalStatus:
    """Where a goal stands at the latest observation.

    ``progress_share``: (latest - baseline) / (target - baseline); 1 = reached, negative = moved
    away. ``expected_share``: the share of the time from baseline to target date that has passed.
    ``trend_per_month``: least-squares slope of the KPI per month since the baseline date
    (None with fewer than two observations).
    """

    status: str
    progress_share: float
    expected_share: float
    trend_per_month: float | None
    latest_value: float
    latest_date: date


def _months_between(a: date, b: date) -> float:
    return (b.year - a.year) * 12 + (b.month - a.month) + (b.day - a.day) / 30.4375


def goal_progress(goal: Goal, series: pl.DataFrame) -> GoalStatus:
    """Progress of ``goal`` given a KPI series.

    ``series`` needs columns ``month`` (Date) and ``value``; if it has ``kpi_code`` and
    ``district`` columns (as :func:`trappen.kpi.kpi_series` returns) the goal's KPI and district
    are selected, and any other dimension columns must then leave one row per month.

    Status: ``met`` when the latest value has reached the target; ``on_track`` when the progress
    share is at least the expected (linear) share of the way at the latest date; else
    ``off_track``.

    Raises:
        InvalidInput: no observation on or after the baseline date, or several rows per month.
    """
    frame = series
    if "kpi_code" in frame.columns:
        frame = frame.filter(pl.col("kpi_code") == goal.kpi_code)
    if "district" in frame.columns:
        frame = frame.filter(pl.col("district").is_null() if goal.district is None
                             else pl.col("district") == goal.district)
    frame = frame.filter((pl.col("month") >= goal.baseline_date) & pl.col("value").is_not_null()).sort("month")
    if frame.is_empty():
        raise InvalidInput(Problem(field="series", value=goal.kpi_code,
                                   message="no observation on or after the baseline date"))
    if frame["month"].is_duplicated().any():
        raise InvalidInput(Problem(field="series", value=goal.kpi_code,
                                   message="several rows per month: select one dimension cell first"))
    latest_date, latest = frame["month"][-1], float(frame["value"][-1])
    span = goal.target_value - goal.baseline_value
    progress = (latest - goal.baseline_value) / span if span else float(latest == goal.target_value)
    total = (goal.target_date - goal.baseline_date).days
    expected = min(max((latest_date - goal.baseline_date).days / total, 0.0), 1.0)
    trend = None
    if frame.height >= 2:
        x = np.array([_months_between(goal.baseline_date, d) for d in frame["month"].to_list()])
        trend = float(np.polyfit(x, frame["value"].to_numpy().astype(float), 1)[0])
    status = "met" if progress >= 1.0 else "on_track" if progress >= expected else "off_track"
    return GoalStatus(status=status, progress_share=progress, expected_share=expected,
                      trend_per_month=trend, latest_value=latest, latest_date=latest_date)
