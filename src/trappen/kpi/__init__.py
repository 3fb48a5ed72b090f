"""KPIs (nøgletal) over the analytic register: the catalogue as data, one engine, goals and
disclosure control.

Public API::

    from trappen.kpi import compute_kpis, kpi_series, kpi_catalogue, Goal, goal_progress
    from trappen.kpi.disclosure import suppress
"""

from trappen.kpi._catalogue import BETTER, DIMENSIONS, KpiDefinition, kpi_catalogue, load_kpi_catalogue
from trappen.kpi._engine import AGE_BANDS, RESULT_SCHEMA, compute_kpis, default_period, kpi_series, month_windows
from trappen.kpi.disclosure import suppress
from trappen.kpi.goals import Goal, GoalStatus, goal_progress

__all__ = [
    "AGE_BANDS", "BETTER", "DIMENSIONS", "RESULT_SCHEMA", "Goal", "GoalStatus", "KpiDefinition", "compute_kpis",
    "default_period", "goal_progress", "kpi_catalogue", "kpi_series", "load_kpi_catalogue", "month_windows",
    "suppress",
]
