"""``calibration_report``: national figures measured on a register, next to their targets."""

from __future__ import annotations

import math
from datetime import date

import polars as pl

from trappen.errors import InvalidInput, Problem
from trappen.register import Register
from trappen.staircase import Staircase, default_staircase
from trappen.staircase._model import FAMILY_CARE_CATEGORIES
from trappen.synthetic import _params as P


def _per_1000(count: float, base: float) -> float:
    return 1000.0 * count / base if base else float("nan")


MODEL_TOLERANCE = 0.10
"""Relative error the model itself may have against a national figure. The tolerance of each
row adds three standard deviations of sampling noise for the counts measured (Poisson for
counts, binomial for the share), so a small municipality gets a wider band than a large one."""


def _counts(register: Register, year: int, staircase: Staircase) -> dict[str, float]:
    """The raw counts for one calendar year."""
    pop = register.population
    children = float(pop.filter(pl.col("year") == year)["children"].sum())
    dec31 = date(year, 12, 31)
    jan1 = date(year, 1, 1)
    placement = list(staircase.placement_steps)
    family = list(staircase.numbers_in(FAMILY_CARE_CATEGORIES))
    preventive = list(staircase.numbers_in({"home_based"}))

    ep = register.episodes
    active = ep.filter((pl.col("start_date") <= dec31)
                       & (pl.col("end_date").is_null() | (pl.col("end_date") > dec31)))
    placed = active.filter(pl.col("step").is_in(placement)).group_by("child_id").agg(
        pl.col("step").max())
    # entries into care: a placement starting in the year that does not directly follow another
    # placement of the same child (a move between placements is not a new entry)
    previous = ep.sort("child_id", "start_date").with_columns(
        pl.col("step").shift(1).over("child_id").alias("_prev_step"),
        pl.col("end_date").shift(1).over("child_id").alias("_prev_end"))
    started = previous.filter(
        pl.col("step").is_in(placement) & (pl.col("start_date") >= jan1)
        & (pl.col("start_date") <= dec31)
        & ~((pl.col("_prev_end") == pl.col("start_date")).fill_null(False)
            & pl.col("_prev_step").is_in(placement).fill_null(False)))["child_id"].n_unique()
    notes = register.notifications.filter(pl.col("received_at").dt.year() == year)
    return {
        "children": children,
        "placed": float(placed.height),
        "family": float(placed.filter(pl.col("step").is_in(family)).height),
        "entered": float(started),
        "preventive": float(active.filter(pl.col("step").is_in(preventive))["child_id"].n_unique()),
        "notifications": float(notes.height),
        "notified": float(notes["child_id"].n_unique()),
    }


def calibration_report(register: Register, *, years: int = 5,
                       staircase: Staircase | None = None) -> pl.DataFrame:
    """Measure the calibration figures on ``register`` in each figure's own year.

    Each figure is measured over the years of a ``years``-year window centred on the year it
    was published for (2017-2019) that the register's ``population`` holds; when it holds none
    of them, over its last ``years`` years (a register that does not reach back that far, such
    as a municipality's own).

    Counts are per 1,000 children aged 0-17 on 31 December of each year (from ``population``), so
    a municipality of any size compares with Denmark; each national figure is per 1,000 of
    Denmark's children 0-17 in the figure's year (:func:`_params.national_children`).
    Stocks are counted on 31 December, flows over the calendar year; each is summed over the
    years and divided by the summed population.

    Args:
        register: any analytic register (generated or real).
        years: the width of the window of years to average over.
        staircase: which steps are placements and family care; the shipped one by default.

    Raises:
        InvalidInput: the register has no ``population`` rows.

    Returns:
        One row per figure: ``figure``, ``target``, ``generated``, ``tolerance`` (relative:
        :data:`MODEL_TOLERANCE` plus three standard deviations of sampling noise) and
        ``within`` (``generated`` within ``tolerance`` of ``target``).
    """
    staircase = staircase or default_staircase()
    known = sorted(register.population["year"].unique().to_list())
    last_years = known[-years:]
    if not last_years:
        raise InvalidInput(Problem(field="children", value=0, table="population",
                                   message="no population counts to measure the figures against"))
    cache: dict[int, dict[str, float]] = {}

    def summed(in_years: list[int]) -> dict[str, float]:
        for y in in_years:  # a few years, not rows
            if y not in cache:
                cache[y] = _counts(register, y, staircase)
        return {k: sum(cache[y][k] for y in in_years) for k in cache[in_years[0]]}

    def measured_in(year: int) -> dict[str, float]:
        # the years of a ``years``-year window centred on the figure's year that the register
        # holds (the figures have a calendar; a linear trend averages out), else the last years
        window = [y for y in known if year - years // 2 <= y <= year + (years - 1) // 2]
        return summed(window or last_years)

    rows = []
    for figure, national, year, key in (
        ("placed 0-22 on 31 Dec per 1,000 children 0-17", P.TARGET_PLACED_0_22, 2018, "placed"),
        ("children entering care during the year per 1,000", P.TARGET_PLACEMENTS_STARTED, 2018,
         "entered"),
        ("with a home-based (preventive) measure on 31 Dec per 1,000", P.TARGET_PREVENTIVE_0_22,
         2017, "preventive"),
        ("notifications in the year per 1,000", P.TARGET_NOTIFICATIONS, 2019, "notifications"),
        ("children with >= 1 notification per 1,000", P.TARGET_NOTIFIED_CHILDREN, 2019,
         "notified"),
    ):
        # the national figure per 1,000 children 0-17 of its own year (not a constant)
        target = _per_1000(national, P.national_children(year))
        c = measured_in(year)
        kids = c.get("children", 0.0)
        expected = target * kids / 1000
        noise = 3 / math.sqrt(expected) if expected > 0 else float("inf")
        rows.append((figure, target, _per_1000(c.get(key, 0.0), kids), MODEL_TOLERANCE + noise))
    p = P.TARGET_FAMILY_CARE_SHARE
    c = measured_in(2018)
    n_placed = c.get("placed", 0.0)
    share_noise = 3 * math.sqrt(p * (1 - p) / n_placed) / p if n_placed else float("inf")
    rows.insert(1, ("share of placed children in family care (kinship + foster)", p,
                    c["family"] / n_placed if n_placed else float("nan"),
                    MODEL_TOLERANCE + share_noise))
    frame = pl.DataFrame(rows, schema={"figure": pl.String, "target": pl.Float64,
                                       "generated": pl.Float64, "tolerance": pl.Float64},
                         orient="row")
    return frame.with_columns(
        ((pl.col("generated") / pl.col("target") - 1).abs() <= pl.col("tolerance")).alias("within"))
