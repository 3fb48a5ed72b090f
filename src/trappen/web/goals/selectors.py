"""Each goal's progress: :func:`trappen.kpi.goal_progress` over :func:`trappen.kpi.kpi_series`
of the dashboards' analytic register (the district's children for a district goal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from trappen.errors import InvalidInput
from trappen.kpi import Goal as CoreGoal
from trappen.kpi import GoalStatus, goal_progress, kpi_series
from trappen.register import Register
from trappen.web.dashboards.selectors import DashboardFilters, cells, register_filtered, spending_rates
from trappen.web.goals.models import Goal


@dataclass(frozen=True, kw_only=True)
class GoalRow:
    goal: Goal
    progress: GoalStatus | None  # None: no observation of the KPI since the baseline date
    problem: str = ""


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], dt.date(first.year, first.month, 1)
    while m <= last:
        out.append(m)
        m = dt.date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def goal_rows(goals: Sequence[Goal], *, register: Register, today: dt.date) -> list[GoalRow]:
    """Progress of each goal on the monthly series from its baseline month up to ``today``'s month
    (the whole-municipality cell of each KPI: every dimension column null)."""
    series: dict[str, pl.DataFrame] = {}
    for district in sorted({g.district for g in goals}):
        mine = [g for g in goals if g.district == district]
        months = _months(min(g.baseline_date for g in mine), today)
        if not months:
            continue
        part = register if not district else register_filtered(register, filters=DashboardFilters(
            start=months[0], end=today + dt.timedelta(days=1), districts=(district,)))
        series[district] = cells(kpi_series(part, months=months, kpis=sorted({g.kpi_code for g in mine}),
                                            rates=spending_rates()))
    rows = []
    for g in goals:
        core = CoreGoal(kpi_code=g.kpi_code, baseline_value=g.baseline_value, baseline_date=g.baseline_date,
                        target_value=g.target_value, target_date=g.target_date)
        try:
            frame = series.get(g.district)
            if frame is None:
                raise InvalidInput("no observation on or after the baseline date", field="series")
            rows.append(GoalRow(goal=g, progress=goal_progress(core, frame)))
        except InvalidInput as exc:
            rows.append(GoalRow(goal=g, progress=None, problem=str(exc)))
    return rows
