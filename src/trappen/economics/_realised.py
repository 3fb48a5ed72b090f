"""Planned against realised: an adopted case's planned yearly savings next to the spending the
register shows, year by year."""

from __future__ import annotations

import numpy as np
import polars as pl

from trappen.economics._evaluate import CaseResult
from trappen.errors import InvalidInput, Problem

__all__ = ["planned_vs_realised"]


def planned_vs_realised(result: CaseResult, *, realised: pl.DataFrame) -> pl.DataFrame:
    """Compare the case's planned savings with realised spending, one row per case year.

    The baseline is the realised spending of the year before the case starts
    (``start_year - 1``); the realised saving of a year is baseline minus that year's spending.
    Years the register does not cover yet have null realised figures.

    Args:
        result: the evaluated case (:func:`trappen.economics.evaluate_case`).
        realised: columns ``calendar_year`` (int) and ``amount_dkk`` (spending on measures in
            the case's price year, e.g. :func:`trappen.economics.spending` summed by year);
            one row per year.

    Returns:
        Columns calendar_year, planned_cost_dkk, planned_saving_dkk, planned_net_dkk,
        realised_spending_dkk, realised_saving_dkk, saving_gap_dkk (realised - planned saving),
        cumulative_planned_saving_dkk, cumulative_realised_saving_dkk.

    Raises:
        InvalidInput: a missing column, a repeated year, or no spending for the baseline year.
    """
    for col in ("calendar_year", "amount_dkk"):
        if col not in realised.columns:
            raise InvalidInput(Problem(field=col, value=None, table="realised",
                                       message=f"missing column; have {realised.columns}"))
    years = realised["calendar_year"].cast(pl.Int64)
    dup = years.is_duplicated()
    if dup.any():
        raise InvalidInput(Problem(field="calendar_year", value=int(years.filter(dup)[0]),
                                   table="realised", message="one row per year"))
    base_year = result.case.start_year - 1
    base = realised.filter(pl.col("calendar_year") == base_year)["amount_dkk"]
    if base.len() == 0 or base[0] is None:
        raise InvalidInput(Problem(field="calendar_year", value=base_year, table="realised",
                                   message="the baseline year (the year before the case starts) "
                                           "has no spending"))
    baseline = float(base[0])
    planned = pl.DataFrame({
        "calendar_year": result.calendar_years.astype(np.int64),
        "planned_cost_dkk": result.cost_by_payer.sum(axis=0),
        "planned_saving_dkk": result.benefit_by_payer.sum(axis=0),
        "planned_net_dkk": result.net,
    })
    real = realised.select(pl.col("calendar_year").cast(pl.Int64),
                           pl.col("amount_dkk").cast(pl.Float64).alias("realised_spending_dkk"))
    out = planned.join(real, on="calendar_year", how="left").sort("calendar_year")
    out = out.with_columns((baseline - pl.col("realised_spending_dkk")).alias("realised_saving_dkk"))
    return out.with_columns(
        (pl.col("realised_saving_dkk") - pl.col("planned_saving_dkk")).alias("saving_gap_dkk"),
        pl.col("planned_saving_dkk").cum_sum().alias("cumulative_planned_saving_dkk"),
        pl.col("realised_saving_dkk").cum_sum().alias("cumulative_realised_saving_dkk"),
    )
