"""``GET /api/v1/kpis``: the KPI catalogue for one date, as :func:`trappen.kpi.compute_kpis` rows.

The same function as ``trappen kpi`` and the dashboards, on the same register the dashboards
read (:func:`~trappen.web.dashboards.selectors.analytic_register`), restricted as on the
dashboards (:func:`~trappen.web.dashboards.views.dashboard_access`): ``kpi``/``view`` is
required (403 otherwise); case-working staff get unsuppressed numbers for their own districts;
everyone else (analysts) gets the whole municipality with counts 1-4 of children hidden by
:func:`trappen.kpi.disclosure.suppress` (``value``, ``numerator`` and ``denominator`` null and
``suppressed`` true in a hidden cell).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field, field_validator

from trappen.errors import InvalidInput, Problem
from trappen.kpi import DIMENSIONS, compute_kpis, default_period
from trappen.kpi.disclosure import suppress
from trappen.web import rules
from trappen.web.dashboards import selectors as sel
from trappen.web.dashboards.views import dashboard_access
from trappen.web.disclosure import DISCLOSURE_THRESHOLD

router = Router(tags=["kpis"])

class KpiQuery(Schema):
    at: dt.date | None = None  # default: today (Copenhagen)
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    kpi: list[str] | None = None

    @field_validator("at", "from_", "to")
    @classmethod
    def _within_bounds(cls, value: dt.date | None) -> dt.date | None:
        earliest, latest = sel.period_bounds()
        if value is not None and not earliest <= value <= latest:
            raise ValueError(f"{value} is outside {earliest} to {latest}")
        return value


class KpiRow(Schema):
    kpi_code: str
    step: str | None = None
    from_step: str | None = None
    to_step: str | None = None
    district: str | None = None
    age_band: str | None = None
    placement_type: str | None = None
    duty: str | None = None
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    suppressed: bool


def disclosure_controlled(frame: pl.DataFrame) -> pl.DataFrame:
    """``compute_kpis`` rows with every count 1-4 of persons hidden (primary and secondary
    suppression per KPI, its dimension cells as one table), plus a ``suppressed`` column."""
    parts = []
    for (code,), part in frame.with_row_index("_row").group_by("kpi_code", maintain_order=True):
        column = sel.COUNT_COLUMN.get(str(code), "numerator")
        if not column:
            parts.append(part.with_columns(suppressed=pl.lit(False)))
            continue
        dims = [d for d in DIMENSIONS if d in part.columns]
        hidden = suppress(part.with_columns(_count=pl.col(column).fill_null(0).abs()),
                          value_col="_count", row_dims=["_row", *dims], col_dims=None,
                          threshold=DISCLOSURE_THRESHOLD)
        shown = pl.col("suppression").is_null()
        parts.append(hidden.with_columns(
            *[pl.when(shown).then(pl.col(c)).alias(c) for c in ("value", "numerator", "denominator")],
            suppressed=~shown).drop("suppression", "_count"))
    if not parts:
        return frame.with_columns(suppressed=pl.lit(False))
    return pl.concat(parts, how="vertical").sort("_row").drop("_row")


def _period(q: KpiQuery) -> tuple[dt.date, dt.date] | None:
    """As ``trappen kpi --from --to``: ``to`` is included; each defaults as on the CLI."""
    if q.from_ is None and q.to is None:
        return None
    start = q.from_ or default_period(q.at)[0]
    end = (q.to or q.at) + dt.timedelta(days=1)
    if end <= start:
        raise InvalidInput(Problem(field="to", value=q.to, message="must not be before 'from'"))
    return start, end


@router.get("", response=list[KpiRow])
def kpis(request: HttpRequest, q: Query[KpiQuery]) -> list[dict[str, object]]:
    """Every KPI (or the ``kpi`` codes asked for) on ``at`` (default today) over ``from``..``to``
    (inclusive; default the 12 months up to ``at``), as ``trappen kpi --format json``."""
    access = dashboard_access(request.auth)
    register, _version = sel.analytic_register()
    if q.at is None:
        q = q.model_copy(update={"at": timezone.localdate()})
    period = _period(q)
    if access.districts is not None:  # as the dashboards: children living there at the period's end
        start, end = period or default_period(q.at)
        filters = sel.DashboardFilters(start=start, end=end, districts=access.districts or ("",))
        register = sel.register_filtered(register, filters=filters)
    frame = compute_kpis(register, at=q.at, period=period, kpis=q.kpi, rates=sel.spending_rates(),
                         caseload_rules=rules.caseload())
    frame = (disclosure_controlled(frame) if access.publish
             else frame.with_columns(suppressed=pl.lit(False)))
    return frame.with_columns(pl.col(d).cast(pl.String) for d in DIMENSIONS).to_dicts()
