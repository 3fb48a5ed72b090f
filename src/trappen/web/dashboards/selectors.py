"""Every read that feeds a dashboard: the cached analytic register, its filtered part, and one
table per dashboard computed by the KPI engine.

No KPI is computed here: each table is a reshaping of :func:`trappen.kpi.compute_kpis` or
:func:`trappen.kpi.kpi_series` output (the same function the CLI, the report and the API call),
on the register restricted by the filters. For users outside the case-working staff every count
of children goes through :func:`trappen.kpi.disclosure.suppress` before it is shown or
downloaded; rates derived from a hidden count are hidden with it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from trappen.deadlines import default_duties
from trappen.kpi import AGE_BANDS, DIMENSIONS, compute_kpis, kpi_series
from trappen.kpi.disclosure import suppress
from trappen.register import Register
from trappen.register.derive import age_expr
from trappen.web import rules
from trappen.web.dashboards.sankey import sankey_svg
from trappen.web.disclosure import DISCLOSURE_THRESHOLD
from trappen.web.register import models as m
from trappen.web.register.selectors import register_snapshot

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 600.0
"""The analytic register is rebuilt in the background this long after its build even when its
version is unchanged: the backstop for a change the version cannot see. A rebuild costs a worker
seconds of CPU (20,000 children), so not every minute."""

CACHE_SECONDS = 60.0
"""Computed tables are reused for at most this long, and only while the register's version is
unchanged: dashboards are aggregate steering figures, a minute's delay is acceptable."""


COUNT_COLUMN: dict[str, str] = {
    "SS02_RESIDENTIAL_DURATION": "denominator",  # days summed over children: hide by children
    "AGE_AT_OPENING": "denominator",  # years summed over cases: hide by cases
    "CASELOAD_MEAN": "numerator",  # children with a caseworker
    "CASELOAD_MAX": "",  # a caseworker's own caseload, not a count of children in a cell
    "SS11_PREVENTIVE_SPEND_SHARE": "",  # DKK
    "SPEND_PER_STEP": "",  # DKK
    "SPEND_PER_CHILD": "denominator",  # children
}
"""The column holding the count of persons that disclosure control protects, per KPI; every
other KPI counts children/cases in its ``numerator``. "" = no count of persons (money)."""


DASHBOARDS = ("steps", "flows", "pilot", "caseload", "deadlines", "spending")



# --------------------------------------------------------------------------- filters
@dataclass(frozen=True, kw_only=True)
class DashboardFilters:
    """What the user chose: districts (empty = all allowed), age band, sex, half-open period."""

    start: date
    end: date  # exclusive
    districts: tuple[str, ...] = ()
    age_band: str | None = None
    sex: str | None = None

    @property
    def at(self) -> date:
        """The snapshot day of stock KPIs: the last day of the period."""
        return self.end - timedelta(days=1)

    def key(self) -> tuple[object, ...]:
        return (self.start, self.end, self.districts, self.age_band, self.sex)


PERIOD_EARLIEST = date(1990, 1, 1)
"""No register reaches further back; an earlier date (0001-01-01) would overflow the engine."""
PERIOD_AHEAD = timedelta(days=366 * 10)
"""The forecasts' longest horizon: a period may end at most ten years from today."""


def period_bounds() -> tuple[date, date]:
    """The first and last date a dashboard or KPI period may name (pages and API alike)."""
    return PERIOD_EARLIEST, timezone.localdate() + PERIOD_AHEAD


def default_period(register: Register, *, today: date) -> tuple[date, date]:
    """The 12 whole months before the month of the register's last event (or of ``today``)."""
    starts = register.episodes["start_date"]
    last = starts.max() if starts.len() else None
    ref = min(today, last + timedelta(days=1)) if isinstance(last, date) else today
    end = date(ref.year, ref.month, 1)
    return date(end.year - 1, end.month, 1), end


def _age_range(band: str) -> tuple[int, int]:
    for label, lo, hi in AGE_BANDS:
        if label == band:
            return lo, hi
    raise ValueError(f"unknown age band {band!r}")


def district_of_children(register: Register, *, on: date) -> pl.DataFrame:
    """(child_id, district_code): the residence active on ``on``, else the child's latest
    district."""
    res = register.residences.filter((pl.col("start_date") <= on)
                                     & (pl.col("end_date").is_null() | (pl.col("end_date") > on)))
    here = res.group_by("child_id").agg(
        pl.col("district_code").sort_by("start_date").last().alias("_d"))
    return (register.children.select("child_id", "district_code")
            .join(here, on="child_id", how="left")
            .select("child_id", pl.coalesce("_d", "district_code").alias("district_code")))


_CHILD_TABLES = ("children", "residences", "cases", "episodes", "notifications", "investigations",
                 "plans", "follow_ups", "supervision_visits", "complaints", "assignments")


def register_filtered(register: Register, *, filters: DashboardFilters) -> Register:
    """The part of ``register`` the filters select: children living in the districts on the
    period's last day, of the age band on that day and of the sex; their rows in every table.

    Population counts are kept for the districts and ages chosen; with a sex filter they are
    dropped (the population table has no sex), so the engine counts the children instead.
    """
    if not (filters.districts or filters.age_band or filters.sex):
        return register
    kids = register.children.select("child_id", "birth_date", "sex").join(
        district_of_children(register, on=filters.at), on="child_id", how="left")
    keep = pl.lit(True)
    population = register.population
    caseworkers = register.caseworkers
    districts = register.districts
    if filters.districts:
        wanted = list(filters.districts)
        keep = keep & pl.col("district_code").is_in(wanted)
        population = population.filter(pl.col("district_code").is_in(wanted))
        caseworkers = caseworkers.filter(pl.col("district_code").is_in(wanted))
        districts = districts.filter(pl.col("district_code").is_in(wanted))
    if filters.age_band:
        lo, hi = _age_range(filters.age_band)
        age = age_expr(pl.col("birth_date"), filters.at)
        keep = keep & (age >= lo) & (age <= hi)
        population = population.filter((pl.col("age") >= lo) & (pl.col("age") <= hi))
    if filters.sex:
        keep = keep & (pl.col("sex") == filters.sex)
        population = population.clear()
    ids = kids.filter(keep)["child_id"].implode()
    tables = {name: register.tables[name].filter(pl.col("child_id").is_in(ids))
              for name in _CHILD_TABLES}
    return register.replace(**tables, population=population, caseworkers=caseworkers,
                            districts=districts)


# --------------------------------------------------------------------------- the cached register
_lock = threading.Lock()
_register_cache: dict[str, object] = {}
_table_cache: OrderedDict[tuple[object, ...], tuple[float, DashboardTable]] = OrderedDict()
_TABLE_CACHE_SIZE = 64


def register_version() -> tuple[object, ...]:
    """A fingerprint of the operational register, in one SQL statement: row count and top id of
    each table the dashboards read (prices included: they are only ever added), the number of
    ongoing episodes and of re-assessed complaints, and the sum of the edit versions of the
    records a form corrects (an assessment, a conclusion, a plan, an episode's end bump it).
    A change it cannot see shows with the background rebuild (:data:`REFRESH_SECONDS`)."""
    from trappen.web.economics.models import Price

    q = connection.ops.quote_name
    parts = []
    for model in (m.Episode, m.Child, m.Assignment, m.FollowUp, m.Complaint, m.Case, m.Caseworker,
                  m.Residence, m.District, m.PopulationCount, Price, m.Notification, m.Investigation, m.Plan,
                  m.SupervisionVisit):
        table = q(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        if model is not m.District:
            parts.append(f"(SELECT MAX({q(str(model._meta.pk.column))}) FROM {table})")
        if model in (m.Episode, m.Notification, m.Investigation, m.Plan):
            parts.append(f"(SELECT SUM(version) FROM {table})")
    parts.append(f"(SELECT COUNT(*) FROM {q(m.Episode._meta.db_table)} WHERE end_date IS NULL)")
    parts.append(f"(SELECT COUNT(reassessed_on) FROM {q(m.Complaint._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


_build_lock = threading.Lock()
"""Held while a snapshot is built: one build at a time per process, never one per request thread."""


def _build(version: tuple[object, ...], *, again: bool = False) -> Register:
    """Build the snapshot of ``version`` and keep it; unless another thread just did, or
    ``again``: build it even so (the periodic refresh)."""
    with _build_lock:
        with _lock:
            if not again and _register_cache.get("version") == version and "register" in _register_cache:
                return _register_cache["register"]  # type: ignore[return-value]
        register = register_snapshot()
        with _lock:
            _register_cache.update(version=version, at=time.monotonic(), register=register)
            _table_cache.clear()
    logger.info("dashboard register snapshot", extra={"children": register.children.height})
    return register


def _refresh() -> None:
    """A background rebuild of a snapshot past :data:`REFRESH_SECONDS` (its own connection)."""
    from django.db import connections

    try:
        _build(register_version(), again=True)
    except Exception as exc:  # e.g. the database is away: one line, no traceback; the next request tries again
        logger.warning("dashboard register refresh failed (%s); the previous snapshot stays in use",
                       type(exc).__name__)
    finally:
        connections.close_all()


def analytic_register() -> tuple[Register, tuple[object, ...]]:
    """The analytic register (:func:`register_snapshot`) and its version.

    Reused while the version is unchanged; a write that changes it makes the next request build
    a new one (one thread builds, the others wait for it). The version is checked at most every
    ``TRAPPEN_DASHBOARD_CHECK_SECONDS`` (a write shows within that time). After
    :data:`REFRESH_SECONDS` with the same version the snapshot is rebuilt in the background, in
    case a change escaped the version, while the previous one keeps answering: no request waits
    the seconds a build takes.
    """
    now = time.monotonic()
    with _lock:
        checked = _register_cache.get("checked")
    if isinstance(checked, tuple) and now - checked[0] < settings.TRAPPEN_DASHBOARD_CHECK_SECONDS:
        version = checked[1]  # checked a moment ago: the fingerprint costs the database a scan of each table
    else:
        version = register_version()
        with _lock:
            _register_cache["checked"] = (now, version)
    with _lock:
        kept = _register_cache.get("register") if _register_cache.get("version") == version else None
        stale = now - float(_register_cache.get("at", now)) >= REFRESH_SECONDS  # type: ignore[arg-type]
        refresh = kept is not None and stale and not _build_lock.locked()
        if refresh:
            _register_cache["at"] = now  # one refresh per period, not one per request meanwhile
    if kept is None:
        return _build(version), version
    if refresh:
        threading.Thread(target=_refresh, name="dashboard-refresh", daemon=True).start()
    return kept, version  # type: ignore[return-value]


def cache_clear() -> None:
    """Forget the cached register and tables (tests, after a bulk load)."""
    with _lock:
        _register_cache.clear()
        _table_cache.clear()


# --------------------------------------------------------------------------- tables
@dataclass(frozen=True, kw_only=True)
class DashboardTable:
    """One dashboard: ``frame`` holds exactly the numbers of the table and the downloads, with
    ``columns`` (key, label) in display order; ``chart`` is the Chart.js data, ``svg`` a
    server-rendered figure (the flow diagram)."""

    key: str
    title: str
    description: str
    columns: tuple[tuple[str, str], ...]
    frame: pl.DataFrame
    chart: dict[str, object] | None = None
    svg: str = ""
    suppressed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def _step_names(language: str) -> dict[int, str]:
    return {s.number: s.name(language) for s in rules.staircase().steps}


def _protect(frame: pl.DataFrame, *, value_col: str, row_dims: Sequence[str],
             col_dims: Sequence[str] | None, publish: bool, derived: Sequence[str] = ()) -> pl.DataFrame:
    """Primary and secondary suppression of the count ``value_col`` when ``publish``; the
    ``derived`` columns (rates from that count) are hidden with it."""
    if not publish or frame.height == 0:
        return frame
    out = suppress(frame.with_columns(pl.col(value_col).cast(pl.Float64)), value_col=value_col,
                   row_dims=row_dims, col_dims=col_dims, threshold=DISCLOSURE_THRESHOLD)
    shown = pl.col("suppression").is_null()
    return out.with_columns(*[pl.when(shown).then(pl.col(d)).alias(d) for d in derived]
                            ).drop("suppression")


def cells(frame: pl.DataFrame, *, dims: Sequence[str] = ()) -> pl.DataFrame:
    """The engine's rows broken down by exactly ``dims`` (every other dimension null): the
    engine may add breakdowns (e.g. by district) next to the totals."""
    other = [d for d in DIMENSIONS if d in frame.columns and d not in dims]
    return frame.filter(*[pl.col(d).is_null() for d in other]) if other else frame


def spending_rates() -> pl.DataFrame:
    """The date-ranged prices every spending KPI of the web layer uses: the economists' stored
    prices (:func:`trappen.web.economics.selectors.rate_table`), the catalogue's for the rest."""
    from trappen.web.economics.selectors import rate_table

    return rate_table().frame


def _kpis(reg: Register, f: DashboardFilters, codes: Sequence[str],
          dims: Sequence[str] = ()) -> pl.DataFrame:
    """:func:`compute_kpis` for the filters' period (stock KPIs on its last day)."""
    return cells(compute_kpis(reg, at=f.at, period=(f.start, f.end), kpis=list(codes), rates=spending_rates(),
                              caseload_rules=rules.caseload()),
                 dims=dims)


def _months(filters: DashboardFilters) -> list[date]:
    out, day = [], date(filters.start.year, filters.start.month, 1)
    while day < filters.end:
        out.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def _named(column: str, names: dict[int, str], alias: str, default: str | None = None) -> pl.Expr:
    return pl.col(column).replace_strict(names, default=default, return_dtype=pl.String).alias(alias)


def _steps_table(reg: Register, f: DashboardFilters, *, publish: bool,
                 language: str) -> DashboardTable:
    steps = list(rules.staircase().numbers)
    names = _step_names(language)
    series = cells(kpi_series(reg, months=_months(f), kpis=["STEP_PER_1000"]), dims=["step"])
    long = series.select("month", pl.col("step").cast(pl.Int64),
                         pl.col("numerator").alias("children"))
    long = _protect(long, value_col="children", row_dims=["month"], col_dims=["step"],
                    publish=publish)
    wide = (long.with_columns(pl.col("children").cast(pl.Int64),
                              ("step_" + pl.col("step").cast(pl.String)).alias("_c"))
            .pivot(on="_c", index="month", values="children", sort_columns=False).sort("month"))
    for s in steps:
        if f"step_{s}" not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Int64).alias(f"step_{s}"))
    wide = wide.select("month", *[f"step_{s}" for s in steps])
    columns = (("month", _("Month")), *[(f"step_{s}", f"{s}. {names[s]}") for s in steps])
    chart = {"type": "line", "labels": [d.strftime("%Y-%m") for d in wide["month"].to_list()],
             "datasets": [{"label": f"{s}. {names[s]}", "data": wide[f"step_{s}"].to_list()}
                          for s in steps]}
    return DashboardTable(
        key="steps", title=_("Children on each step over time"),
        description=_("Children on each step on the last day of each month (key figure: %(kpi)s, "
                      "numerator).") % {"kpi": _kpi_names("STEP_PER_1000", language=language)},
        columns=columns, frame=wide, chart=chart, suppressed=publish)


def _flows_table(reg: Register, f: DashboardFilters, *, publish: bool,
                 language: str) -> DashboardTable:
    names = {0: _("Not on the staircase"), **_step_names(language)}
    long = (_kpis(reg, f, ["STEP_FLOWS"], dims=["from_step", "to_step"])
            .select(pl.col("from_step").cast(pl.Int64), pl.col("to_step").cast(pl.Int64),
                    pl.col("numerator").alias("moves")).sort("from_step", "to_step"))
    long = _protect(long, value_col="moves", row_dims=["from_step"], col_dims=["to_step"],
                    publish=publish)
    frame = (long.with_columns(pl.col("moves").cast(pl.Int64), _named("from_step", names, "from_name"),
                               _named("to_step", names, "to_name"))
             .select("from_step", "from_name", "to_step", "to_name", "moves"))
    columns = (("from_step", _("From step")), ("from_name", _("From")),
               ("to_step", _("To step")), ("to_name", _("To")), ("moves", _("Moves")))
    svg = sankey_svg(frame.select("from_step", "to_step", "moves").rows(), names=names)
    return DashboardTable(
        key="flows", title=_("Moves between steps"),
        description=_("Moves between steps over the period, counted between monthly snapshots "
                      "(key figure: %(kpi)s, numerator). Step 0: not on the staircase.")
        % {"kpi": _kpi_names("STEP_FLOWS", language=language)},
        columns=columns, frame=frame, svg=svg, suppressed=publish)


def _pilot_table(reg: Register, f: DashboardFilters, *, publish: bool,
                 language: str) -> DashboardTable:
    names = _step_names(language)
    is_pilot = pl.col("pilot_from").is_not_null() & (pl.col("pilot_from") <= f.at)
    pilot_codes = reg.districts.filter(is_pilot)["district_code"].to_list()
    rest_codes = reg.districts.filter(~is_pilot.fill_null(False))["district_code"].to_list()
    parts = []
    for group, codes in ((_("Pilot districts"), pilot_codes), (_("Other districts"), rest_codes)):
        if not codes:
            continue
        part = register_filtered(reg, filters=DashboardFilters(start=f.start, end=f.end,
                                                               districts=tuple(codes)))
        parts.append(_kpis(part, f, ["STEP_PER_1000"], dims=["step"]).select(
            pl.lit(group).alias("group"), pl.col("step").cast(pl.Int64),
            pl.col("numerator").alias("children"), pl.col("value").round(2).alias("per_1000")))
    schema = {"group": pl.String, "step": pl.Int64, "children": pl.Float64, "per_1000": pl.Float64}
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    frame = _protect(frame, value_col="children", row_dims=["group"], col_dims=["step"],
                     publish=publish, derived=["per_1000"])
    frame = (frame.with_columns(pl.col("children").cast(pl.Int64), _named("step", names, "step_name"))
             .select("group", "step", "step_name", "children", "per_1000"))
    columns = (("group", _("Group")), ("step", _("Step")), ("step_name", _("Step name")),
               ("children", _("Children")), ("per_1000", _("Per 1,000 children 0-17")))
    steps = list(rules.staircase().numbers)
    datasets = []
    for group in frame["group"].unique(maintain_order=True).to_list():
        rates = dict(frame.filter(pl.col("group") == group).select("step", "per_1000").iter_rows())
        datasets.append({"label": group, "data": [rates.get(s) for s in steps]})
    chart = {"type": "bar", "labels": [f"{s}. {names[s]}" for s in steps], "datasets": datasets}
    notes = () if pilot_codes else (
        _("No district works by the model on this date: nothing to compare."),)
    return DashboardTable(
        key="pilot", title=_("Pilot districts against the rest"),
        description=_("Children on each step on the last day of the period, per 1,000 children "
                      "0-17 (key figure: %(kpi)s).") % {"kpi": _kpi_names("STEP_PER_1000", language=language)},
        columns=columns, frame=frame, chart=chart, suppressed=publish, notes=notes)


def _caseload_table(reg: Register, f: DashboardFilters, *, publish: bool,
                    language: str) -> DashboardTable:
    codes = ["CASELOAD_MEAN", "CASELOAD_MAX", "CASELOAD_OVER_TARGET"]
    names = dict(reg.districts.select("district_code", "name").iter_rows())
    rows = []
    for code in sorted(names):
        # a district's caseload: its caseworkers and every child assigned to them (only these
        # two tables feed the caseload KPIs)
        workers = reg.caseworkers.filter(pl.col("district_code") == code)
        part = Register.from_frames(caseworkers=workers, assignments=reg.assignments.filter(
            pl.col("caseworker_id").is_in(workers["caseworker_id"].implode())))
        get = {r["kpi_code"]: r for r in _kpis(part, f, codes).iter_rows(named=True)}
        mean, top, over = get["CASELOAD_MEAN"], get["CASELOAD_MAX"], get["CASELOAD_OVER_TARGET"]
        rows.append({"district": code, "district_name": names[code],
                     "children": mean["numerator"], "fte": mean["denominator"],
                     "mean": mean["value"], "max": top["value"],
                     "caseworkers": over["denominator"], "over_target": over["numerator"]})
    frame = pl.DataFrame(rows, schema={
        "district": pl.String, "district_name": pl.String, "children": pl.Float64,
        "fte": pl.Float64, "mean": pl.Float64, "max": pl.Float64, "caseworkers": pl.Float64,
        "over_target": pl.Float64})
    frame = _protect(frame, value_col="children", row_dims=["district"], col_dims=None,
                     publish=publish, derived=["mean", "max"])
    frame = frame.with_columns(pl.col("children", "caseworkers", "over_target").cast(pl.Int64),
                               pl.col("fte", "mean", "max").round(2))
    columns = (("district", _("District")), ("district_name", _("Name")),
               ("children", _("Children with a caseworker")), ("fte", _("Caseworker FTE")),
               ("mean", _("Children per FTE")), ("max", _("Highest caseload per FTE")),
               ("caseworkers", _("Caseworkers")), ("over_target", _("Caseworkers over target")))
    chart = {"type": "bar", "labels": frame["district_name"].to_list(),
             "datasets": [{"label": _("Children per FTE"), "data": frame["mean"].to_list()},
                          {"label": _("Highest caseload per FTE"), "data": frame["max"].to_list()}]}
    return DashboardTable(
        key="caseload", title=_("Caseload distribution"),
        description=_("Children per caseworker FTE on the last day of the period, by the "
                      "caseworkers' district (key figures: %(kpi)s; target %(target)s).")
        % {"target": f"{settings.TRAPPEN_CASELOAD_TARGET:g}",
           "kpi": _kpi_names("CASELOAD_MEAN", "CASELOAD_MAX", "CASELOAD_OVER_TARGET", language=language)},
        columns=columns, frame=frame, chart=chart, suppressed=publish)


def _kpi_names(*codes: str, language: str) -> str:
    """The key figures' names from the KPI catalogue (a description names them, never their codes)."""
    from trappen.labels import kpi_name

    return ", ".join(kpi_name(code, language=language) for code in codes)


def _deadlines_table(reg: Register, f: DashboardFilters, *, publish: bool,
                     language: str) -> DashboardTable:
    duties = {d.id: (d.name_da if language == "da" else d.name_en) for d in default_duties().duties}
    base = _kpis(reg, f, ["DEADLINE_COMPLIANCE"], dims=["duty"]).select(
        "duty", pl.col("numerator").alias("on_time"), pl.col("denominator").alias("due"), "value")
    long = pl.concat([
        base.select("duty", pl.lit("on_time").alias("status"), pl.col("on_time").alias("n")),
        base.select("duty", pl.lit("late").alias("status"),
                    (pl.col("due") - pl.col("on_time")).alias("n"))])
    long = _protect(long, value_col="n", row_dims=["duty"], col_dims=["status"], publish=publish)
    wide = base.select("duty", "due", (pl.col("value") * 100).round(1).alias("share_pct"))
    for status in ("on_time", "late"):
        part = long.filter(pl.col("status") == status).select("duty", pl.col("n").alias(status))
        wide = wide.join(part, on="duty", how="left")
    shown = pl.col("on_time").is_not_null() & pl.col("late").is_not_null()
    frame = (wide.with_columns(pl.when(shown).then(pl.col("share_pct")).alias("share_pct"),
                               pl.col("duty").replace_strict(duties, default=pl.col("duty"))
                               .alias("duty_name"))
             .with_columns(pl.col("on_time", "late", "due").cast(pl.Int64))
             .select("duty", "duty_name", "on_time", "late", "due", "share_pct")
             .sort(pl.col("duty").str.slice(1).cast(pl.Int64, strict=False), "duty"))  # D1, D2, ..., D16
    columns = (("duty", _("Duty")), ("duty_name", _("Name")), ("on_time", _("Met on time")),
               ("late", _("Late or missed")), ("due", _("Due in period")),
               ("share_pct", _("Share on time (%)")))
    chart = {"type": "bar", "labels": frame["duty_name"].to_list(), "percent": True,
             "datasets": [{"label": _("Share on time (%)"), "data": frame["share_pct"].to_list()}]}
    return DashboardTable(
        key="deadlines", title=_("Deadline compliance"),
        description=_("Deadlines due in the period met on time, per legal duty (key figure: %(kpi)s).")
        % {"kpi": _kpi_names("DEADLINE_COMPLIANCE", language=language)},
        columns=columns, frame=frame, chart=chart, suppressed=publish)


def _spending_table(reg: Register, f: DashboardFilters, *, publish: bool,
                    language: str) -> DashboardTable:
    names = _step_names(language)
    per_step = _kpis(reg, f, ["SPEND_PER_CHILD"], dims=["step"]).select(
        pl.col("step").cast(pl.Int64), pl.col("numerator").alias("spending_dkk"),
        pl.col("denominator").alias("children"), pl.col("value").alias("dkk_per_child"))
    steps = _protect(per_step.filter(pl.col("step").is_not_null()), value_col="children",
                     row_dims=["step"], col_dims=None, publish=publish, derived=["dkk_per_child"])
    frame = pl.concat([steps, per_step.filter(pl.col("step").is_null())], how="vertical_relaxed")
    frame = frame.with_columns(
        _named("step", names, "step_name", default=_("All steps")),
        pl.col("children").cast(pl.Int64), pl.col("spending_dkk", "dkk_per_child").round(0),
    ).select("step", "step_name", "children", "spending_dkk", "dkk_per_child")
    columns = (("step", _("Step")), ("step_name", _("Step name")), ("children", _("Children")),
               ("spending_dkk", _("Spending (DKK)")), ("dkk_per_child", _("DKK per child")))
    shown = frame.filter(pl.col("step").is_not_null())
    chart = {"type": "bar", "labels": [f"{s}. {names[s]}" for s in shown["step"].to_list()],
             "datasets": [{"label": _("Spending (DKK)"), "data": shown["spending_dkk"].to_list()}]}
    return DashboardTable(
        key="spending", title=_("Spending per step"),
        description=_("Days on each intervention in the period times its price on those days: the "
                      "economist's prices where entered, else the intervention catalogue's (the same "
                      "figures as the council report)."),
        columns=columns, frame=frame, chart=chart, suppressed=publish)


_BUILDERS: dict[str, Callable[..., DashboardTable]] = {
    "steps": _steps_table, "flows": _flows_table, "pilot": _pilot_table,
    "caseload": _caseload_table, "deadlines": _deadlines_table, "spending": _spending_table,
}


def dashboard_table(key: str, *, register: Register, filters: DashboardFilters, publish: bool,
                    language: str = "da") -> DashboardTable:
    """One dashboard's table over the filtered ``register``; counts suppressed when ``publish``.

    Args:
        key: one of :data:`DASHBOARDS`.
        register: the analytic register (whole municipality).
        filters: districts, age band, sex and period.
        publish: hide small counts (users outside the case-working staff).
        language: "da" or "en" for labels.
    """
    part = register_filtered(register, filters=filters)
    return _BUILDERS[key](part, filters, publish=publish, language=language)


def dashboard_for(key: str, *, register: Register, version: tuple[object, ...],
                  filters: DashboardFilters, publish: bool, language: str) -> DashboardTable:
    """:func:`dashboard_table`, cached per register ``version`` (from :func:`analytic_register`)."""
    cache_key = (version, key, filters.key(), publish, language)
    now = time.monotonic()
    with _lock:
        hit = _table_cache.get(cache_key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            _table_cache.move_to_end(cache_key)
            return hit[1]
    table = dashboard_table(key, register=register, filters=filters, publish=publish,
                            language=language)
    with _lock:
        _table_cache[cache_key] = (now, table)
        while len(_table_cache) > _TABLE_CACHE_SIZE:
            _table_cache.popitem(last=False)
    return table
