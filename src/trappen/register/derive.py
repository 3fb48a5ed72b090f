"""Vectorised derivations over a whole analytic register: steps, ages and population on a day.

Every function works on whole columns (Polars); none loops over children. Periods are half-open
(see :mod:`trappen.register.schema`): an episode is active on day ``d`` when
``start_date <= d`` and (``end_date`` is null or ``d < end_date``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from trappen.register._container import Register

MAX_CHILD_AGE = 17
"""Children are 0-17 (Barnets Lov § 2: a child is under 18)."""


def _active_on(frame: pl.DataFrame, on: date, *, start: str = "start_date",
               end: str = "end_date") -> pl.DataFrame:
    return frame.filter((pl.col(start) <= on) & (pl.col(end).is_null() | (pl.col(end) > on)))


def steps_on(register: Register, *, on: date) -> pl.DataFrame:
    """Each child's step on one day: the highest step of its active episodes.

    Args:
        register: the analytic register.
        on: the day.

    Returns:
        Columns ``child_id`` (Int64) and ``step`` (Int8), one row per child with at least one
        active episode; children with none (step 0) are omitted. Sorted by ``child_id``.
    """
    return (_active_on(register.episodes, on)
            .group_by("child_id").agg(pl.col("step").max())
            .sort("child_id"))


_DAY_BITS = 20
"""Bits for the day index in the packed (child, day) sort key: up to ~1 million days."""


def steps_by_day_index(register: Register, *, days: pl.Series) -> pl.DataFrame:
    """Each child's step on each of the sorted ``days``, as day indices.

    Each episode is expanded to the indices of the days it is active on (binary search), then
    the highest step per (child, day) is kept. Child and day index are packed into one Int64 key
    so the reduction is a single-column sort (much faster than a two-column group-by).

    Returns:
        Columns ``child_id`` (Int64), ``day_index`` (UInt32), ``step`` (Int8), sorted by child
        then day index; children with no active episode on a day are omitted for that day.
    """
    ep = register.episodes.select("child_id", "step", "start_date", "end_date")
    first = days.search_sorted(ep["start_date"], side="left")
    last = days.search_sorted(ep["end_date"].fill_null(date.max), side="left")
    expanded = (ep.select("child_id", "step").with_columns(first.alias("_i0"), last.alias("_i1"))
                .filter(pl.col("_i1") > pl.col("_i0"))
                .select("child_id", "step", pl.int_ranges("_i0", "_i1", dtype=pl.UInt32).alias("day_index"))
                .explode("day_index"))
    max_id = expanded["child_id"].max() if expanded.height else 0
    min_id = expanded["child_id"].min() if expanded.height else 0
    if len(days) < 2 ** _DAY_BITS and min_id >= 0 and max_id < 2 ** (62 - _DAY_BITS):  # type: ignore[operator]
        key = (pl.col("child_id") * 2 ** _DAY_BITS + pl.col("day_index").cast(pl.Int64)).alias("_k")
        return (expanded.with_columns(key)
                .sort("_k", "step", descending=[False, True])
                .unique("_k", keep="first", maintain_order=True)
                .select("child_id", "day_index", "step"))
    return (expanded.group_by("child_id", "day_index").agg(pl.col("step").max())
            .sort("child_id", "day_index"))


def steps_at(register: Register, *, days: Sequence[date]) -> pl.DataFrame:
    """Each child's step on each of several days, in one pass.

    Work is proportional to active child-days, not episodes × days.

    Returns:
        Columns ``child_id``, ``day`` (Date), ``step`` (Int8), sorted by child then day;
        children with no active episode on a day are omitted for that day.
    """
    days_sorted = pl.Series("day", sorted(set(days)), dtype=pl.Date)
    keyed = steps_by_day_index(register, days=days_sorted)
    index = pl.DataFrame({"day_index": pl.arange(0, days_sorted.len(), dtype=pl.UInt32, eager=True),
                          "day": days_sorted})
    return keyed.join(index, on="day_index", how="left", maintain_order="left").select("child_id", "day", "step")


def monthly_steps(register: Register, *, months: Sequence[date]) -> pl.DataFrame:
    """Each child's step on each of ``months`` (the days given, e.g. month ends).

    Returns:
        Columns ``child_id``, ``month`` (Date, the day given), ``step`` (Int8); children not on
        the staircase on a day are omitted for that day.
    """
    return steps_at(register, days=months).rename({"day": "month"})


def age_expr(birth: pl.Expr, on: date) -> pl.Expr:
    """Whole years between ``birth`` and ``on`` (a child born 29 February turns a year older
    on 1 March in non-leap years)."""
    before_birthday = ((birth.dt.month() > on.month)
                       | ((birth.dt.month() == on.month) & (birth.dt.day() > on.day)))
    return (pl.lit(on.year) - birth.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int32)


def age_on(register: Register, *, on: date) -> pl.DataFrame:
    """Every child's age in whole years on ``on`` (children not yet born are omitted).

    Returns:
        Columns ``child_id`` (Int64) and ``age`` (Int32).
    """
    return (register.children.filter(pl.col("birth_date") <= on)
            .select("child_id", age_expr(pl.col("birth_date"), on).alias("age")))


def population_on(register: Register, *, on: date, max_age: int = MAX_CHILD_AGE) -> pl.DataFrame:
    """Children aged 0..``max_age`` living in the municipality on ``on``, with district and age.

    Living in the municipality: ``entry_date <= on < exit_date`` (exit null = still there).
    The district is the residence active on ``on`` when the ``residences`` table has one for
    the child, else ``children.district_code``.

    Returns:
        Columns ``child_id``, ``district_code``, ``age`` (Int32).
    """
    kids = _active_on(register.children.filter(pl.col("birth_date") <= on), on,
                      start="entry_date", end="exit_date")
    kids = kids.select("child_id", "district_code",
                       age_expr(pl.col("birth_date"), on).alias("age")).filter(pl.col("age") <= max_age)
    residences = register.residences
    if residences.height:
        here = (_active_on(residences, on).group_by("child_id")
                .agg(pl.col("district_code").sort_by("start_date").last().alias("_district")))
        kids = (kids.join(here, on="child_id", how="left")
                .with_columns(pl.coalesce("_district", "district_code").alias("district_code"))
                .drop("_district"))
    return kids.sort("child_id")
