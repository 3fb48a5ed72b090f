"""Back-testing over rolling origins: the model against no-change and trend baselines, and
the calibration of its bands.

For every cut-off (origin) the model is fitted on the data up to it and simulated; the same
months are forecast by two baselines an analyst would try first:

* **no change**: the count on the cut-off day carried forward;
* **trend**: the least-squares line through the last :data:`TREND_MONTHS` monthly counts up to
  the cut-off, extended (never below zero).

Everything is compared with what the register recorded on the same month-days. The series are
the steps and the **total** on the staircase (the sum of the steps, with its own quantiles
from the replicates, not a sum of the steps' quantiles). A step with no child in a compared
month has no percentage error; a step with no child at all over an origin's months is left
out of every average (``compared_months`` says how many months each figure rests on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import NDArray

from trappen.errors import InvalidInput, Problem
from trappen.forecast._compare import observed_counts
from trappen.forecast._engines import run_replicates
from trappen.forecast._estimate import add_months, estimate
from trappen.forecast._model import Scenario
from trappen.register import Register
from trappen.staircase import Staircase, default_staircase

TREND_MONTHS = 12
"""Months of history the trend baseline is fitted on."""

MEAN_OF_STEPS = "mean_of_steps"
"""The summary row averaging the steps that had children (empty steps are left out)."""

BANDS = {"p10_p90": (10.0, 90.0), "p5_p95": (5.0, 95.0)}
"""The bands whose coverage is checked, with their nominal quantiles."""


@dataclass(frozen=True, kw_only=True)
class Backtest:
    """A back-test's results (aggregate counts only).

    Attributes:
        detail: one row per origin, month ahead and series: ``cutoff``, ``month``, ``series``
            (``step_1``.., ``total``), ``observed``, ``mean``, ``p5``, ``p10``, ``p50``, ``p90``,
            ``p95``, ``no_change``, ``trend``.
        summary: one row per series (the steps, then ``total``): see :func:`summarise_backtest`.
        cutoffs: the origins, in order.
        horizon_months: months forecast from each origin.
        replicates: replicates per origin.
        seed: the seed (origin ``i`` simulates with ``seed + i``).
    """

    detail: pl.DataFrame
    summary: pl.DataFrame
    cutoffs: tuple[date, ...]
    horizon_months: int
    replicates: int
    seed: int


def binomial_band(nominal: float, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """The range of coverage shares a calibrated band gives in ``n`` independent months with
    probability ``level``: the binomial(n, nominal) quantiles divided by n. Months of one
    origin are correlated, so the true range is wider: a share outside this band is a warning,
    a share inside it is the least one should ask for."""
    from scipy.stats import binom

    if n <= 0:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0
    return float(binom.ppf(tail, n, nominal) / n), float(binom.ppf(1.0 - tail, n, nominal) / n)


def trend_forecast(history: NDArray[np.float64], months: int) -> NDArray[np.float64]:
    """The least-squares line through each column of ``history`` (shape (T, K), the last row
    the cut-off), extended ``months`` ahead and floored at 0: shape (months, K)."""
    t_n = history.shape[0]
    t = np.arange(t_n, dtype=np.float64) - (t_n - 1)
    if t_n < 2:
        return np.repeat(history[-1:], months, axis=0)
    tc = t - t.mean()
    slope = (tc[:, None] * (history - history.mean(axis=0))).sum(axis=0) / (tc**2).sum()
    level = history.mean(axis=0) - slope * t.mean()
    ahead = np.arange(1, months + 1, dtype=np.float64)[:, None]
    return np.maximum(level[None, :] + slope[None, :] * ahead, 0.0)


def rolling_cutoffs(*, last: date, horizon_months: int, origins: int, every_months: int) -> tuple[date, ...]:
    """``origins`` cut-offs ``every_months`` apart whose horizons all end by ``last``; month ends
    when ``last`` is one (so 2025-02-28 gives 2024-08-31, not the 28th)."""
    from datetime import timedelta

    month_end = (last + timedelta(days=1)).day == 1

    def back(months: int) -> date:
        if not month_end:
            return add_months(last, -months)
        first = add_months(date(last.year, last.month, 1), 1 - months)
        return first - timedelta(days=1)

    return tuple(back(horizon_months + every_months * i) for i in reversed(range(origins)))


def backtest(
    register: Register,
    *,
    cutoffs: Sequence[date],
    horizon_months: int,
    replicates: int = 200,
    seed: int = 1,
    staircase: Staircase | None = None,
    window_months: int | None = None,
) -> Backtest:
    """Fit on data up to each cut-off, simulate ``horizon_months`` and compare the model and the
    no-change and trend baselines with what the register recorded.

    Args:
        register: the analytic register.
        cutoffs: the origins (e.g. :func:`rolling_cutoffs`); each needs ``horizon_months`` of
            data after it.
        horizon_months: months forecast from each origin.
        replicates: replicates per origin.
        seed: origin ``i`` simulates with ``seed + i``.
        staircase: the staircase; default Socialstyrelsen's.
        window_months: the estimation window (:func:`trappen.forecast.estimate`); None = its
            default.

    Returns:
        A :class:`Backtest` with the per-month detail and the summary per series.

    Raises:
        InvalidInput: no cut-off, or a horizon below 1.
    """
    if not cutoffs:
        raise InvalidInput(Problem(field="cutoffs", value=0, message="give at least one cut-off"))
    if horizon_months < 1:
        raise InvalidInput(Problem(field="horizon_months", value=horizon_months, message="must be at least 1"))
    staircase = staircase or default_staircase()
    cutoffs = tuple(sorted(cutoffs))
    frames = []
    steps: tuple[int, ...] = ()
    for i, cut in enumerate(cutoffs):
        model = (estimate(register, cutoff=cut, staircase=staircase) if window_months is None
                 else estimate(register, cutoff=cut, staircase=staircase, window_months=window_months))
        steps = model.states.steps
        days = [add_months(cut, m) for m in range(-(TREND_MONTHS - 1), horizon_months + 1)]
        obs = observed_counts(register, days=days, states=model.states)[:, list(steps)].astype(np.float64)
        obs = np.concatenate([obs, obs.sum(axis=1, keepdims=True)], axis=1)  # (T, N + 1): steps, total
        history, future = obs[:TREND_MONTHS], obs[TREND_MONTHS:]
        runs = run_replicates(model, months=horizon_months, replicates=replicates, seed=seed + i,
                              scenario=Scenario())[0][:, 1:, list(steps)].astype(np.float64)
        runs = np.concatenate([runs, runs.sum(axis=2, keepdims=True)], axis=2)  # (R, H, N + 1)
        q = np.percentile(runs, [5, 10, 50, 90, 95], axis=0)
        k_n = len(steps) + 1
        month = np.repeat(np.arange(1, horizon_months + 1), k_n)
        frames.append(pl.DataFrame({
            "cutoff": pl.Series([cut] * month.size, dtype=pl.Date),
            "month": month,
            "series": [*(f"step_{s}" for s in steps), "total"] * horizon_months,
            "observed": future.ravel(),
            "mean": runs.mean(axis=0).ravel(),
            "p5": q[0].ravel(), "p10": q[1].ravel(), "p50": q[2].ravel(), "p90": q[3].ravel(), "p95": q[4].ravel(),
            "no_change": np.repeat(history[-1:], horizon_months, axis=0).ravel(),
            "trend": trend_forecast(history, horizon_months).ravel(),
        }))
    detail = pl.concat(frames)
    order = [*(f"step_{s}" for s in steps), "total"]
    return Backtest(detail=detail, summary=summarise_backtest(detail, order=order), cutoffs=cutoffs,
                    horizon_months=horizon_months, replicates=replicates, seed=seed)


def summarise_backtest(detail: pl.DataFrame, *, order: Sequence[str]) -> pl.DataFrame:
    """Per series: ``compared_months`` (origin-months with a child observed), ``mape_pct`` of the
    model's mean, ``no_change_mape_pct``, ``trend_mape_pct``, and at the horizon the same three
    (``*_at_horizon``); ``coverage_p10_p90`` and ``coverage_p5_p95`` (share of those months
    inside the band) with ``p10_p90_low``/``_high`` and ``p5_p95_low``/``_high`` the binomial
    band around 80 % and 90 %; ``observed_last`` and ``forecast_last`` (mean over origins at the
    horizon). Series never observed have null figures; the row :data:`MEAN_OF_STEPS` (before
    ``total``) averages the steps that were observed (its band rests on all their months)."""
    horizon = int(detail["month"].cast(pl.Int64).to_numpy().max())
    d = detail.with_columns(
        ok=pl.col("observed") > 0,
        in_p10_p90=(pl.col("observed") >= pl.col("p10")) & (pl.col("observed") <= pl.col("p90")),
        in_p5_p95=(pl.col("observed") >= pl.col("p5")) & (pl.col("observed") <= pl.col("p95")),
        **{f"ape_{c}": (pl.col(c) - pl.col("observed")).abs() / pl.col("observed") * 100.0
           for c in ("mean", "no_change", "trend")},
    )
    seen = d.filter("ok")
    names = {"mean": "mape_pct", "no_change": "no_change_mape_pct", "trend": "trend_mape_pct"}
    table = seen.group_by("series").agg(
        pl.len().alias("compared_months"),
        *(pl.col(f"ape_{c}").mean().alias(n) for c, n in names.items()),
        *(pl.col(f"ape_{c}").filter(pl.col("month") == horizon).mean().alias(f"{n.removesuffix('_pct')}_at_horizon_pct")
          for c, n in names.items()),
        pl.col("in_p10_p90").mean().alias("coverage_p10_p90"),
        pl.col("in_p5_p95").mean().alias("coverage_p5_p95"),
    )
    last = d.filter(pl.col("month") == horizon).group_by("series").agg(
        pl.col("observed").mean().alias("observed_last"), pl.col("mean").mean().alias("forecast_last"))
    frame = (pl.DataFrame({"series": list(order)})
             .join(table, on="series", how="left").join(last, on="series", how="left")
             .with_columns(pl.col("compared_months").fill_null(0)))
    steps = frame.filter(pl.col("series").str.starts_with("step_") & (pl.col("compared_months") > 0))
    figures = [c for c in frame.columns if c not in ("series", "compared_months")]
    mean_row = steps.select(pl.lit(MEAN_OF_STEPS).alias("series"),
                            pl.col("compared_months").sum().cast(pl.UInt32), *(pl.col(c).mean() for c in figures))
    frame = pl.concat([frame.filter(pl.col("series") != "total"), mean_row, frame.filter(pl.col("series") == "total")])
    bands: dict[str, list[float | None]] = {k: [] for k in ("p10_p90_low", "p10_p90_high", "p5_p95_low", "p5_p95_high")}
    for n in frame["compared_months"].to_list():
        for name, (lo_q, hi_q) in BANDS.items():
            lo, hi = binomial_band((hi_q - lo_q) / 100.0, int(n))
            bands[f"{name}_low"].append(None if n == 0 else lo)
            bands[f"{name}_high"].append(None if n == 0 else hi)
    return frame.with_columns(**{k: pl.Series(v, dtype=pl.Float64) for k, v in bands.items()})
