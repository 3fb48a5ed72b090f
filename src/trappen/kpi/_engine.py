"""The KPI engine: every KPI of the catalogue over one date, or over a monthly series.

Both entry points reduce to the same vectorised computation over a list of *windows*: each
window has a snapshot day ``at`` (stock KPIs) and a half-open period ``[start, end)`` (flow
KPIs). Windows are sorted and do not overlap, so events and episodes are matched to windows by
binary search over whole columns; nothing loops over children or episodes in Python.

Steps are selected by CATEGORY from the staircase (``PLACEMENT_CATEGORIES`` and friends), never
by number, so any staircase file works.
"""

from __future__ import annotations

import calendar
import dataclasses
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import polars as pl

from trappen.errors import InvalidInput, Problem
from trappen.kpi._catalogue import DIMENSIONS, kpi_catalogue
from trappen.kpi.caseload import CaseloadRules, default_caseload_rules
from trappen.register._container import Register
from trappen.register.derive import population_on, steps_by_day_index
from trappen.staircase import (
    FAMILY_CARE_CATEGORIES,
    PLACEMENT_CATEGORIES,
    Catalogue,
    Staircase,
    default_catalogue,
)

DAYS_PER_YEAR = 365.25
"""Days in a placement-year (mean calendar year, leap years included)."""

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-5", 0, 5), ("6-11", 6, 11), ("12-14", 12, 14), ("15-17", 15, 17), ("18-22", 18, 22),
)
"""Age bands for breakdowns: early years, school age, early teens, late teens, aftercare
(Barnets Lov §§ 114-116: support possible until the 23rd birthday)."""

FOLLOW_UP_MONTHS = 3
"""First follow-up on a measure within 3 months (Barnets Lov § 95 stk. 1-2; deadline D10)."""

_W = "_w"
_VALUE_COLS = ("value", "numerator", "denominator")


@dataclass(frozen=True, kw_only=True)
class _Window:
    at: date
    start: date
    end: date  # exclusive


def _minus_months(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def default_period(at: date) -> tuple[date, date]:
    """The 12 months up to and including ``at``: ``[at - 1 year + 1 day, at + 1 day)``."""
    return _minus_months(at, 12) + timedelta(days=1), at + timedelta(days=1)


def _snapshot_days(w: _Window) -> list[date]:
    """The day before the period, then back from ``at`` month by month (flows, moves)."""
    first = w.start - timedelta(days=1)
    days = {first}
    k = 0
    while (d := _minus_months(w.at, k)) > first:
        days.add(d)
        k += 1
    return sorted(days)


class _Context:
    """Shared, lazily computed frames for one engine run."""

    def __init__(self, register: Register, windows: list[_Window], staircase: Staircase,
                 catalogue: Catalogue, caseload: CaseloadRules, rates: pl.DataFrame | None = None):
        self.reg = register
        self.windows = windows
        self.staircase = staircase
        self.catalogue = catalogue
        self.rates = rates
        self.caseload = caseload
        self.wframe = pl.DataFrame({
            _W: pl.Series(range(len(windows)), dtype=pl.UInt32),
            "_at": [w.at for w in windows], "_start": [w.start for w in windows],
            "_end": [w.end for w in windows]}, schema={_W: pl.UInt32, "_at": pl.Date,
                                                       "_start": pl.Date, "_end": pl.Date})
        self.categories = pl.DataFrame(
            {"step": [s.number for s in staircase.steps], "category": [s.category for s in staircase.steps]},
            schema={"step": pl.Int8, "category": pl.String})
        self._cache: dict[str, pl.DataFrame] = {}
        self.flow_days = [_snapshot_days(w) for w in windows]
        """Monthly snapshot days per window. Window day sets overlap in at most one day, so in
        the union of all days each window's days form one consecutive run."""

    def cached(self, key: str, make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def all_days(self) -> pl.Series:
        """Every snapshot day any KPI needs, sorted: each window's flow days (they include
        ``at`` and the day before the period)."""
        return pl.Series("day", sorted({d for days in self.flow_days for d in days}), dtype=pl.Date)

    @property
    def day_steps(self) -> pl.DataFrame:
        """(child_id, day_index, step) on every day of :attr:`all_days`, sorted; computed once."""
        return self.cached("day_steps", lambda: steps_by_day_index(self.reg, days=self.all_days))

    def steps_on_days(self, days: list[date]) -> pl.DataFrame:
        """(child_id, _w, step, category) for one day per window."""
        position = {d: i for i, d in enumerate(self.all_days.to_list())}
        to_w = {position[d]: w for w, d in enumerate(days)}
        to_category = dict(zip(self.categories["step"].to_list(), self.categories["category"].to_list(), strict=True))
        return (self.day_steps.filter(pl.col("day_index").is_in(list(to_w)))
                .select("child_id",
                        pl.col("day_index").replace_strict(to_w, return_dtype=pl.UInt32).alias(_W),
                        "step",
                        pl.col("step").replace_strict(to_category, default=None, return_dtype=pl.String)
                        .alias("category")))

    @property
    def stock(self) -> pl.DataFrame:
        return self.cached("stock", lambda: self.steps_on_days([w.at for w in self.windows]))

    @property
    def stock_counts(self) -> pl.DataFrame:
        """(_w, step, category, n): children on each step on each window's ``at``."""
        return self.cached("stock_counts", lambda: self.stock.group_by(_W, "step").agg(pl.len().alias("n"))
                           .join(self.categories, on="step", how="left"))

    @property
    def stock_before(self) -> pl.DataFrame:
        return self.cached("before", lambda: self.steps_on_days(
            [w.start - timedelta(days=1) for w in self.windows]))

    @property
    def population(self) -> pl.DataFrame:
        """(_w, children) aged 0-17 on each window's ``at``: the register's population table for
        the year when it has one (counts on 31 December), else counted from ``children``."""
        def make() -> pl.DataFrame:
            table = self.reg.population.group_by("year").agg(pl.col("children").sum())
            by_year = dict(zip(table["year"].to_list(), table["children"].to_list(), strict=True))
            counts = [by_year.get(w.at.year) or population_on(self.reg, on=w.at).height
                      for w in self.windows]
            return pl.DataFrame({_W: pl.Series(range(len(self.windows)), dtype=pl.UInt32),
                                 "children": pl.Series(counts, dtype=pl.Float64)})
        return self.cached("population", make)

    @property
    def population_by_district(self) -> pl.DataFrame:
        """(_w, district, children) aged 0-17 on each window's ``at``, like :attr:`population`."""
        def make() -> pl.DataFrame:
            table = self.reg.population.group_by("year", "district_code").agg(pl.col("children").sum())
            parts = []
            for wi, w in enumerate(self.windows):
                year = table.filter(pl.col("year") == w.at.year)
                if year.is_empty():
                    year = population_on(self.reg, on=w.at).group_by("district_code").agg(pl.len().alias("children"))
                parts.append(year.select(pl.lit(wi, dtype=pl.UInt32).alias(_W),
                                         pl.col("district_code").alias("district"),
                                         pl.col("children").cast(pl.Float64)))
            return pl.concat(parts)
        return self.cached("population_by_district", make)

    @property
    def stock_by_district(self) -> pl.DataFrame:
        """(_w, step, district, n): children on each step on ``at`` by district of residence
        (the residence active on ``at``, else ``children.district_code``)."""
        def make() -> pl.DataFrame:
            kids = self.stock.select("child_id").unique()
            residences = self.reg.residences.join(kids, on="child_id", how="semi")
            n_res = residences.group_by("child_id").agg(pl.len().alias("_n"))
            # one residence row (the common case): its district; none: children.district_code
            single = residences.join(n_res.filter(pl.col("_n") == 1), on="child_id", how="semi").select(
                "child_id", pl.col("district_code").alias("_one"))
            home = (self.reg.children.select("child_id", "district_code").join(kids, on="child_id", how="semi")
                    .join(single, on="child_id", how="left")
                    .select("child_id", pl.coalesce("_one", "district_code").alias("district_code")))
            stock = self.stock.select("child_id", _W, "step").join(home, on="child_id", how="left")
            moved = n_res.filter(pl.col("_n") > 1).select("child_id")
            if moved.height:
                # children who moved: the last residence starting on or before `at`, if still active
                at_of = dict(zip(self.wframe[_W].to_list(), self.wframe["_at"].to_list(), strict=True))
                movers = stock.join(moved, on="child_id", how="semi")
                right = (residences.join(moved, on="child_id", how="semi")
                         .select("child_id", pl.col("district_code").alias("_here"), "start_date", "end_date")
                         .sort("start_date"))
                movers = (movers.with_columns(pl.col(_W).replace_strict(at_of, return_dtype=pl.Date).alias("_at"))
                          .sort("_at")
                          .join_asof(right, left_on="_at", right_on="start_date", by="child_id",
                                     strategy="backward", check_sortedness=False)
                          .with_columns(pl.when(pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("_at")))
                                        .then(pl.col("_here")).otherwise(None).alias("_here"))
                          .select("child_id", _W, "step", pl.coalesce("_here", "district_code").alias("district_code")))
                stock = pl.concat([stock.join(moved, on="child_id", how="anti"), movers])
            return stock.group_by(_W, "step", pl.col("district_code").alias("district")).agg(pl.len().alias("n"))
        return self.cached("stock_by_district", make)

    def steps_in(self, categories: frozenset[str] | set[str]) -> list[int]:
        return list(self.staircase.numbers_in(categories))

    # --- matching rows to windows -------------------------------------------------------------
    def assign(self, frame: pl.DataFrame, column: str) -> pl.DataFrame:
        """Rows whose date ``column`` falls in a window's period, with ``_w``."""
        starts = self.wframe["_start"]
        idx = (starts.search_sorted(frame[column], side="right").cast(pl.Int64) - 1)
        return (frame.with_columns(idx.alias("_wi"))
                .filter(pl.col("_wi") >= 0)
                .with_columns(pl.col("_wi").cast(pl.UInt32).alias(_W)).drop("_wi")
                .join(self.wframe, on=_W)
                .filter(pl.col(column) < pl.col("_end")))

    def overlap(self, frame: pl.DataFrame, start: str = "start_date", end: str = "end_date") -> pl.DataFrame:
        """Rows × windows whose periods overlap, with ``_days`` inside each window's period."""
        i0 = self.wframe["_end"].search_sorted(frame[start], side="right")
        i1 = self.wframe["_start"].search_sorted(frame[end].fill_null(date.max), side="left")
        return (frame.with_columns(i0.alias("_i0"), i1.alias("_i1"))
                .filter(pl.col("_i1") > pl.col("_i0"))
                .with_columns(pl.int_ranges("_i0", "_i1", dtype=pl.UInt32).alias(_W))
                .drop("_i0", "_i1").explode(_W)
                .join(self.wframe, on=_W)
                .with_columns((pl.min_horizontal(pl.col(end).fill_null(date.max), pl.col("_end"))
                               - pl.max_horizontal(pl.col(start), pl.col("_start")))
                              .dt.total_days().alias("_days"))
                .filter(pl.col("_days") > 0))

    def active_at(self, frame: pl.DataFrame, start: str = "start_date", end: str = "end_date") -> pl.DataFrame:
        """Rows × windows where the row is active on the window's ``at``."""
        ats = self.wframe["_at"]
        i0 = ats.search_sorted(frame[start], side="left")
        i1 = ats.search_sorted(frame[end].fill_null(date.max), side="left")
        return (frame.with_columns(i0.alias("_i0"), i1.alias("_i1"))
                .filter(pl.col("_i1") > pl.col("_i0"))
                .with_columns(pl.int_ranges("_i0", "_i1", dtype=pl.UInt32).alias(_W))
                .drop("_i0", "_i1").explode(_W)
                .join(self.wframe, on=_W))

    def all_windows(self) -> pl.DataFrame:
        return self.wframe.select(_W)


# --- result helpers -------------------------------------------------------------------------------
def _ratio(frame: pl.DataFrame, code: str, *, num: str, den: str, scale: float = 1.0,
           dims: Sequence[str] = ()) -> pl.DataFrame:
    return frame.select(
        pl.col(_W), *[pl.col(d).cast(pl.String) for d in dims], pl.lit(code).alias("kpi_code"),
        pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den) * scale).otherwise(None).alias("value"),
        pl.col(num).cast(pl.Float64).alias("numerator"), pl.col(den).cast(pl.Float64).alias("denominator"))


def _count_per_window(ctx: _Context, frame: pl.DataFrame, name: str) -> pl.DataFrame:
    counts = frame.group_by(_W).agg(pl.len().alias(name))
    return ctx.all_windows().join(counts, on=_W, how="left").with_columns(pl.col(name).fill_null(0))


def _stock_in(ctx: _Context, stock: pl.DataFrame, categories: frozenset[str] | set[str], name: str) -> pl.DataFrame:
    return _count_per_window(ctx, stock.filter(pl.col("category").is_in(list(categories))), name)


def _counted_in(ctx: _Context, categories: frozenset[str] | set[str], name: str) -> pl.DataFrame:
    """Children on a step of ``categories`` on each window's ``at`` (from the per-step counts)."""
    counts = (ctx.stock_counts.filter(pl.col("category").is_in(list(categories)))
              .group_by(_W).agg(pl.col("n").sum().alias(name)))
    return ctx.all_windows().join(counts, on=_W, how="left").with_columns(pl.col(name).fill_null(0))


# --- the KPIs -------------------------------------------------------------------------------------
def _placement_shares(ctx: _Context) -> list[pl.DataFrame]:
    placed = _counted_in(ctx, PLACEMENT_CATEGORIES, "placed")
    out = []
    for code, cats in (("SS01_RESIDENTIAL_SHARE", {"residential_care"}),
                       ("SS03_FOSTER_SHARE", {"foster_care"}),
                       ("SS04_KINSHIP_SHARE", {"kinship_care"}),
                       ("FAMILY_CARE_SHARE", FAMILY_CARE_CATEGORIES)):
        n = _counted_in(ctx, cats, "n").join(placed, on=_W)
        out.append(_ratio(n, code, num="n", den="placed"))
    return out


def _per_1000(ctx: _Context) -> list[pl.DataFrame]:
    pop = ctx.population
    out = []
    for code, cats in (("SS05_HOME_BASED_PER_1000", {"home_based"}),
                       ("SS06_PREVENTIVE_PER_1000", {"preventive"})):
        n = _counted_in(ctx, cats, "n").join(pop, on=_W)
        out.append(_ratio(n, code, num="n", den="children", scale=1000.0))
    steps = pl.DataFrame({"step": list(ctx.staircase.numbers)}, schema={"step": pl.Int8})
    grid = ctx.all_windows().join(steps, how="cross")
    counts = ctx.stock_counts.select(_W, "step", "n")
    per_step = (grid.join(counts, on=[_W, "step"], how="left").with_columns(pl.col("n").fill_null(0))
                .join(pop, on=_W))
    out.append(_ratio(per_step, "STEP_PER_1000", num="n", den="children", scale=1000.0, dims=["step"]))
    pop_d = ctx.population_by_district
    grid_d = pop_d.join(steps, how="cross")
    by_district = (grid_d.join(ctx.stock_by_district, on=[_W, "step", "district"], how="left")
                   .with_columns(pl.col("n").fill_null(0)))
    out.append(_ratio(by_district, "STEP_PER_1000", num="n", den="children", scale=1000.0,
                      dims=["step", "district"]))
    return out


def _residential_duration(ctx: _Context) -> list[pl.DataFrame]:
    res_steps = ctx.steps_in({"residential_care"})
    ended = ctx.assign(ctx.reg.episodes.filter(pl.col("step").is_in(res_steps) & pl.col("end_date").is_not_null()),
                       "end_date")
    agg = ended.group_by(_W).agg((pl.col("end_date") - pl.col("start_date")).dt.total_days().sum().alias("days"),
                                 pl.len().alias("n"))
    agg = ctx.all_windows().join(agg, on=_W, how="left").with_columns(pl.col("days", "n").fill_null(0))
    return [_ratio(agg, "SS02_RESIDENTIAL_DURATION", num="days", den="n")]


def _previously_residential(ctx: _Context) -> list[pl.DataFrame]:
    res_steps = ctx.steps_in({"residential_care"})
    first_end = (ctx.reg.episodes.filter(pl.col("step").is_in(res_steps) & pl.col("end_date").is_not_null())
                 .group_by("child_id").agg(pl.col("end_date").min().alias("_res_end")))
    family = (ctx.stock.filter(pl.col("category").is_in(list(FAMILY_CARE_CATEGORIES)))
              .join(ctx.wframe, on=_W).join(first_end, on="child_id", how="left"))
    agg = family.group_by(_W).agg(pl.len().alias("n"),
                                  (pl.col("_res_end") <= pl.col("_at")).fill_null(False).sum().alias("prev"))
    agg = ctx.all_windows().join(agg, on=_W, how="left").with_columns(pl.col("n", "prev").fill_null(0))
    return [_ratio(agg, "SS07_PREVIOUSLY_RESIDENTIAL", num="prev", den="n")]


def _moves_from_home_based(ctx: _Context) -> list[pl.DataFrame]:
    before = ctx.stock_before.filter(pl.col("category") == "home_based").select("child_id", _W, "step")
    after = ctx.stock.select("child_id", _W, pl.col("step").alias("_after"))
    moved = before.join(after, on=["child_id", _W], how="left").with_columns(pl.col("_after").fill_null(0))
    agg = moved.group_by(_W).agg(pl.len().alias("n"), (pl.col("_after") > pl.col("step")).sum().alias("up"),
                                 (pl.col("_after") < pl.col("step")).sum().alias("down"))
    agg = ctx.all_windows().join(agg, on=_W, how="left").with_columns(pl.col("n", "up", "down").fill_null(0))
    prev0 = _stock_in(ctx, ctx.stock_before, {"preventive"}, "n0")
    prev1 = _counted_in(ctx, {"preventive"}, "n1")
    trend = prev0.join(prev1, on=_W).with_columns(
        # counts are unsigned: subtract as signed so a fall is negative, not a wrap-around
        (pl.col("n1").cast(pl.Int64) - pl.col("n0").cast(pl.Int64)).alias("change"))
    return [_ratio(agg, "SS08_UP_FROM_HOME_BASED", num="up", den="n"),
            _ratio(agg, "SS09_DOWN_FROM_HOME_BASED", num="down", den="n"),
            _ratio(trend, "SS10_PREVENTIVE_TREND", num="change", den="n0")]


def _spending(ctx: _Context) -> list[pl.DataFrame]:
    def make() -> pl.DataFrame:
        ep = ctx.reg.episodes.select("child_id", "intervention_code", "step", "start_date", "end_date")
        if ctx.rates is None:  # the catalogue's one price per type
            prices = pl.DataFrame({"intervention_code": list(ctx.catalogue.codes),
                                   "_dkk_per_day": [t.cost_dkk_per_day for t in ctx.catalogue.types]},
                                  schema={"intervention_code": pl.String, "_dkk_per_day": pl.Float64})
            priced = ctx.overlap(ep).join(prices, on="intervention_code", how="left")
        else:  # date-ranged rates: each episode cut where its type's price changes
            rates = ctx.rates.select("intervention_code", "valid_from", "valid_to",
                                     pl.col("cost_dkk_per_day").cast(pl.Float64).alias("_dkk_per_day"))
            pieces = (ep.join(rates, on="intervention_code", how="left")
                      .with_columns(pl.max_horizontal("start_date", pl.col("valid_from").fill_null(date.min))
                                    .alias("start_date"),
                                    pl.min_horizontal(pl.col("end_date").fill_null(date.max),
                                                      pl.col("valid_to").fill_null(date.max)).alias("end_date"))
                      .filter(pl.col("start_date") < pl.col("end_date")))
            priced = ctx.overlap(pieces)
        return (priced.with_columns((pl.col("_days") * pl.col("_dkk_per_day").fill_null(0.0)).alias("_dkk"))
                .join(ctx.categories, on="step", how="left"))
    spend = ctx.cached("spend", make)
    preventive = spend.with_columns(pl.col("category").is_in(list(PLACEMENT_CATEGORIES)).not_().alias("_prev"))
    share = preventive.group_by(_W).agg(pl.col("_dkk").filter(pl.col("_prev")).sum().alias("p"),
                                        pl.col("_dkk").sum().alias("t"))
    share = ctx.all_windows().join(share, on=_W, how="left").with_columns(pl.col("p", "t").fill_null(0.0))
    steps = pl.DataFrame({"step": list(ctx.staircase.numbers)}, schema={"step": pl.Int8})
    grid = ctx.all_windows().join(steps, how="cross")
    by_step = spend.group_by(_W, "step").agg(pl.col("_dkk").sum().alias("dkk"),
                                             pl.col("child_id").n_unique().alias("kids"))
    by_step = grid.join(by_step, on=[_W, "step"], how="left").with_columns(
        pl.col("dkk").fill_null(0.0), pl.col("kids").fill_null(0), pl.lit(1.0).alias("one"))
    total = spend.group_by(_W).agg(pl.col("_dkk").sum().alias("dkk"),
                                   pl.col("child_id").n_unique().alias("kids"))
    total = (ctx.all_windows().join(total, on=_W, how="left")
             .with_columns(pl.col("dkk").fill_null(0.0), pl.col("kids").fill_null(0),
                           pl.lit(1.0).alias("one"), pl.lit(None, dtype=pl.Int8).alias("step")))
    both = pl.concat([by_step, total.select(by_step.columns)])
    return [_ratio(share, "SS11_PREVENTIVE_SPEND_SHARE", num="p", den="t"),
            _ratio(both, "SPEND_PER_STEP", num="dkk", den="one", dims=["step"]),
            _ratio(both, "SPEND_PER_CHILD", num="dkk", den="kids", dims=["step"])]


def _follow_up(ctx: _Context) -> list[pl.DataFrame]:
    steps = ctx.steps_in({"home_based"} | PLACEMENT_CATEGORIES)
    ep = ctx.reg.episodes.filter(pl.col("step").is_in(steps)).select("episode_id", "start_date", "end_date")
    first_fu = ctx.reg.follow_ups.group_by("episode_id").agg(pl.col("held_on").min().alias("_fu"))
    due_by = pl.DataFrame({_W: ctx.wframe[_W], "_due_start": [_minus_months(w.at, FOLLOW_UP_MONTHS)
                                                              for w in ctx.windows]},
                          schema={_W: pl.UInt32, "_due_start": pl.Date})
    act = (ctx.active_at(ep).join(due_by, on=_W).filter(pl.col("start_date") <= pl.col("_due_start"))
           .join(first_fu, on="episode_id", how="left"))
    agg = act.group_by(_W).agg(pl.len().alias("n"), (pl.col("_fu").is_not_null()
                                                     & (pl.col("_fu") >= pl.col("start_date"))
                                                     & (pl.col("_fu") <= pl.col("_at"))).sum().alias("fu"))
    agg = ctx.all_windows().join(agg, on=_W, how="left").with_columns(pl.col("n", "fu").fill_null(0))
    return [_ratio(agg, "SS12_FOLLOW_UP", num="fu", den="n")]


def _flows(ctx: _Context) -> list[pl.DataFrame]:
    days = ctx.all_days.to_list()
    position = {d: i for i, d in enumerate(days)}
    # pair j = (days[j], days[j + 1]) belongs to the window whose snapshot days hold both
    pair_w: list[tuple[int, int]] = []
    for wi, wdays in enumerate(ctx.flow_days):
        idx = [position[d] for d in wdays]
        pair_w += [(a, wi) for a, b in zip(idx, idx[1:], strict=False) if b == a + 1]
    pairs = pl.DataFrame(pair_w, schema={"_pair": pl.UInt32, _W: pl.UInt32}, orient="row")
    n_int = pl.DataFrame({_W: ctx.wframe[_W],
                          "_n": pl.Series([len(d) - 1 for d in ctx.flow_days], dtype=pl.Int32)})
    f = ctx.day_steps  # sorted by child, day_index
    same_next = ((pl.col("child_id").shift(-1) == pl.col("child_id"))
                 & (pl.col("day_index").shift(-1) == pl.col("day_index") + 1)).fill_null(False)
    same_prev = ((pl.col("child_id").shift(1) == pl.col("child_id"))
                 & (pl.col("day_index").shift(1) + 1 == pl.col("day_index"))).fill_null(False)
    out_moves = (f.with_columns(pl.when(same_next).then(pl.col("step").shift(-1)).otherwise(0)
                                .cast(pl.Int8).alias("to_step"))
                 .filter(pl.col("day_index") < len(days) - 1)
                 .select(pl.col("day_index").alias("_pair"), pl.col("step").alias("from_step"), "to_step"))
    in_moves = (f.filter(~same_prev & (pl.col("day_index") >= 1))
                .select((pl.col("day_index") - 1).alias("_pair"), pl.lit(0, dtype=pl.Int8).alias("from_step"),
                        pl.col("step").alias("to_step")))
    moves = pl.concat([out_moves, in_moves]).filter(pl.col("from_step") != pl.col("to_step"))
    agg = (moves.join(pairs, on="_pair").group_by(_W, "from_step", "to_step").agg(pl.len().alias("n"))
           .join(n_int, on=_W).sort(_W, "from_step", "to_step"))
    return [_ratio(agg, "STEP_FLOWS", num="n", den="_n", dims=["from_step", "to_step"])]


def _cases(ctx: _Context) -> list[pl.DataFrame]:
    cases = ctx.assign(ctx.reg.cases.select("child_id", "opened_on"), "opened_on").join(
        ctx.reg.children.select("child_id", "birth_date"), on="child_id", how="left")
    agg = cases.group_by(_W).agg(
        pl.len().alias("n"),
        ((pl.col("opened_on") - pl.col("birth_date")).dt.total_days() / DAYS_PER_YEAR).sum().alias("years"),
        (pl.col("opened_on") < pl.col("birth_date").dt.offset_by("1y")).sum().alias("early"))
    agg = (ctx.all_windows().join(agg, on=_W, how="left")
           .with_columns(pl.col("n", "early").fill_null(0), pl.col("years").fill_null(0.0),
                         pl.lit(1.0).alias("one")))
    return [_ratio(agg, "NEW_CASES", num="n", den="one"),
            _ratio(agg, "AGE_AT_OPENING", num="years", den="n"),
            _ratio(agg, "EARLY_CASES_SHARE", num="early", den="n")]


def _caseload(ctx: _Context) -> list[pl.DataFrame]:
    workers = ctx.active_at(ctx.reg.caseworkers.select("caseworker_id", "fte", "start_date", "end_date"))
    kids = (ctx.active_at(ctx.reg.assignments.select("child_id", "caseworker_id", "start_date", "end_date"))
            .select(_W, "caseworker_id", "child_id").unique())
    # the weighted caseload counts each child by their highest active step on the date
    steps = (ctx.active_at(ctx.reg.episodes.select("child_id", "step", "start_date", "end_date"))
             .group_by(_W, "child_id").agg(pl.col("step").max()))
    assigned = (kids.join(steps, on=[_W, "child_id"], how="left")
                .with_columns(ctx.caseload.weight_expr(pl.col("step")).alias("_weight"))
                .group_by(_W, "caseworker_id").agg(pl.len().alias("kids"), pl.col("_weight").sum().alias("wkids")))
    load = (workers.select(_W, "caseworker_id", "fte").join(assigned, on=[_W, "caseworker_id"], how="left")
            .with_columns(pl.col("kids").fill_null(0), pl.col("wkids").fill_null(0.0))
            .with_columns(pl.when(pl.col("fte") > 0).then(pl.col("kids") / pl.col("fte")).alias("_load")))
    agg = load.group_by(_W).agg(pl.col("kids", "wkids").sum(), pl.col("fte").sum(),
                                pl.col("_load").max().alias("max"), pl.len().alias("workers"),
                                (pl.col("_load") > ctx.caseload.children_per_fte).sum().alias("over"))
    agg = (ctx.all_windows().join(agg, on=_W, how="left")
           .with_columns(pl.col("kids", "workers", "over").fill_null(0), pl.col("fte", "wkids").fill_null(0.0),
                         pl.lit(1.0).alias("one")))
    return [_ratio(agg, "CASELOAD_MEAN", num="kids", den="fte"),
            _ratio(agg, "CASELOAD_WEIGHTED_MEAN", num="wkids", den="fte"),
            _ratio(agg.with_columns(pl.col("max").fill_null(0.0),
                                    (pl.col("workers") > 0).cast(pl.Float64).alias("any")),
                   "CASELOAD_MAX", num="max", den="any"),
            _ratio(agg, "CASELOAD_OVER_TARGET", num="over", den="workers")]


def _age_band_expr(age: pl.Expr) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for label, lo, hi in reversed(AGE_BANDS):
        expr = pl.when((age >= lo) & (age <= hi)).then(pl.lit(label)).otherwise(expr)
    return expr


def _age_years_expr(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    before = ((birth.dt.month() > on.dt.month())
              | ((birth.dt.month() == on.dt.month()) & (birth.dt.day() > on.dt.day())))
    return on.dt.year().cast(pl.Int32) - birth.dt.year().cast(pl.Int32) - before.cast(pl.Int32)


def _placement_episodes(ctx: _Context) -> pl.DataFrame:
    steps = ctx.steps_in(PLACEMENT_CATEGORIES)
    return (ctx.reg.episodes.filter(pl.col("step").is_in(steps))
            .select("child_id", "step", "start_date", "end_date", "end_reason")
            .join(ctx.categories, on="step", how="left")
            .join(ctx.reg.children.select("child_id", "birth_date"), on="child_id", how="left")
            .with_columns(_age_band_expr(_age_years_expr(pl.col("birth_date"), pl.col("start_date")))
                          .alias("age_band"), pl.col("category").alias("placement_type")))


def _breakdowns(ctx: _Context) -> list[pl.DataFrame]:
    ep = _placement_episodes(ctx)
    exposure = ctx.overlap(ep)
    broke = ctx.assign(ep.filter((pl.col("end_reason") == "breakdown") & pl.col("end_date").is_not_null()),
                       "end_date")
    out = []
    for dims in (["age_band", "placement_type"], []):
        years = exposure.group_by(_W, *dims).agg((pl.col("_days").sum() / DAYS_PER_YEAR).alias("years"))
        n = broke.group_by(_W, *dims).agg(pl.len().alias("n"))
        both = (years.join(n, on=[_W, *dims], how="full", coalesce=True, nulls_equal=True)
                .with_columns(pl.col("years").fill_null(0.0), pl.col("n").fill_null(0)))
        if not dims:
            both = ctx.all_windows().join(both, on=_W, how="left").with_columns(
                pl.col("years").fill_null(0.0), pl.col("n").fill_null(0))
        out.append(_ratio(both, "BREAKDOWN_RATE", num="n", den="years", dims=dims))
    return out


def _replacements(ctx: _Context) -> list[pl.DataFrame]:
    ep = _placement_episodes(ctx).select("child_id", "start_date", "end_date").sort("child_id", "start_date")
    spells = (ep.with_columns(pl.col("end_date").fill_null(date.max).cum_max().shift(1).over("child_id")
                              .alias("_prev_end"))
              .with_columns((pl.col("_prev_end").is_null() | (pl.col("start_date") > pl.col("_prev_end")))
                            .alias("_new"))
              .filter(pl.col("_new"))
              .with_columns((pl.col("start_date").rank("ordinal").over("child_id") > 1).alias("_again")))
    starts = ctx.assign(spells, "start_date")
    agg = starts.group_by(_W).agg(pl.len().alias("n"), pl.col("_again").sum().alias("again"))
    agg = ctx.all_windows().join(agg, on=_W, how="left").with_columns(pl.col("n", "again").fill_null(0))
    return [_ratio(agg, "REPLACEMENT_SHARE", num="again", den="n")]


def _complaints(ctx: _Context) -> list[pl.DataFrame]:
    got = ctx.assign(ctx.reg.complaints.select("received_on", "appeals_outcome"), "received_on")
    agg = got.group_by(_W).agg(pl.len().alias("n"), pl.col("appeals_outcome").is_not_null().sum().alias("decided"),
                               (pl.col("appeals_outcome") == "upheld").sum().alias("upheld"))
    agg = (ctx.all_windows().join(agg, on=_W, how="left")
           .with_columns(pl.col("n", "decided", "upheld").fill_null(0), pl.lit(1.0).alias("one")))
    return [_ratio(agg, "COMPLAINTS", num="n", den="one"),
            _ratio(agg, "COMPLAINTS_UPHELD", num="upheld", den="decided")]


def _deadlines_module() -> object | None:
    try:
        module = importlib.import_module("trappen.deadlines")
    except ImportError:
        return None
    return module if hasattr(module, "deadline_items") else None


def _deadline_compliance(ctx: _Context) -> list[pl.DataFrame]:
    module = _deadlines_module()
    if module is None:
        return []
    last = ctx.windows[-1].end
    now = datetime.combine(last, time.min, tzinfo=UTC)
    # Only items due in a window count. The UTC date of due_at (used below) is never after the
    # local due_on (Copenhagen is ahead of UTC), so `since` = the first window's start keeps
    # every item that counts and lets the engine skip the rest early.
    since = min(w.start for w in ctx.windows)
    items = module.deadline_items(ctx.reg, now=now, since=since)  # type: ignore[attr-defined]
    items = items.filter(pl.col("status") != "open").with_columns(
        pl.col("due_at").dt.convert_time_zone("UTC").dt.date().alias("_due"))
    got = ctx.assign(items.select("duty_id", "status", "_due"), "_due")
    agg = got.group_by(_W, pl.col("duty_id").alias("duty")).agg(
        (pl.col("status") == "on_time").sum().alias("ok"), pl.len().alias("n")).sort(_W, "duty")
    return [_ratio(agg, "DEADLINE_COMPLIANCE", num="ok", den="n", dims=["duty"])]


_GROUPS: tuple[tuple[frozenset[str], Callable[[_Context], list[pl.DataFrame]]], ...] = (
    (frozenset({"SS01_RESIDENTIAL_SHARE", "SS03_FOSTER_SHARE", "SS04_KINSHIP_SHARE", "FAMILY_CARE_SHARE"}),
     _placement_shares),
    (frozenset({"SS05_HOME_BASED_PER_1000", "SS06_PREVENTIVE_PER_1000", "STEP_PER_1000"}), _per_1000),
    (frozenset({"SS02_RESIDENTIAL_DURATION"}), _residential_duration),
    (frozenset({"SS07_PREVIOUSLY_RESIDENTIAL"}), _previously_residential),
    (frozenset({"SS08_UP_FROM_HOME_BASED", "SS09_DOWN_FROM_HOME_BASED", "SS10_PREVENTIVE_TREND"}),
     _moves_from_home_based),
    (frozenset({"SS11_PREVENTIVE_SPEND_SHARE", "SPEND_PER_STEP", "SPEND_PER_CHILD"}), _spending),
    (frozenset({"SS12_FOLLOW_UP"}), _follow_up),
    (frozenset({"STEP_FLOWS"}), _flows),
    (frozenset({"NEW_CASES", "AGE_AT_OPENING", "EARLY_CASES_SHARE"}), _cases),
    (frozenset({"CASELOAD_MEAN", "CASELOAD_WEIGHTED_MEAN", "CASELOAD_MAX", "CASELOAD_OVER_TARGET"}), _caseload),
    (frozenset({"BREAKDOWN_RATE"}), _breakdowns),
    (frozenset({"REPLACEMENT_SHARE"}), _replacements),
    (frozenset({"COMPLAINTS", "COMPLAINTS_UPHELD"}), _complaints),
    (frozenset({"DEADLINE_COMPLIANCE"}), _deadline_compliance),
)

RESULT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "kpi_code": pl.String, **{d: pl.String for d in DIMENSIONS},
    "value": pl.Float64, "numerator": pl.Float64, "denominator": pl.Float64, "unit": pl.String,
}


def _run(register: Register, windows: list[_Window], *, staircase: Staircase | None,
         catalogue: Catalogue | None, caseload: CaseloadRules, kpis: Sequence[str] | None,
         rates: pl.DataFrame | None = None) -> pl.DataFrame:
    catalogue = catalogue or default_catalogue()
    staircase = staircase or catalogue.staircase
    definitions = kpi_catalogue()
    units = {k.code: k.unit for k in definitions}
    wanted = set(kpis) if kpis is not None else set(units)
    unknown = wanted - set(units)
    if unknown:
        raise InvalidInput(Problem(field="kpis", value=sorted(unknown), message="unknown KPI code(s)"))
    ctx = _Context(register, windows, staircase, catalogue, caseload, rates)
    parts: list[pl.DataFrame] = []
    for codes, compute in _GROUPS:
        if codes & wanted:
            parts += [p for p in compute(ctx) if p.height]
    order = {k.code: i for i, k in enumerate(definitions)}
    frame = pl.concat([p.select(_W, "kpi_code", *[c for c in p.columns if c in DIMENSIONS], *_VALUE_COLS)
                       for p in parts], how="diagonal_relaxed") if parts else pl.DataFrame()
    full = pl.DataFrame(schema={_W: pl.UInt32, **RESULT_SCHEMA})
    frame = pl.concat([full, frame], how="diagonal_relaxed") if frame.height else full
    return (frame.filter(pl.col("kpi_code").is_in(list(wanted)))
            .with_columns(pl.col("kpi_code").replace_strict(units, default=None).alias("unit"),
                          pl.col("kpi_code").replace_strict(order, default=len(order)).alias("_order"))
            .sort(_W, "_order", maintain_order=True).drop("_order")
            .select(_W, *RESULT_SCHEMA))


def compute_kpis(register: Register, *, at: date, period: tuple[date, date] | None = None,
                 staircase: Staircase | None = None, catalogue: Catalogue | None = None,
                 caseload_target: float | None = None, kpis: Sequence[str] | None = None,
                 rates: pl.DataFrame | None = None, caseload_rules: CaseloadRules | None = None) -> pl.DataFrame:
    """Every KPI of the catalogue for one date, in long format.

    Args:
        register: the analytic register.
        at: the snapshot day of stock KPIs (children on a step, caseloads).
        period: half-open ``(from, to)`` for flow KPIs (new cases, spending, breakdowns);
            default the 12 months up to and including ``at``.
        staircase: the staircase whose categories define the steps; the catalogue's when None.
        catalogue: the intervention catalogue (prices); the shipped one when None.
        caseload_target: children per FTE above which a caseworker counts as over target
            (None: the shipped target in ``kpi/data/caseload.toml``, 25 as in the Herning model;
            the web layer passes ``settings.TRAPPEN_CASELOAD_TARGET``).
        kpis: restrict to these KPI codes; all when None.
        caseload_rules: the step weights of CASELOAD_WEIGHTED_MEAN (and the target, which
            ``caseload_target`` overrides); None: ``kpi/data/caseload.toml``.
        rates: date-ranged prices (``intervention_code``, ``valid_from``, ``valid_to``,
            ``cost_dkk_per_day``, as :attr:`trappen.economics.RateTable.frame`) for the spending
            KPIs, each day at the price valid on it; None = the catalogue's price.

    Returns:
        One row per KPI and dimension cell: ``kpi_code``, the dimension columns ``step``,
        ``from_step``, ``to_step``, ``district``, ``age_band``, ``placement_type``, ``duty``
        (nullable strings), ``value``, ``numerator``, ``denominator`` (Float64; value null when
        the denominator is 0) and ``unit``. DEADLINE_COMPLIANCE is present only when
        :mod:`trappen.deadlines` is installed.

    Raises:
        InvalidInput: the period is empty or reversed, or a KPI code is unknown.
    """
    start, end = period if period is not None else default_period(at)
    if end <= start:
        raise InvalidInput(Problem(field="period", value=(start, end), message="period end must be after its start"))
    out = _run(register, [_Window(at=at, start=start, end=end)], staircase=staircase, catalogue=catalogue,
               caseload=_caseload_rules(caseload_rules, caseload_target), kpis=kpis, rates=rates)
    return out.drop(_W)


def _caseload_rules(rules: CaseloadRules | None, target: float | None) -> CaseloadRules:
    rules = rules or default_caseload_rules()
    return rules if target is None else dataclasses.replace(rules, children_per_fte=target)


def month_windows(months: Sequence[date]) -> list[tuple[date, date, date]]:
    """``(month_start, at = last day of month, next month start)`` for each month given."""
    out = []
    for m in sorted({date(d.year, d.month, 1) for d in months}):
        nxt = date(m.year + m.month // 12, m.month % 12 + 1, 1)
        out.append((m, nxt - timedelta(days=1), nxt))
    return out


def kpi_series(register: Register, *, months: Sequence[date], staircase: Staircase | None = None,
               catalogue: Catalogue | None = None, caseload_target: float | None = None,
               kpis: Sequence[str] | None = None, rates: pl.DataFrame | None = None,
               caseload_rules: CaseloadRules | None = None) -> pl.DataFrame:
    """Every KPI for each calendar month, in one vectorised pass.

    Each month is a window: stock KPIs on its last day, flow KPIs over the month. Any day of a
    month stands for that month. ``rates`` as in :func:`compute_kpis`.

    Returns:
        The columns of :func:`compute_kpis` with ``month`` (Date, first day of the month) first.
    """
    if not months:
        raise InvalidInput(Problem(field="months", value=[], message="give at least one month"))
    spans = month_windows(months)
    windows = [_Window(at=at, start=s, end=e) for s, at, e in spans]
    out = _run(register, windows, staircase=staircase, catalogue=catalogue,
               caseload=_caseload_rules(caseload_rules, caseload_target), kpis=kpis, rates=rates)
    labels = pl.DataFrame({_W: pl.Series(range(len(spans)), dtype=pl.UInt32), "month": [s for s, _, _ in spans]},
                          schema={_W: pl.UInt32, "month": pl.Date})
    return out.join(labels, on=_W, how="left").select("month", *RESULT_SCHEMA)
