"""Side-by-side comparison of scenarios and back-testing against what happened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

from trappen.forecast._engines import simulate
from trappen.forecast._estimate import add_months, estimate, panel_chunks
from trappen.forecast._model import Projection, StateSpace
from trappen.register import Register
from trappen.staircase import Staircase, default_staircase


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


def backtest(register: Register, *, cutoff: date, horizon_months: int, replicates: int = 200, seed: int = 1,
             staircase: Staircase | None = None) -> pl.DataFrame:
    """Fit on data up to ``cutoff``, simulate ``horizon_months`` and compare with the register.

    Returns:
        One row per step: ``step``, ``mape_pct`` (mean absolute percentage error of the mean
        over months 1..horizon with observed > 0), ``coverage_p10_p90`` (share of months the
        observed count fell inside [P10, P90]), ``observed_last`` and ``forecast_last``.
    """
    staircase = staircase or default_staircase()
    model = estimate(register, cutoff=cutoff, staircase=staircase)
    proj = simulate(model, months=horizon_months, replicates=replicates, seed=seed)
    days = [add_months(cutoff, m) for m in range(horizon_months + 1)]
    obs = observed_counts(register, days=days, states=model.states)
    rows = []
    for s in model.states.steps:
        o, f = obs[1:, s].astype(float), proj.mean[1:, s]
        ok = o > 0
        mape = float(np.mean(np.abs(f[ok] - o[ok]) / o[ok]) * 100) if ok.any() else float("nan")
        inside = (o >= proj.p10[1:, s]) & (o <= proj.p90[1:, s])
        rows.append({"step": s, "mape_pct": mape, "coverage_p10_p90": float(inside.mean()),
                     "observed_last": int(o[-1]), "forecast_last": float(f[-1]),
                     "p10_last": float(proj.p10[-1, s]), "p90_last": float(proj.p90[-1, s])})
    return pl.DataFrame(rows)
