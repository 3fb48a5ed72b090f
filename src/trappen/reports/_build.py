"""Build the annual goals-and-results report from the KPI engine's frames.

Every number comes from :func:`trappen.kpi.compute_kpis` or :func:`trappen.kpi.kpi_series`
(the same functions as the dashboards, the CLI and the API); this module only selects,
reshapes, rounds and hides cells. By-district figures are the same engine run on the part of
the register that lived in the district on 31 December.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import polars as pl

from trappen.errors import InvalidInput, Problem
from trappen.kpi import compute_kpis, kpi_catalogue, kpi_series
from trappen.kpi.caseload import CaseloadRules
from trappen.kpi.disclosure import suppress
from trappen.kpi.goals import Goal, goal_progress
from trappen.labels import duty_name as core_duty_name
from trappen.labels import kpi_name, numbered_step_name
from trappen.register import Register
from trappen.reports._charts import bar_chart, line_chart
from trappen.reports._labels import LANGUAGES, label
from trappen.reports._model import (
    DECIMALS,
    SUPPRESSION_SUFFIX,
    Column,
    GoalResult,
    Report,
    ReportGoal,
    ReportTable,
    Section,
)
from trappen.staircase import Catalogue, default_catalogue

THRESHOLD = 5
"""Cells with 1-4 children are hidden when publishing (Danmarks Statistik's discretion practice
for counts of persons; the same threshold as :func:`trappen.kpi.disclosure.suppress`)."""

TREND_YEARS = 5

# Which parts of a single-figure KPI count children (or their episodes/cases): a share or rate
# is hidden when such a part is 1-4, as the part could be worked out from it.
_NUM_AND_DEN = frozenset({
    "SS01_RESIDENTIAL_SHARE", "SS03_FOSTER_SHARE", "SS04_KINSHIP_SHARE", "FAMILY_CARE_SHARE",
    "SS07_PREVIOUSLY_RESIDENTIAL", "SS08_UP_FROM_HOME_BASED", "SS09_DOWN_FROM_HOME_BASED",
    "SS12_FOLLOW_UP", "EARLY_CASES_SHARE", "REPLACEMENT_SHARE", "COMPLAINTS_UPHELD"})
_NUM_ONLY = frozenset({"SS05_HOME_BASED_PER_1000", "SS06_PREVENTIVE_PER_1000", "NEW_CASES", "COMPLAINTS"})
_DEN_ONLY = frozenset({"SS02_RESIDENTIAL_DURATION", "AGE_AT_OPENING", "SS10_PREVENTIVE_TREND"})

_INDICATORS = (
    "SS01_RESIDENTIAL_SHARE", "SS02_RESIDENTIAL_DURATION", "SS03_FOSTER_SHARE", "SS04_KINSHIP_SHARE",
    "SS05_HOME_BASED_PER_1000", "SS06_PREVENTIVE_PER_1000", "SS07_PREVIOUSLY_RESIDENTIAL",
    "SS08_UP_FROM_HOME_BASED", "SS09_DOWN_FROM_HOME_BASED", "SS10_PREVENTIVE_TREND",
    "SS11_PREVENTIVE_SPEND_SHARE", "SS12_FOLLOW_UP", "REPLACEMENT_SHARE", "COMPLAINTS", "COMPLAINTS_UPHELD")
_CASES = ("NEW_CASES", "AGE_AT_OPENING", "EARLY_CASES_SHARE")
_CASELOAD = ("CASELOAD_MEAN", "CASELOAD_MAX", "CASELOAD_OVER_TARGET")

_UNITS_DA = {"share": "%", "per 1,000 children": "pr. 1.000 børn", "days": "dage", "cases": "sager",
             "years": "år", "children per FTE": "børn pr. årsværk", "per placement-year": "pr. anbringelsesår",
             "complaints": "klager", "DKK": "kr.", "DKK per child": "kr. pr. barn",
             "children per month": "børn pr. måned"}


def _unit(unit: str, language: str) -> str:
    if unit == "share":
        return "%"
    return _UNITS_DA.get(unit, unit) if language == "da" else unit


def _scale(unit: str) -> float:
    return 100.0 if unit == "share" else 1.0


def _small(x: float | None) -> bool:
    return x is not None and 1 <= x < THRESHOLD


# --- tables ---------------------------------------------------------------------------------------
def _finish(frame: pl.DataFrame, columns: Sequence[Column]) -> pl.DataFrame:
    """Round numeric columns to their display precision; add empty ``__sup`` columns."""
    exprs = []
    for c in columns:
        if c.fmt in DECIMALS:
            exprs.append(pl.col(c.key).cast(pl.Float64).round(DECIMALS[c.fmt]))
        sup = c.key + SUPPRESSION_SUFFIX
        if c.fmt in DECIMALS and sup not in frame.columns:
            exprs.append(pl.lit(None, dtype=pl.String).alias(sup))
    frame = frame.with_columns(exprs)
    keep = [c.key for c in columns] + [c.key + SUPPRESSION_SUFFIX for c in columns if c.fmt in DECIMALS]
    return frame.select(keep)


def _protect(frame: pl.DataFrame, *, value_col: str, row_dims: Sequence[str], col_dims: Sequence[str] | None,
             publish: bool, derived: Sequence[str] = ()) -> pl.DataFrame:
    """Disclosure control of the count ``value_col`` (primary + secondary suppression) when
    publishing; ``derived`` columns (rates from the count) are hidden with it."""
    sup = value_col + SUPPRESSION_SUFFIX
    if not publish or frame.height == 0:
        out = frame.with_columns(pl.lit(None, dtype=pl.String).alias(sup))
    else:
        out = suppress(frame.with_columns(pl.col(value_col).cast(pl.Float64)), value_col=value_col,
                       row_dims=row_dims, col_dims=col_dims).rename({"suppression": sup})
    return out.with_columns(
        *[pl.when(pl.col(sup).is_null()).then(pl.col(d)).otherwise(None).alias(d) for d in derived],
        *[pl.col(sup).alias(d + SUPPRESSION_SUFFIX) for d in derived])


def _pivot(frame: pl.DataFrame, *, index: str, on: str, value: str, names: dict[str, str]) -> pl.DataFrame:
    """Long -> wide for ``value`` and its ``__sup``; wide columns are ``names[on value]``."""
    sup = value + SUPPRESSION_SUFFIX
    wide = frame.pivot(on=on, index=index, values=value, sort_columns=False)
    flags = frame.pivot(on=on, index=index, values=sup, sort_columns=False)
    wide = wide.rename({k: names[k] for k in wide.columns if k in names})
    flags = flags.rename({k: names[k] + SUPPRESSION_SUFFIX for k in flags.columns if k in names})
    return wide.join(flags, on=index, how="left")


def _kpi_row(frame: pl.DataFrame, code: str, **dims: str | None) -> dict[str, float | None] | None:
    sel = frame.filter(pl.col("kpi_code") == code)
    for dim in ("step", "from_step", "to_step", "district", "age_band", "placement_type", "duty"):
        want = dims.get(dim)
        sel = sel.filter(pl.col(dim).is_null() if want is None else pl.col(dim) == want)
    if sel.height == 0:
        return None
    row = sel.row(0, named=True)
    return {"value": row["value"], "numerator": row["numerator"], "denominator": row["denominator"]}


def _single_hidden(code: str, row: dict[str, float | None] | None) -> bool:
    if row is None:
        return False
    return ((code in _NUM_AND_DEN | _NUM_ONLY and _small(row["numerator"]))
            or (code in _NUM_AND_DEN | _DEN_ONLY and _small(row["denominator"])))


def _kpi_table(*, key: str, title: str, sheet: str, codes: Sequence[str], current: pl.DataFrame,
               previous: pl.DataFrame, publish: bool, language: str) -> ReportTable:
    defs = {k.code: k for k in kpi_catalogue()}
    rows = []
    for code in codes:
        d = defs[code]
        cur, prev = _kpi_row(current, code), _kpi_row(previous, code)
        s = _scale(d.unit)
        rows.append({
            "kpi": kpi_name(code, language=language), "code": code, "unit": _unit(d.unit, language),
            "previous": None if prev is None or prev["value"] is None else prev["value"] * s,
            "previous__sup": "primary" if publish and _single_hidden(code, prev) else None,
            "value": None if cur is None or cur["value"] is None else cur["value"] * s,
            "value__sup": "primary" if publish and _single_hidden(code, cur) else None})
    frame = pl.DataFrame(rows, schema={"kpi": pl.String, "code": pl.String, "unit": pl.String,
                                       "previous": pl.Float64, "previous__sup": pl.String,
                                       "value": pl.Float64, "value__sup": pl.String})
    frame = frame.with_columns(*[pl.when(pl.col(c + "__sup").is_null()).then(pl.col(c)).alias(c)
                                 for c in ("previous", "value")])
    columns = (Column(key="kpi", label=label(language, "kpi")), Column(key="code", label=label(language, "kpi_code")),
               Column(key="unit", label=label(language, "unit")),
               Column(key="previous", label=label(language, "previous"), fmt="dec1"),
               Column(key="value", label=label(language, "value"), fmt="dec1"))
    return ReportTable(key=key, title=title, sheet=sheet, columns=columns, frame=_finish(frame, columns))


# --- districts ------------------------------------------------------------------------------------
def _district_of_children(register: Register, *, on: date) -> pl.DataFrame:
    """(child_id, district_code): the residence active on ``on``, else the child's latest district."""
    res = register.residences.filter((pl.col("start_date") <= on)
                                     & (pl.col("end_date").is_null() | (pl.col("end_date") > on)))
    here = res.group_by("child_id").agg(pl.col("district_code").sort_by("start_date").last().alias("_d"))
    return (register.children.select("child_id", "district_code").join(here, on="child_id", how="left")
            .select("child_id", pl.coalesce("_d", "district_code").alias("district_code")))


def _district_register(register: Register, *, ids: pl.Series, district: str) -> Register:
    child_tables = {name: register.tables[name].filter(pl.col("child_id").is_in(ids.implode()))
                    for name in ("children", "residences", "cases", "episodes", "notifications",
                                 "investigations", "plans", "follow_ups", "supervision_visits",
                                 "complaints", "assignments")}
    return register.replace(**child_tables,
                            population=register.population.filter(pl.col("district_code") == district),
                            caseworkers=register.caseworkers.filter(pl.col("district_code") == district),
                            districts=register.districts.filter(pl.col("district_code") == district))


def _districts(register: Register, *, on: date) -> list[tuple[str, str, Register]]:
    """(code, name, the register of children living in the district on ``on``), in code order."""
    names = dict(zip(register.districts["district_code"].to_list(), register.districts["name"].to_list(),
                     strict=True))
    of = _district_of_children(register, on=on)
    out = []
    for code in sorted(of["district_code"].unique().to_list()):
        ids = of.filter(pl.col("district_code") == code)["child_id"]
        out.append((code, names.get(code, code), _district_register(register, ids=ids, district=code)))
    return out


# --- goals ----------------------------------------------------------------------------------------
_GOAL_SCHEMA = {"goal": pl.String, "kpi": pl.String, "district": pl.String, "unit": pl.String,
                "baseline": pl.Float64, "baseline_date": pl.String, "target": pl.Float64,
                "target_date": pl.String, "latest": pl.Float64, "latest__sup": pl.String,
                "progress": pl.Float64, "progress__sup": pl.String, "status": pl.String}


def _goal_result_rows(results: Sequence[GoalResult], *, language: str) -> pl.DataFrame:
    """The goals table from statuses computed by the caller (the Goals page's function); a goal
    hidden for disclosure shows ``<5`` for its latest value and progress."""
    defs = {k.code: k for k in kpi_catalogue()}
    rows = []
    for r in results:
        g, st = r.goal, r.status
        d = defs.get(g.kpi_code)
        s = _scale(d.unit) if d else 1.0
        status = (label(language, st.status) if st is not None
                  else label(language, "goal_hidden") if r.hidden else label(language, "goal_no_data"))
        rows.append({
            "goal": r.name, "kpi": kpi_name(g.kpi_code, language=language),
            "district": r.district_name or label(language, "whole"),
            "unit": _unit(d.unit, language) if d else "",
            "baseline": g.baseline_value * s, "baseline_date": g.baseline_date.isoformat(),
            "target": g.target_value * s, "target_date": g.target_date.isoformat(),
            "latest": None if st is None else st.latest_value * s,
            "latest__sup": "primary" if r.hidden else None,
            "progress": None if st is None else st.progress_share * 100.0,
            "progress__sup": "primary" if r.hidden else None,
            "status": status})
    return pl.DataFrame(rows, schema=_GOAL_SCHEMA)


def price_years(rates: pl.DataFrame, *, year: int) -> list[int]:
    """The price years of the date-ranged ``rates`` in force at some time in ``year``."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    live = rates.filter((pl.col("valid_from") < end) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > start)))
    return sorted({int(y) for y in live["price_year"].drop_nulls().to_list()})


def _goal_rows(goals: Sequence[ReportGoal | Goal], *, register: Register, year: int, language: str,
               districts: dict[str, Register], district_names: dict[str, str],
               kw: dict[str, Any]) -> pl.DataFrame:
    defs = {k.code: k for k in kpi_catalogue()}
    end = date(year, 12, 1)
    rows = []
    for item in goals:
        goal = item.goal if isinstance(item, ReportGoal) else item
        if goal.kpi_code not in defs:
            raise InvalidInput(Problem(field="kpi_code", value=goal.kpi_code, message="unknown KPI code in a goal"))
        d = defs[goal.kpi_code]
        name = item.name if isinstance(item, ReportGoal) else kpi_name(goal.kpi_code, language=language)
        reg = register if goal.district is None else districts.get(goal.district)
        if reg is None:
            raise InvalidInput(
                Problem(field="district", value=goal.district, message="no such district in the register"))
        first = date(goal.baseline_date.year, goal.baseline_date.month, 1)
        if first > end:
            raise InvalidInput(
                Problem(
                    field="baseline_date",
                    value=goal.baseline_date,
                    message=f"goal baseline is after the report year {year}",
                )
            )
        months = [
            date(y, m, 1) for y in range(first.year, year + 1) for m in range(1, 13) if first <= date(y, m, 1) <= end
        ]
        series = kpi_series(reg, months=months, kpis=[goal.kpi_code], **kw)
        if d.dimensions:  # whole-KPI rows only (e.g. the total of spending per step)
            series = series.filter(pl.all_horizontal(pl.col(c).is_null() for c in d.dimensions))
        # the district register holds only the district: its series is the goal's district
        status = goal_progress(replace(goal, district=None), series)
        s = _scale(d.unit)
        rows.append(
            {
                "goal": name,
                "kpi": kpi_name(goal.kpi_code, language=language),
                "district": (label(language, "whole") if goal.district is None
                             else district_names.get(goal.district, goal.district)),
                "unit": _unit(d.unit, language),
                "baseline": goal.baseline_value * s,
                "baseline_date": goal.baseline_date.isoformat(),
                "target": goal.target_value * s,
                "target_date": goal.target_date.isoformat(),
                "latest": status.latest_value * s,
                "progress": status.progress_share * 100.0,
                "status": label(language, status.status),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "goal": pl.String,
            "kpi": pl.String,
            "district": pl.String,
            "unit": pl.String,
            "baseline": pl.Float64,
            "baseline_date": pl.String,
            "target": pl.Float64,
            "target_date": pl.String,
            "latest": pl.Float64,
            "progress": pl.Float64,
            "status": pl.String,
        },
    )


def _summary_text(
    current: pl.DataFrame, *, year: int, language: str, publish: bool, goal_statuses: list[str] | None
) -> tuple[str, ...]:
    """A few sentences with the year's key figures (the same engine rows as the tables)."""
    from trappen.reports._render import MARKERS, format_number

    def shown(code: str, part: str, fmt: str, scale: float = 1.0) -> str:
        row = _kpi_row(current, code)
        if row is None or row[part] is None:
            return "–"
        if publish and _single_hidden(code, row):
            return MARKERS["primary"]
        return format_number(round(row[part] * scale, 1 if fmt == "dec1" else 0), fmt=fmt, language=language)

    text = [
        label(language, "summary_text").format(
            year=year,
            placed=shown("FAMILY_CARE_SHARE", "denominator", "int"),
            family=shown("FAMILY_CARE_SHARE", "value", "dec1", 100.0),
            new_cases=shown("NEW_CASES", "numerator", "int"),
            age=shown("AGE_AT_OPENING", "value", "dec1"),
        )
    ]
    if goal_statuses:
        count = {k: goal_statuses.count(label(language, k)) for k in ("met", "on_track", "off_track")}
        text.append(
            label(language, "summary_goals").format(
                n=len(goal_statuses), met=count["met"], on=count["on_track"], off=count["off_track"]
            )
        )
    return tuple(text)


# --- the report -----------------------------------------------------------------------------------
_EVALUATION_LABELS = {
    "da": {
        "title": "Evaluering af omlægningen",
        "column": "Udfald",
        "outcome": "Anbragte børn pr. 1.000 børn 0-17",
        "att": "Effekt",
        "ci_low": "95 %-interval fra",
        "ci_high": "95 %-interval til",
        "treated": "Distrikter der har lagt om",
        "control": "Kontroldistrikter",
        "method": "Forskudt forskel-i-forskelle (Callaway og Sant'Anna) på et kvartalspanel fra "
        "{start} til {end}; distrikter, der endnu ikke har lagt om, er kontrolgruppe.",
    },
    "en": {
        "title": "Evaluation of the change",
        "column": "Outcome",
        "outcome": "Children placed per 1,000 children 0-17",
        "att": "Effect",
        "ci_low": "95% interval from",
        "ci_high": "95% interval to",
        "treated": "Treated districts",
        "control": "Control districts",
        "method": "Staggered difference-in-differences (Callaway and Sant'Anna) on a quarterly "
        "panel from {start} to {end}; districts that have not yet adopted are the controls.",
    },
}
EVALUATION_DRAWS = 199
"""Wild-bootstrap draws of the report's evaluation (as the web page; the CLI uses 999)."""
EVALUATION_SEED = 1


def _evaluation_section(register: Register, *, year: int, language: str) -> Section | None:
    """The staggered DiD of the pilot districts' adoption on placements per 1,000 (issue 8), over
    the ``TREND_YEARS`` years up to ``year``; None when no district has a pilot date. The table
    holds rates and district counts only (no count of children); the caveats are plain language."""
    from trappen.evaluation import build_panel, staggered_did

    adopted = register.districts["pilot_from"].drop_nulls()
    if adopted.len() == 0:
        return None
    lab = _EVALUATION_LABELS[language]
    # at least three years before the first adoption, so that the first districts have a
    # pre-period; not before the register's first episode
    start = date(min(year + 1 - TREND_YEARS, adopted.min().year - 3), 1, 1)  # type: ignore[union-attr]
    start = max(start, date(register.episodes["start_date"].min().year, 1, 1))  # type: ignore[union-attr]
    panel = build_panel(register, freq="quarter", start=start, end=date(year + 1, 1, 1))
    result = staggered_did(panel, outcome="placements_per_1000", draws=EVALUATION_DRAWS, seed=EVALUATION_SEED)
    o = result.overall.row(0, named=True)
    frame = pl.DataFrame(
        {
            "outcome": [lab["outcome"]],
            "att": [o["att"]],
            "ci_low": [o["ci_low"]],
            "ci_high": [o["ci_high"]],
            "treated": [result.clusters.treated],
            "control": [result.clusters.control],
        }
    )
    cols = (
        Column(key="outcome", label=lab["column"]),
        Column(key="att", label=lab["att"], fmt="dec2"),
        Column(key="ci_low", label=lab["ci_low"], fmt="dec2"),
        Column(key="ci_high", label=lab["ci_high"], fmt="dec2"),
        Column(key="treated", label=lab["treated"], fmt="int"),
        Column(key="control", label=lab["control"], fmt="int"),
    )
    table = ReportTable(
        key="evaluation", title=lab["title"], sheet="Evaluation", columns=cols, frame=_finish(frame, cols)
    )
    return Section(
        key="evaluation",
        title=lab["title"],
        tables=(table,),
        paragraphs=(lab["method"].format(start=start.year, end=year), *result.caveats(language)),
    )


def build_report(
    register: Register,
    *,
    year: int,
    language: str = "da",
    goals: Sequence[ReportGoal | Goal] = (),
    publish: bool = True,
    catalogue: Catalogue | None = None,
    caseload_target: float | None = None,
    caseload_rules: CaseloadRules | None = None,
    rates: pl.DataFrame | None = None,
    goal_results: Sequence[GoalResult] | None = None,
    goals_asof: date | None = None,
) -> Report:
    """The annual goals-and-results report for the municipal council, as data.

    Args:
        register: the analytic register.
        year: the calendar year reported on: stocks on 31 December, flows over the year, and a
            trend over the ``TREND_YEARS`` years up to it.
        language: ``"da"`` or ``"en"``.
        goals: the municipality's goals (a :class:`ReportGoal` carries the goal's name).
        publish: apply disclosure control (cells with 1-4 children hidden, with secondary
            suppression) to every table that counts children. ``False`` only for the
            municipality's own case-working staff.
        catalogue: the intervention catalogue (steps, prices); the shipped one when None.
        caseload_target: children per FTE counted as over target (None: the rules', else
            kpi/data/caseload.toml, 25).
        caseload_rules: target and step weights (None: kpi/data/caseload.toml).
        rates: date-ranged prices (:data:`trappen.economics.RATE_SCHEMA`; the web layer's
            economist's prices, as the dashboards); None: the catalogue's one price per type.
            The method section states which, with the price years in force in ``year``.
        goal_results: goals whose status the caller computed (the web layer: the Goals page's
            function); used instead of ``goals``. ``goals_asof``: the day that status is for.

    Returns:
        A :class:`Report` whose tables hold numbers rounded to their display precision.

    Raises:
        InvalidInput: an unknown language, a year with no register data, or a bad goal.
    """
    if language not in LANGUAGES:
        raise InvalidInput(Problem(field="language", value=language, message=f"must be one of {LANGUAGES}"))
    catalogue = catalogue or default_catalogue()
    staircase = catalogue.staircase
    at, period = date(year, 12, 31), (date(year, 1, 1), date(year + 1, 1, 1))
    if register.episodes.height == 0 or register.episodes["start_date"].min() > at:  # type: ignore[operator]
        raise InvalidInput(Problem(field="year", value=year, message="the register has no episodes up to this year"))
    lab = lambda key: label(language, key)  # noqa: E731
    kw: dict[str, Any] = {"catalogue": catalogue, "caseload_target": caseload_target,
                          "caseload_rules": caseload_rules, "rates": rates}
    codes = [k.code for k in kpi_catalogue() if k.code != "DEADLINE_COMPLIANCE"]
    current = compute_kpis(register, at=at, period=period, kpis=codes, **kw)
    previous = compute_kpis(
        register, at=date(year - 1, 12, 31), period=(date(year - 1, 1, 1), period[0]), kpis=codes, **kw
    )
    deadlines = compute_kpis(register, at=at, period=period, kpis=["DEADLINE_COMPLIANCE"], **kw)
    kpis = pl.concat([current, deadlines])
    # steps by number and name (trappen.labels: the names the web shows too), never a bare number
    step_name = {str(n): numbered_step_name(n, language=language, staircase=staircase) for n in (0, *staircase.numbers)}
    sections: list[Section] = []

    # summary: Socialstyrelsen's indicators, this year and the year before
    sections.append(
        Section(
            key="summary",
            title=lab("summary"),
            tables=(
                _kpi_table(
                    key="indicators",
                    title=lab("indicators"),
                    sheet="Indicators",
                    codes=_INDICATORS,
                    current=current,
                    previous=previous,
                    publish=publish,
                    language=language,
                ),
            ),
        )
    )

    # children on each step, 31 December: municipality, then by district
    step_rows = current.filter(pl.col("kpi_code") == "STEP_PER_1000")
    steps = step_rows.filter(pl.col("district").is_null()).select(
        "step", pl.col("numerator").alias("children"), pl.col("value").alias("per_1000")
    )
    steps = _protect(
        steps, value_col="children", row_dims=["step"], col_dims=None, publish=publish, derived=["per_1000"]
    ).with_columns(pl.col("step").replace_strict(step_name).alias("step"))
    cols = (
        Column(key="step", label=lab("step")),
        Column(key="children", label=lab("children"), fmt="int"),
        Column(key="per_1000", label=lab("per_1000"), fmt="dec1"),
    )
    steps_table = ReportTable(key="steps", title=lab("steps"), sheet="Steps", columns=cols, frame=_finish(steps, cols))
    # by district of residence: the engine's own district rows, labelled with district names
    names = dict(zip(register.districts["district_code"].to_list(), register.districts["name"].to_list(), strict=True))
    by_d = step_rows.filter(pl.col("district").is_not_null()).select(
        pl.col("district").replace_strict(names, default=pl.col("district")).alias("district"),
        "step",
        pl.col("numerator").alias("n"),
        pl.col("value").alias("v"),
    )
    by_d = _protect(by_d, value_col="n", row_dims=["district"], col_dims=["step"], publish=publish, derived=["v"])
    short = {str(s.number): step_name[str(s.number)] for s in staircase.steps}
    wide = _pivot(by_d, index="district", on="step", value="v", names=short)
    cols = (
        Column(key="district", label=lab("district")),
        *[Column(key=short[str(s.number)], label=short[str(s.number)], fmt="dec1") for s in staircase.steps],
    )
    district_table = ReportTable(
        key="steps_district",
        title=lab("steps_district"),
        sheet="Steps by district",
        columns=cols,
        frame=_finish(wide, cols),
    )
    sections.append(Section(key="steps", title=lab("steps"), tables=(steps_table, district_table)))

    # trend over five years: STEP_PER_1000 on each 31 December
    years = list(range(year - TREND_YEARS + 1, year + 1))
    series = kpi_series(register, months=[date(y, 12, 1) for y in years], kpis=["STEP_PER_1000"], **kw)
    trend = series.filter(pl.col("district").is_null()).select(
        pl.col("month").dt.year().cast(pl.String).alias("year"),
        "step",
        pl.col("numerator").alias("n"),
        pl.col("value").alias("v"),
    )
    trend = _protect(trend, value_col="n", row_dims=["year"], col_dims=["step"], publish=publish, derived=["v"])
    wide = _pivot(trend, index="year", on="step", value="v", names=short)
    cols = (
        Column(key="year", label=lab("year")),
        *[Column(key=short[str(s.number)], label=short[str(s.number)], fmt="dec1") for s in staircase.steps],
    )
    trend_table = ReportTable(
        key="trend", title=lab("trend_chart"), sheet="Trend", columns=cols, frame=_finish(wide, cols)
    )
    chart = line_chart(
        x=[int(y) for y in trend_table.frame["year"].to_list()],
        series=[(step_name[str(s.number)], trend_table.frame[short[str(s.number)]].to_list()) for s in staircase.steps],
        title=lab("trend_chart"),
        salt="trend",
    )
    sections.append(Section(key="trend", title=lab("trend"), tables=(trend_table,), charts=(chart,)))

    # flows up and down the staircase over the year
    flows = current.filter(pl.col("kpi_code") == "STEP_FLOWS").select(
        "from_step", "to_step", pl.col("numerator").alias("moves"), pl.col("value").alias("per_month")
    )
    flows = _protect(
        flows, value_col="moves", row_dims=["from_step"], col_dims=["to_step"], publish=publish, derived=["per_month"]
    ).with_columns(pl.col("from_step", "to_step").replace_strict(step_name))
    cols = (
        Column(key="from_step", label=lab("from_step")),
        Column(key="to_step", label=lab("to_step")),
        Column(key="moves", label=lab("moves"), fmt="int"),
        Column(key="per_month", label=lab("moves_per_month"), fmt="dec2"),
    )
    flows_table = ReportTable(key="flows", title=lab("flows"), sheet="Flows", columns=cols, frame=_finish(flows, cols))
    sections.append(Section(key="flows", title=lab("flows"), tables=(flows_table,)))

    # placements: family vs residential care, and breakdowns
    placement_codes = (
        ("SS04_KINSHIP_SHARE", "kinship_care"),
        ("SS03_FOSTER_SHARE", "foster_care"),
        ("SS01_RESIDENTIAL_SHARE", "residential_care"),
    )
    cat_name = {s.category: s.name(language) for s in staircase.steps}
    rows = []
    for code, cat in placement_codes:
        r = _kpi_row(current, code)
        if r is not None:
            rows.append(
                {
                    "type": cat_name.get(cat, cat),
                    "children": r["numerator"],
                    "share": None if r["value"] is None else r["value"] * 100.0,
                }
            )
    placed = pl.DataFrame(rows, schema={"type": pl.String, "children": pl.Float64, "share": pl.Float64})
    placed = _protect(
        placed, value_col="children", row_dims=["type"], col_dims=None, publish=publish, derived=["share"]
    )
    fam = _kpi_row(current, "FAMILY_CARE_SHARE")
    hidden_any = placed["children__sup"].null_count() < placed.height
    if fam is not None:
        extra = pl.DataFrame(
            {
                "type": [lab("family")],
                "children": [None if hidden_any else fam["numerator"]],
                "share": [None if hidden_any or fam["value"] is None else fam["value"] * 100.0],
                "children__sup": ["secondary" if hidden_any else None],
                "share__sup": ["secondary" if hidden_any else None],
            },
            schema=placed.schema,
        )
        total = pl.DataFrame(
            {
                "type": [lab("placed")],
                "children": [fam["denominator"]],
                "share": [100.0 if fam["denominator"] else None],
                "children__sup": [None],
                "share__sup": [None],
            },
            schema=placed.schema,
        )
        placed = pl.concat([placed, extra, total])
    cols = (
        Column(key="type", label=lab("placement_type")),
        Column(key="children", label=lab("children"), fmt="int"),
        Column(key="share", label=lab("share_pct"), fmt="dec1"),
    )
    placements_table = ReportTable(
        key="placements", title=lab("placements"), sheet="Placements", columns=cols, frame=_finish(placed, cols)
    )
    br = (
        current.filter((pl.col("kpi_code") == "BREAKDOWN_RATE") & pl.col("age_band").is_not_null())
        .select(
            "age_band",
            "placement_type",
            pl.col("numerator").alias("breakdowns"),
            pl.col("denominator").alias("years"),
            pl.col("value").alias("rate"),
        )
        .sort("placement_type", "age_band")
    )
    br = _protect(
        br,
        value_col="breakdowns",
        row_dims=["age_band"],
        col_dims=["placement_type"],
        publish=publish,
        derived=["rate"],
    ).with_columns(pl.col("placement_type").replace(cat_name))
    cols = (
        Column(key="placement_type", label=lab("placement_type")),
        Column(key="age_band", label=lab("age_band")),
        Column(key="breakdowns", label=lab("breakdowns_n"), fmt="int"),
        Column(key="years", label=lab("placement_years"), fmt="dec1"),
        Column(key="rate", label=lab("rate"), fmt="dec2"),
    )
    breakdown_table = ReportTable(
        key="breakdowns", title=lab("breakdowns"), sheet="Breakdowns", columns=cols, frame=_finish(br, cols)
    )
    sections.append(Section(key="placements", title=lab("placements"), tables=(placements_table, breakdown_table)))

    # new cases and age at opening; caseload
    sections.append(
        Section(
            key="cases",
            title=lab("cases"),
            tables=(
                _kpi_table(
                    key="cases",
                    title=lab("cases"),
                    sheet="New cases",
                    codes=_CASES,
                    current=current,
                    previous=previous,
                    publish=publish,
                    language=language,
                ),
            ),
        )
    )
    sections.append(
        Section(
            key="caseload",
            title=lab("caseload"),
            tables=(
                _kpi_table(
                    key="caseload",
                    title=lab("caseload"),
                    sheet="Caseload",
                    codes=_CASELOAD,
                    current=current,
                    previous=previous,
                    publish=publish,
                    language=language,
                ),
            ),
        )
    )

    # deadline compliance per legal duty (when the deadline engine is installed)
    dl = deadlines.filter(pl.col("kpi_code") == "DEADLINE_COMPLIANCE").sort(
        pl.col("duty").str.extract(r"(\d+)").cast(pl.Int32, strict=False), "duty"
    )
    if dl.height:
        duty_name = {d: f"{d} {core_duty_name(d, language=language)}" for d in dl["duty"].to_list()}
        long = pl.concat(
            [
                dl.select("duty", pl.lit("on_time").alias("status"), pl.col("numerator").alias("n")),
                dl.select(
                    "duty", pl.lit("missed").alias("status"), (pl.col("denominator") - pl.col("numerator")).alias("n")
                ),
            ]
        )
        long = _protect(long, value_col="n", row_dims=["duty"], col_dims=["status"], publish=publish)
        wide = _pivot(long, index="duty", on="status", value="n", names={"on_time": "on_time", "missed": "missed"})
        wide = wide.join(
            dl.select("duty", (pl.col("value") * 100.0).alias("pct")), on="duty", maintain_order="left"
        ).with_columns(
            pl.when(pl.col("on_time__sup").is_null() & pl.col("missed__sup").is_null())
            .then(pl.col("pct"))
            .alias("pct"),
            pl.when(pl.col("on_time__sup").is_null() & pl.col("missed__sup").is_null())
            .then(None)
            .otherwise(pl.lit("secondary"))
            .alias("pct__sup"),
            pl.col("duty").replace_strict(duty_name).alias("duty"),
        )
        cols = (
            Column(key="duty", label=lab("duty")),
            Column(key="on_time", label=lab("on_time"), fmt="int"),
            Column(key="missed", label=lab("missed"), fmt="int"),
            Column(key="pct", label=lab("compliance_pct"), fmt="dec1"),
        )
        sections.append(
            Section(
                key="deadlines",
                title=lab("deadlines"),
                tables=(
                    ReportTable(
                        key="deadlines",
                        title=lab("deadlines"),
                        sheet="Deadlines",
                        columns=cols,
                        frame=_finish(wide, cols),
                    ),
                ),
            )
        )
    else:
        sections.append(Section(key="deadlines", title=lab("deadlines"), paragraphs=(lab("no_deadlines"),)))

    # spending per step
    spend = (
        current.filter(pl.col("kpi_code") == "SPEND_PER_STEP")
        .select("step", pl.col("value").alias("dkk"))
        .join(
            current.filter(pl.col("kpi_code") == "SPEND_PER_CHILD").select(
                "step", pl.col("denominator").alias("children"), pl.col("value").alias("per_child")
            ),
            on="step",
            how="left",
            nulls_equal=True,
        )
    )
    by_step = _protect(
        spend.filter(pl.col("step").is_not_null()),
        value_col="children",
        row_dims=["step"],
        col_dims=None,
        publish=publish,
        derived=["per_child"],
    )
    total_row = _protect(
        spend.filter(pl.col("step").is_null()),
        value_col="children",
        row_dims=["step"],
        col_dims=None,
        publish=publish,
        derived=["per_child"],
    )
    step_total = dict(step_name, **{"total": "I alt" if language == "da" else "Total"})
    spend = pl.concat([by_step, total_row]).with_columns(pl.col("step").fill_null("total").replace_strict(step_total))
    cols = (
        Column(key="step", label=lab("step")),
        Column(key="dkk", label=lab("spend_dkk"), fmt="int"),
        Column(key="children", label=lab("children"), fmt="int"),
        Column(key="per_child", label=lab("spend_per_child"), fmt="int"),
    )
    spend_table = ReportTable(
        key="spending", title=lab("spending"), sheet="Spending", columns=cols, frame=_finish(spend, cols)
    )
    bars = spend_table.frame.head(len(staircase.steps))
    chart = bar_chart(
        labels=bars["step"].to_list(),
        values=[v / 1e6 for v in bars["dkk"].to_list()],
        title=lab("spend_chart"),
        salt="spend",
    )
    sections.append(Section(key="spending", title=lab("spending"), tables=(spend_table,), charts=(chart,)))

    # goals
    if goal_results:
        goals = goal_results  # type: ignore[assignment]  # only truthiness below
        frame = _goal_result_rows(goal_results, language=language)
    elif goals:
        frame = _goal_rows(
            goals,
            register=register,
            year=year,
            language=language,
            districts={code: reg for code, _, reg in _districts(register, on=at)},
            district_names=names,
            kw=kw,
        )
    if goals:
        cols = (
            Column(key="goal", label=lab("goal")),
            Column(key="kpi", label=lab("kpi")),
            Column(key="district", label=lab("district")),
            Column(key="unit", label=lab("unit")),
            Column(key="baseline", label=lab("baseline"), fmt="dec1"),
            Column(key="target", label=lab("target"), fmt="dec1"),
            Column(key="target_date", label=lab("target_date")),
            Column(key="latest", label=lab("latest"), fmt="dec1"),
            Column(key="progress", label=lab("progress_pct"), fmt="dec1"),
            Column(key="status", label=lab("status")),
        )
        asof = (lab("goals_asof").format(date=goals_asof.isoformat()),) if goals_asof and goal_results else ()
        sections.append(
            Section(
                key="goals",
                title=lab("goals"),
                paragraphs=asof,
                tables=(
                    ReportTable(
                        key="goals", title=lab("goals"), sheet="Goals", columns=cols, frame=_finish(frame, cols)
                    ),
                ),
            )
        )
    else:
        sections.append(Section(key="goals", title=lab("goals"), paragraphs=(lab("no_goals"),)))

    sections[0] = replace(
        sections[0],
        paragraphs=_summary_text(
            current,
            year=year,
            language=language,
            publish=publish,
            goal_statuses=sections[-1].tables[0].frame["status"].to_list() if goals else None,
        ),
    )

    evaluation = _evaluation_section(register, year=year, language=language)
    if evaluation is not None:
        sections.append(evaluation)

    if rates is None:
        years_in_force = sorted({t.price_year for t in catalogue.types})
        prices = lab("method_prices").format(price_year="/".join(str(p) for p in years_in_force))
    else:
        years_in_force = price_years(rates, year=year)
        prices = lab("method_rates").format(price_year="/".join(str(p) for p in years_in_force))
    sections.append(
        Section(
            key="method",
            title=lab("method"),
            paragraphs=(
                lab("method_source"),
                lab("method_definitions"),
                lab("method_disclosure") if publish else lab("method_internal"),
                prices,
            ),
        )
    )
    return Report(
        year=year,
        language=language,
        publish=publish,
        title=lab("title").format(year=year),
        subtitle=lab("subtitle"),
        sections=tuple(sections),
        footnote=lab("footnote_suppressed"),
        kpis=kpis,
    )
