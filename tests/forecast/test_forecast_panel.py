"""The monthly panel behind estimation: vectorised NumPy, chunk by chunk, equal to the plain
polars formulation it replaced (kept here as the oracle)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from trappen.forecast._estimate import add_months, panel_chunks
from trappen.forecast._model import ADULT_MONTHS, AFTERCARE_END_MONTHS, MAX_START_DURATION, StateSpace
from trappen.register import Register

STATES = StateSpace(top=6)


def _age_months(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    return ((on.dt.year() - birth.dt.year()) * 12 + on.dt.month().cast(pl.Int32)
            - birth.dt.month().cast(pl.Int32)
            - (on.dt.day() < birth.dt.day()).cast(pl.Int32))


def polars_monthly_states(register: Register, *, days: list[date], states: StateSpace) -> pl.DataFrame:
    """Each child's state on each of ``days`` (sorted), with months already in that state.

    Returns:
        Columns ``child_id``, ``k`` (index into days), ``age_m`` (age in months), ``state``
        (Int16), ``dur`` (months in the state; left-censored runs at k=0 start at 24).
    """
    day_s = pl.Series("day", days, dtype=pl.Date)
    index = pl.DataFrame({"k": np.arange(len(days), dtype=np.int32), "day": day_s})
    ep = register.episodes.select("child_id", "step", "start_date", "end_date")
    first = day_s.search_sorted(ep["start_date"], side="left")
    last = day_s.search_sorted(ep["end_date"].fill_null(date.max), side="left")
    steps = (ep.with_columns(first.cast(pl.Int32).alias("_i0"), last.cast(pl.Int32).alias("_i1"))
             .filter(pl.col("_i1") > pl.col("_i0"))
             .select("child_id", "step", pl.int_ranges("_i0", "_i1", dtype=pl.Int32).alias("k"))
             .explode("k").group_by("child_id", "k").agg(pl.col("step").max()))
    kids = register.children.select("child_id", "birth_date", "entry_date", "exit_date")
    first_k = day_s.search_sorted(kids.select(pl.max_horizontal("birth_date", "entry_date"))
                                  .to_series(), side="left")
    kids = kids.with_columns(first_k.cast(pl.Int32).alias("_k0")).filter(pl.col("_k0") < len(days))
    panel = (kids.select("child_id", "birth_date", "exit_date",
                         pl.int_ranges("_k0", len(days), dtype=pl.Int32).alias("k"))
             .explode("k").join(index, on="k", how="left")
             .join(steps, on=["child_id", "k"], how="left"))
    age = _age_months(pl.col("birth_date"), pl.col("day"))
    exit_age = _age_months(pl.col("birth_date"), pl.col("exit_date"))
    step = pl.col("step").fill_null(0).cast(pl.Int16)
    state = (pl.when(pl.col("exit_date").is_not_null() & (pl.col("exit_date") <= pl.col("day")))
             .then(pl.when(exit_age < ADULT_MONTHS).then(states.left).otherwise(states.ended))
             .when(age >= AFTERCARE_END_MONTHS).then(states.ended)
             .when(age >= ADULT_MONTHS)
             .then(pl.when(step > 0).then(states.aftercare).otherwise(states.ended))
             .otherwise(step)).cast(pl.Int16)
    panel = (panel.with_columns(age.alias("age_m"), state.alias("state"))
             .select("child_id", "k", "age_m", "state").sort("child_id", "k"))
    run = (pl.col("state") != pl.col("state").shift(1).over("child_id")).fill_null(True)
    panel = panel.with_columns(run.cum_sum().over("child_id").alias("_run"))
    start_k = pl.col("k").min().over("child_id", "_run")
    censored = (start_k == 0).cast(pl.Int32) * MAX_START_DURATION
    return panel.with_columns((pl.col("k") - start_k + censored).alias("dur")).drop("_run")


def monthly_states(register: Register, *, days: list[date], states: StateSpace) -> pl.DataFrame:
    """The NumPy panel's chunks as one frame, in the oracle's columns."""
    return pl.concat([pl.DataFrame({"child_id": p.child, "k": p.k, "age_m": p.age_m, "state": p.state,
                                    "dur": p.dur}) for p in panel_chunks(register, days=days, states=states)])


def _days(cutoff: date, n: int = 61) -> list[date]:
    return [add_months(cutoff, k - (n - 1)) for k in range(n)]


@pytest.mark.parametrize("cutoff", [date(2021, 12, 31), date(2023, 6, 30)])
def test_panel_equals_the_polars_formulation(synthetic, cutoff):
    days = _days(cutoff)
    got = monthly_states(synthetic, days=days, states=STATES).sort("child_id", "k")
    want = polars_monthly_states(synthetic, days=days, states=STATES).sort("child_id", "k")
    assert got.height == want.height > 0
    for col in ("child_id", "k", "age_m", "state", "dur"):
        np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(), err_msg=col)


def test_panel_of_the_tiny_register(tiny):
    days = _days(date(2021, 12, 31))
    got = monthly_states(tiny, days=days, states=STATES).sort("child_id", "k")
    want = polars_monthly_states(tiny, days=days, states=STATES).sort("child_id", "k")
    assert got.select("child_id", "k", "age_m", "state", "dur").equals(
        want.select("child_id", "k", "age_m", "state", "dur").cast({"age_m": pl.Int32, "dur": pl.Int32}))


def test_chunks_do_not_change_the_panel(synthetic):
    days = _days(date(2022, 12, 31))
    whole = list(panel_chunks(synthetic, days=days, states=STATES, chunk_children=1_000_000))
    small = list(panel_chunks(synthetic, days=days, states=STATES, chunk_children=97))
    assert len(whole) == 1 and len(small) > 10
    for field in ("child", "k", "age_m", "state", "dur", "first"):
        np.testing.assert_array_equal(getattr(whole[0], field), np.concatenate([getattr(p, field) for p in small]))
