"""Side-by-side comparison of scenarios, and the counts the register recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

from trappen.forecast._estimate import panel_chunks
from trappen.forecast._model import Projection, StateSpace
from trappen.register import Register


def compare(baseline: Projection, scenarios: Sequence[Projection]) -> pl.DataFrame:
    """Scenarios side by side with the baseline: children (mean, P10, P90) and cost per state
    per month, and the difference from the baseline.

    Returns:
        Columns scenario, month, month_end, state, mean, p10, p90, cost_dkk, redirected,
        baseline_mean, diff_mean, baseline_cost_dkk, diff_cost_dkk.
    """
    base = baseline.to_frame().select(
        "month", "state", pl.col("mean").alias("baseline_mean"), pl.col("cost_dkk").alias("baseline_cost_dkk"))
    frames = [p.to_frame() for p in (baseline, *scenarios)]
    return (pl.concat(frames).join(base, on=["month", "state"], how="left")
            .with_columns((pl.col("mean") - pl.col("baseline_mean")).alias("diff_mean"),
                          (pl.col("cost_dkk") - pl.col("baseline_cost_dkk")).alias("diff_cost_dkk"))
            .select("scenario", "month", "month_end", "state", "mean", "p10", "p90", "cost_dkk", "redirected",
                    "baseline_mean", "diff_mean", "baseline_cost_dkk", "diff_cost_dkk"))


def observed_counts(register: Register, *, days: list[date], states: StateSpace) -> np.ndarray:
    """Children per state on each of ``days`` as the register recorded it, shape (len(days), S)."""
    out = np.zeros(len(days) * states.size, dtype=np.int64)
    for panel in panel_chunks(register, days=days, states=states):
        out += np.bincount(panel.k.astype(np.intp) * states.size + panel.state,
                           minlength=len(days) * states.size)
    return out.reshape(len(days), states.size)
