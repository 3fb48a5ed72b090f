"""Each goal's progress: :func:`trappen.kpi.goal_progress` over :func:`trappen.kpi.kpi_series`
of the dashboards' analytic register (the district's children for a district goal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from trappen.errors import InvalidInput
from trappen.kpi import Goal as CoreGoal
from trappen.kpi import GoalStatus, goal_progress, kpi_series
from trappen.register import Register
from trappen.web import rules
from trappen.web.dashboards.selectors import (
    COUNT_COLUMN,
    DashboardFilters,
    cells,
    register_filtered,
    spending_rates,
)
from trappen.web.disclosure import DISCLOSURE_THRESHOLD
from trappen.web.goals.models import Goal


@dataclass(frozen=True, kw_only=True)
class GoalRow:
    goal: Goal
    progress: GoalStatus | None  # None: no observation of the KPI since the baseline date
    problem: str = ""
    hidden: bool = False  # published view: the latest value counts 1-4 persons


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], dt.date(first.year, first.month, 1)
    while m <= last:
        out.append(m)
        m = dt.date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def _small_counts(frame: pl.DataFrame, code: str) -> pl.Series:
    """Per month of ``frame`` (one KPI's cells): whether its count of persons is 1-4."""
    column = COUNT_COLUMN.get(code, "numerator")
    if not column:
        return pl.Series([False] * frame.height)
    count = frame[column].fill_null(0).abs()
    return (count > 0) & (count < DISCLOSURE_THRESHOLD)


def goal_rows(goals: Sequence[Goal], *, register: Register, today: dt.date,
              publish: bool = False) -> list[GoalRow]:
    """Progress of each goal on the monthly series from its baseline month up to ``today``'s month
    (the whole-municipality cell of each KPI: every dimension column null).

    With ``publish`` (users outside the case-working staff, as on the dashboards) a goal whose
    latest value counts 1-4 persons shows no value, progress or status, and its trend is left
    out when any month since the baseline counts 1-4 (issue 4: small counts are hidden)."""
    series: dict[str, pl.DataFrame] = {}
    for district in sorted({g.district for g in goals}):
        mine = [g for g in goals if g.district == district]
        months = _months(min(g.baseline_date for g in mine), today)
        if not months:
            continue
        part = register if not district else register_filtered(register, filters=DashboardFilters(
            start=months[0], end=today + dt.timedelta(days=1), districts=(district,)))
        series[district] = cells(kpi_series(part, months=months, kpis=sorted({g.kpi_code for g in mine}),
                                            rates=spending_rates(), caseload_rules=rules.caseload()))
    rows = []
    for g in goals:
        core = CoreGoal(kpi_code=g.kpi_code, baseline_value=g.baseline_value, baseline_date=g.baseline_date,
                        target_value=g.target_value, target_date=g.target_date)
        try:
            frame = series.get(g.district)
            if frame is None:
                raise InvalidInput("no observation on or after the baseline date", field="series")
            progress = goal_progress(core, frame)
            if publish:
                mine = frame.filter((pl.col("kpi_code") == g.kpi_code) & (pl.col("month") >= dt.date(
                    g.baseline_date.year, g.baseline_date.month, 1))).sort("month")
                small = _small_counts(mine, g.kpi_code)
                if small.len() and small[-1]:
                    rows.append(GoalRow(goal=g, progress=None, hidden=True))
                    continue
                if small.any():
                    progress = replace(progress, trend_per_month=None)
            rows.append(GoalRow(goal=g, progress=progress))
        except InvalidInput as exc:
            rows.append(GoalRow(goal=g, progress=None, problem=str(exc)))
    return rows
