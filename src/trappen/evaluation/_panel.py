"""District × period outcome panel built from the analytic register (vectorised, Polars).

Periods are calendar months or quarters, half-open ``[period_start, next_period_start)``.
Stocks (children on a step, caseload) are counted on the last day of the period; flows (new
placements, new preventive measures, notifications, breakdowns) are counted over the period.
A child belongs to the district in ``children.district_code`` (the latest district).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from trappen.errors import InvalidInput, Problem
from trappen.register import Register
from trappen.staircase import Catalogue, Staircase, default_catalogue, default_staircase

FREQS = ("month", "quarter")

PREVENTIVE_CATEGORIES = frozenset({"preventive", "home_based"})
"""Step categories counted as preventive measures (the staircase's own categories)."""

OUTCOMES_DOC = {
    "children_0_17": (
        "children aged 0-17 living in the district (population on 31 December of the previous year, "
        "else counted from the children table)"
    ),
    "on_step_{k}_per_1000": "children whose highest active step on the last day is k, per 1,000 children 0-17",
    "placed": "children placed (a placement step active) on the last day of the period",
    "placements_per_1000": "children placed on the last day of the period per 1,000 children 0-17",
    "new_placements": "placement episodes starting in the period",
    "new_placements_per_1000": "new placements per 1,000 children 0-17",
    "new_preventive": "preventive and home-based episodes starting in the period",
    "new_preventive_per_1000": "new preventive measures per 1,000 children 0-17",
    "notifications": "notifications received in the period",
    "notifications_per_1000": "notifications per 1,000 children 0-17",
    "breakdowns": "episodes ending with end_reason 'breakdown' in the period",
    "open_cases": "open cases on the last day",
    "caseload_per_fte": "open cases on the last day per caseworker FTE in post in the district",
    "spending_dkk": (
        "DKK spent on interventions in the period: each episode's days inside it x the catalogue's price per day"
    ),
    "spending_per_child": "spending_dkk per child 0-17 in the district",
}


def _periods(freq: str, start: date, end: date) -> pl.DataFrame:
    if freq not in FREQS:
        raise InvalidInput(Problem(field="freq", value=freq, message=f"must be one of {FREQS}"))
    if not start < end:
        raise InvalidInput(Problem(field="end", value=end, message=f"must be after start {start}"))
    step = "1mo" if freq == "month" else "1q"
    first = date(start.year, start.month if freq == "month" else 3 * ((start.month - 1) // 3) + 1, 1)
    starts = pl.date_range(first, end, interval=step, eager=True)
    starts = starts.filter(starts < end)
    frame = pl.DataFrame({"period": starts}).with_columns(period_end=pl.col("period").dt.offset_by(step))
    return frame.with_columns(
        last_day=pl.col("period_end").dt.offset_by("-1d"), period_index=pl.int_range(pl.len(), dtype=pl.Int32)
    )


def _first_index_on_or_after(values: pl.Series, bounds: pl.Series) -> pl.Series:
    """For each value, the index of the first bound >= value (len(bounds) if none)."""
    return bounds.search_sorted(values, side="left").cast(pl.Int32)


def _stock_counts(intervals: pl.DataFrame, periods: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Count rows of ``intervals`` [start, end) active on each period's last day, by ``by``.

    Each interval becomes the range of period indices whose last day lies in it; ranges are
    exploded (vectorised), never looped.
    """
    last = periods["last_day"]
    n = len(periods)
    first = _first_index_on_or_after(intervals["start"], last)
    # last period whose last day < end  ==  (first index with last_day >= end) - 1
    end = intervals["end"].fill_null(date(9999, 12, 31))
    stop = _first_index_on_or_after(end, last)
    frame = intervals.with_columns(first=first, stop=stop.clip(upper_bound=n))
    frame = frame.filter(pl.col("stop") > pl.col("first"))
    exploded = frame.with_columns(period_index=pl.int_ranges("first", "stop", dtype=pl.Int32)).explode("period_index")
    return exploded


def _flow_index(dates: pl.Series, periods: pl.DataFrame) -> pl.Series:
    """Period index of each date (-1 or len when outside the window)."""
    idx = periods["period"].search_sorted(dates, side="right").cast(pl.Int32) - 1
    inside = dates < periods["period_end"][-1]
    return pl.select(pl.when(inside & (idx >= 0)).then(idx).otherwise(None)).to_series()


def adoption_dates(register: Register, *, adoption: Mapping[str, date | None] | None = None) -> pl.DataFrame:
    """Each district's adoption date: ``districts.pilot_from`` or the given mapping.

    Returns:
        Frame ``district_code`` (str), ``adopted_on`` (date, null = never).
    """
    codes = register.districts["district_code"].to_list()
    if adoption is None:
        return register.districts.select("district_code", adopted_on=pl.col("pilot_from"))
    unknown = sorted(set(adoption) - set(codes)) if codes else []
    if unknown:
        raise InvalidInput(Problem(field="adoption", value=unknown[0], message="district not in the register"))
    keys = codes or sorted(adoption)
    return pl.DataFrame(
        {"district_code": keys, "adopted_on": [adoption.get(k) for k in keys]},
        schema={"district_code": pl.String, "adopted_on": pl.Date},
    )


def _spending(ep: pl.DataFrame, periods: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """DKK per district and period: each episode's days inside the period x its type's price."""
    prices = pl.DataFrame(
        {"intervention_code": list(catalogue.codes), "_dkk": [t.cost_dkk_per_day for t in catalogue.types]},
        schema={"intervention_code": pl.String, "_dkk": pl.Float64},
    )
    never = date(9999, 12, 31)
    end = ep["end_date"].fill_null(never)
    first = periods["period_end"].search_sorted(ep["start_date"], side="right").cast(pl.Int32)  # ends after start
    stop = periods["period"].search_sorted(end, side="left").cast(pl.Int32)  # starts before end
    bounds = periods.select("period_index", "period", "period_end")
    return (
        ep.select("district_code", "intervention_code", "start_date", pl.Series("_end", end))
        .with_columns(_a=first, _b=stop)
        .filter(pl.col("_b") > pl.col("_a"))
        .with_columns(period_index=pl.int_ranges("_a", "_b", dtype=pl.Int32))
        .explode("period_index")
        .join(bounds, on="period_index")
        .with_columns(
            _days=(pl.min_horizontal("_end", "period_end") - pl.max_horizontal("start_date", "period")).dt.total_days()
        )
        .join(prices, on="intervention_code", how="left")
        .group_by("district_code", "period_index")
        .agg(spending_dkk=(pl.col("_days") * pl.col("_dkk").fill_null(0.0)).sum())
    )


def build_panel(
    register: Register,
    *,
    freq: str = "month",
    start: date,
    end: date,
    adoption: Mapping[str, date | None] | None = None,
    staircase: Staircase | None = None,
    catalogue: Catalogue | None = None,
) -> pl.DataFrame:
    """District × period outcomes with each district's adoption period.

    Args:
        register: The analytic register.
        freq: ``"month"`` or ``"quarter"``.
        start: First day of the window (rounded down to the period start).
        end: First day after the window (exclusive).
        adoption: Optional ``{district_code: adoption date or None}``; default
            ``districts.pilot_from``.
        staircase: Staircase for step categories (default: Socialstyrelsen's six steps).
        catalogue: prices per intervention type for the spending outcomes (default: the
            shipped catalogue, not indexed).

    Returns:
        One row per district and period (balanced): ``district_code``, ``period`` (date),
        ``period_index`` (0-based), ``adopted_on``, ``adoption_index`` (index of the period
        containing the adoption date; null = never or after the window), the outcome columns
        described in :data:`OUTCOMES_DOC`.
    """
    staircase = staircase or default_staircase()
    periods = _periods(freq, start, end)
    adopt = adoption_dates(register, adoption=adoption)
    districts = sorted(
        set(adopt["district_code"].to_list()) | set(register.children["district_code"].unique().to_list())
    )
    if not districts:
        raise InvalidInput(
            Problem(field="district_code", value=None, message="the register has no districts", table="districts")
        )
    grid = pl.DataFrame({"district_code": districts}).join(periods.select("period", "period_index"), how="cross")
    child_district = register.children.select("child_id", "district_code")
    pl_steps = list(staircase.placement_steps)
    prev_steps = list(staircase.numbers_in(PREVENTIVE_CATEGORIES))

    # --- children 0-17 ---------------------------------------------------------------------
    pop = register.population
    if pop.height:
        pop_y = (
            pop.group_by("year", "district_code")
            .agg(children_0_17=pl.col("children").sum())
            .with_columns(pl.col("year").cast(pl.Int32))
            .sort("year")
        )
        span = pop_y.group_by("district_code").agg(lo=pl.col("year").min(), hi=pl.col("year").max())
        # the count on 31 December of the previous year; outside the years counted, the nearest
        kids = (
            grid.join(span, on="district_code", how="left")
            .with_columns(year=(pl.col("period").dt.year() - 1).cast(pl.Int32).clip(pl.col("lo"), pl.col("hi")))
            .join(pop_y, on=["year", "district_code"], how="left")
            .select("district_code", "period_index", pl.col("children_0_17").cast(pl.Float64))
        )
    else:
        ch = register.children
        iv = ch.select(
            "district_code",
            start=pl.max_horizontal("entry_date", "birth_date"),
            end=pl.min_horizontal(
                pl.col("exit_date").fill_null(date(9999, 12, 31)), pl.col("birth_date").dt.offset_by("18y")
            ),
        )
        kids = (
            _stock_counts(iv, periods, ["district_code"])
            .group_by("district_code", "period_index")
            .agg(children_0_17=pl.len().cast(pl.Float64))
        )

    # --- stocks on the last day: highest active step per child -------------------------------
    ep = register.episodes.join(child_district, on="child_id", how="inner")
    stocks = _stock_counts(
        ep.select("child_id", "district_code", "step", start="start_date", end="end_date"), periods, []
    )
    top = stocks.group_by("child_id", "district_code", "period_index").agg(step=pl.col("step").max())
    on_step = top.group_by("district_code", "period_index").agg(
        *[(pl.col("step") == k).sum().alias(f"on_step_{k}") for k in staircase.numbers],
        placed=pl.col("step").is_in(pl_steps).sum(),
    )

    # --- flows -------------------------------------------------------------------------------
    starts = ep.with_columns(period_index=_flow_index(ep["start_date"], periods))
    flows_start = (
        starts.filter(pl.col("period_index").is_not_null())
        .group_by("district_code", "period_index")
        .agg(new_placements=pl.col("step").is_in(pl_steps).sum(), new_preventive=pl.col("step").is_in(prev_steps).sum())
    )
    ended = ep.filter(pl.col("end_reason") == "breakdown")
    ended = ended.with_columns(period_index=_flow_index(ended["end_date"], periods))
    breakdowns = (
        ended.filter(pl.col("period_index").is_not_null())
        .group_by("district_code", "period_index")
        .agg(breakdowns=pl.len())
    )
    no = register.notifications.join(child_district, on="child_id", how="inner")
    no = no.with_columns(period_index=_flow_index(no["received_at"].dt.date(), periods))
    notes = (
        no.filter(pl.col("period_index").is_not_null())
        .group_by("district_code", "period_index")
        .agg(notifications=pl.len())
    )

    # --- caseload: open cases / FTE in post on the last day -----------------------------------
    cases = register.cases.join(child_district, on="child_id", how="inner")
    open_cases = (
        _stock_counts(cases.select("district_code", start="opened_on", end="closed_on"), periods, [])
        .group_by("district_code", "period_index")
        .agg(open_cases=pl.len())
    )
    cw = register.caseworkers
    fte = (
        _stock_counts(cw.select("district_code", "fte", start="start_date", end="end_date"), periods, [])
        .group_by("district_code", "period_index")
        .agg(fte=pl.col("fte").sum())
    )

    spend = _spending(ep, periods, catalogue or default_catalogue())

    panel = grid
    for part in (kids, on_step, flows_start, breakdowns, notes, open_cases, fte, spend):
        panel = panel.join(part, on=["district_code", "period_index"], how="left")
    count_cols = [f"on_step_{k}" for k in staircase.numbers] + [
        "placed",
        "new_placements",
        "new_preventive",
        "breakdowns",
        "notifications",
        "open_cases",
    ]
    panel = panel.with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in count_cols])
    per1000 = 1000.0 / pl.col("children_0_17")
    panel = panel.with_columns(
        *[(pl.col(f"on_step_{k}") * per1000).alias(f"on_step_{k}_per_1000") for k in staircase.numbers],
        placements_per_1000=pl.col("placed") * per1000,
        new_placements_per_1000=pl.col("new_placements") * per1000,
        new_preventive_per_1000=pl.col("new_preventive") * per1000,
        notifications_per_1000=pl.col("notifications") * per1000,
        caseload_per_fte=pl.when(pl.col("fte") > 0).then(pl.col("open_cases") / pl.col("fte")),
        spending_dkk=pl.col("spending_dkk").fill_null(0.0),
        spending_per_child=pl.col("spending_dkk").fill_null(0.0) / pl.col("children_0_17"),
    )
    adopt_idx = adopt.with_columns(
        adoption_index=_flow_index(adopt["adopted_on"].fill_null(date(9999, 12, 31)), periods)
    )
    # adopted before the window: treated from the first period on (index 0, "always treated")
    adopt_idx = adopt_idx.with_columns(
        adoption_index=pl.when(pl.col("adopted_on") < periods["period"][0])
        .then(pl.lit(0, pl.Int32))
        .otherwise("adoption_index")
    )
    panel = panel.join(adopt_idx, on="district_code", how="left")
    return panel.sort("district_code", "period_index")
