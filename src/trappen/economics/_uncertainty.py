"""Uncertainty of an investment case: seeded Monte Carlo and a tornado, both vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from trappen.economics._case_model import InvestmentCase
from trappen.economics._evaluate import _evaluate_batch
from trappen.errors import InvalidInput, Problem

TORNADO_QUANTILES = (0.10, 0.90)
"""Tornado low/high are each distribution's 10th and 90th percentiles (a common choice in
cost-benefit practice; stated in docs/economics.md)."""


@dataclass(frozen=True, kw_only=True)
class Simulation:
    """Monte Carlo result: ``draws`` (one row per draw) and ``summary`` (headline figures)."""

    draws: pl.DataFrame
    summary: dict[str, object]


def sample_inputs(
    case: InvestmentCase, *, draws: int, seed: int | np.random.Generator
) -> dict[str, NDArray[np.float64]]:
    """Every uncertain input drawn independently, in sorted path order, from one generator:
    path -> array of shape (draws,). The draws :func:`simulate_case` evaluates."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return {path: case.uncertain[path].sample(rng, draws) for path in sorted(case.uncertain)}


def simulate_case(case: InvestmentCase, *, draws: int, seed: int | np.random.Generator) -> Simulation:
    """Draw every uncertain input, evaluate all draws at once, and summarise.

    Inputs are drawn independently, in sorted path order, from one generator, so the same
    seed gives the same draws. Inputs without a distribution stay at their base value.

    Args:
        case: the investment case.
        draws: number of draws (>= 1).
        seed: an int seed or a numpy Generator.

    Returns:
        ``draws`` has columns draw, npv_dkk, payback_year (null = not within the horizon),
        rule_met, and one column per uncertain input; ``summary`` has p_npv_positive,
        p_rule_met, npv percentiles (p5, p50, p95) and the mean.
    """
    if not isinstance(draws, int) or draws < 1:
        raise InvalidInput(Problem(field="draws", value=draws, message="must be a whole number >= 1"))
    sampled = sample_inputs(case, draws=draws, seed=seed)
    b = _evaluate_batch(case, sampled or {"_": np.zeros(draws)})
    payback = pl.Series("payback_year", b.payback).set(pl.Series(b.payback < 0), None)
    frame = pl.DataFrame({"draw": np.arange(draws), "npv_dkk": b.npv})
    frame = frame.with_columns(payback)
    rule = b.rule.get("met")
    frame = frame.with_columns(pl.Series("rule_met", rule if rule is not None else [None] * draws,
                                         dtype=pl.Boolean))
    for path, values in sampled.items():
        frame = frame.with_columns(pl.Series(path, values))
    p5, p50, p95 = np.percentile(b.npv, [5, 50, 95])
    summary: dict[str, object] = {
        "draws": draws, "seed": seed if isinstance(seed, int) else None,
        "p_npv_positive": float(np.mean(b.npv > 0)),
        "p_rule_met": float(np.mean(rule)) if rule is not None else None,
        "npv_mean_dkk": float(np.mean(b.npv)),
        "npv_p5_dkk": float(p5), "npv_p50_dkk": float(p50), "npv_p95_dkk": float(p95),
        "p_payback_within_horizon": float(np.mean(b.payback >= 0)),
        "uncertain_inputs": sorted(case.uncertain),
    }
    return Simulation(draws=frame, summary=summary)


def tornado(case: InvestmentCase) -> pl.DataFrame:
    """NPV with each uncertain input at its low and high, the others at base; by swing.

    Low/high are the input's :data:`TORNADO_QUANTILES`. All 2 × inputs evaluations run as
    one vectorised batch.

    Returns:
        Columns input, base, low, high, npv_low_dkk, npv_high_dkk, swing_dkk, sorted by
        swing (largest first). Empty when no input carries a distribution.
    """
    paths = sorted(case.uncertain)
    schema = {"input": pl.String, "base": pl.Float64, "low": pl.Float64, "high": pl.Float64,
              "npv_low_dkk": pl.Float64, "npv_high_dkk": pl.Float64, "swing_dkk": pl.Float64}
    if not paths:
        return pl.DataFrame(schema=schema)
    base = case.base_values()
    lows = [case.uncertain[p].quantile(TORNADO_QUANTILES[0]) for p in paths]
    highs = [case.uncertain[p].quantile(TORNADO_QUANTILES[1]) for p in paths]
    n = 2 * len(paths)
    overrides = {p: np.full(n, base[p]) for p in paths}
    for i, p in enumerate(paths):
        overrides[p][2 * i] = lows[i]
        overrides[p][2 * i + 1] = highs[i]
    npv = _evaluate_batch(case, overrides).npv
    frame = pl.DataFrame({
        "input": paths, "base": [base[p] for p in paths], "low": lows, "high": highs,
        "npv_low_dkk": npv[0::2], "npv_high_dkk": npv[1::2],
    }, schema={k: v for k, v in schema.items() if k != "swing_dkk"})
    return (frame.with_columns((pl.col("npv_high_dkk") - pl.col("npv_low_dkk")).abs().alias("swing_dkk"))
            .sort("swing_dkk", "input", descending=[True, False]))
