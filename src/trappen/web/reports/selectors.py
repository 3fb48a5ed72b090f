"""The council report as the web app has it: the analytic register of the dashboards, the
economist's date-ranged prices (:func:`trappen.web.dashboards.selectors.spending_rates`), the
municipality's caseload rules, and the municipality's goals with the status the Goals page
computes (:func:`trappen.web.goals.selectors.goal_rows`). The CLI's ``trappen report`` against
the database calls :func:`council_report` too, so the two give the same numbers."""

from __future__ import annotations

import datetime as dt

from trappen.errors import InvalidInput, Problem
from trappen.kpi import Goal as CoreGoal
from trappen.register import Register
from trappen.reports import GoalResult, Report, build_report
from trappen.web import rules
from trappen.web.dashboards.selectors import analytic_register, spending_rates

__all__ = ["council_report", "goal_results", "report_years"]


def report_years(register: Register, *, today: dt.date) -> list[int]:
    """The years a report can be made for: from the register's first episode to ``today``'s."""
    if register.episodes.height == 0:
        return []
    first = register.episodes["start_date"].min()
    return list(range(first.year, today.year + 1))  # type: ignore[union-attr]


def goal_results(register: Register, *, asof: dt.date, publish: bool, language: str) -> list[GoalResult]:
    """The stored goals whose baseline is on or before ``asof``, with the Goals page's status on
    ``asof`` (hidden when the latest value counts 1-4 persons and ``publish``)."""
    from trappen.labels import kpi_name
    from trappen.web.goals.models import Goal
    from trappen.web.goals.selectors import goal_rows

    goals = [g for g in Goal.objects.all() if g.baseline_date <= asof]
    if not goals:
        return []
    names = dict(register.districts.select("district_code", "name").iter_rows())
    out = []
    for row in goal_rows(goals, register=register, today=asof, publish=publish):
        g = row.goal
        core = CoreGoal(kpi_code=g.kpi_code, baseline_value=g.baseline_value, baseline_date=g.baseline_date,
                        target_value=g.target_value, target_date=g.target_date, district=g.district or None)
        out.append(GoalResult(name=g.note or kpi_name(g.kpi_code, language=language), goal=core,
                              status=row.progress, hidden=row.hidden, problem=row.problem,
                              district_name=names.get(g.district, g.district) if g.district else ""))
    return out


def council_report(*, year: int, language: str, today: dt.date, publish: bool = True,
                   register: Register | None = None) -> Report:
    """The council report for ``year`` (disclosure control when ``publish``).

    Raises:
        InvalidInput: ``year`` outside the years the register covers (field ``year``), or an
            unknown language.
    """
    if register is None:
        register, _version = analytic_register()
    years = report_years(register, today=today)
    if year not in years:
        span = f"{years[0]}-{years[-1]}" if years else "none"
        raise InvalidInput(Problem(field="year", value=year,
                                   message=f"no register data for this year (years with data: {span})"))
    asof = min(dt.date(year, 12, 31), today)
    return build_report(register, year=year, language=language, publish=publish,
                        catalogue=rules.catalogue(), caseload_rules=rules.caseload(), rates=spending_rates(),
                        goal_results=goal_results(register, asof=asof, publish=publish, language=language),
                        goals_asof=asof)
