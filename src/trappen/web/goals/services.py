"""Recording a goal: validated by the core (:class:`trappen.kpi.Goal`) before it is saved."""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import PermissionDenied

from trappen.errors import InvalidInput, Problem
from trappen.kpi import Goal as CoreGoal
from trappen.kpi import kpi_catalogue
from trappen.privacy.roles import allowed
from trappen.web.goals.models import Goal
from trappen.web.register.models import District


def can_record_goals(user: object) -> bool:
    """Setting goals is steering reported to the committee: the roles that may export KPIs
    (``kpi``/``export``: team leaders and analysts) record them."""
    return allowed(getattr(user, "role", None) or "", "kpi", "export")


def goal_create(*, actor: object, kpi_code: str, baseline_value: float, baseline_date: dt.date,
                target_value: float, target_date: dt.date, district: str = "",
                note: str = "") -> Goal:
    """Validate a goal with the core and save it.

    Raises:
        PermissionDenied: ``actor`` may not record goals.
        InvalidInput: unknown KPI or district, a value that is not a finite number, or a target
            date not after the baseline date (the core's rule); nothing is saved.
    """
    if not can_record_goals(actor):
        raise PermissionDenied("recording goals needs kpi/export")
    problems = []
    if kpi_code not in {k.code for k in kpi_catalogue()}:
        problems.append(Problem(field="kpi_code", value=kpi_code, message="not a KPI of the catalogue"))
    if district and not District.objects.filter(code=district).exists():
        problems.append(Problem(field="district", value=district, message="no such district"))
    for field, value in (("baseline_value", baseline_value), ("target_value", target_value)):
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            problems.append(Problem(field=field, value=value, message="must be a finite number"))
    if problems:
        raise InvalidInput(problems)
    core = CoreGoal(kpi_code=kpi_code, baseline_value=float(baseline_value), baseline_date=baseline_date,
                    target_value=float(target_value), target_date=target_date,
                    district=district or None)  # raises InvalidInput on the dates
    return Goal.objects.create(kpi_code=core.kpi_code, baseline_value=core.baseline_value,
                               baseline_date=core.baseline_date, target_value=core.target_value,
                               target_date=core.target_date, district=district, note=note,
                               created_by=actor)
