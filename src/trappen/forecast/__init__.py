"""Forecasts: how many children on each step, at what cost, with honest uncertainty.

Aggregate only: every result is counts of children per state per month and costs; no function
returns anything per child.

Public API::

    from trappen.forecast import estimate, project_expected, simulate, Scenario, compare, backtest

    model = estimate(register, cutoff=date(2021, 12, 31))
    baseline = simulate(model, months=60, replicates=500, seed=1)
    closed = simulate(model, months=60, replicates=500, seed=1, scenario=Scenario(closed_steps=(6,)))
    table = compare(baseline, [closed])
"""

from trappen.forecast._backtest import (
    Backtest,
    backtest,
    binomial_band,
    rolling_cutoffs,
    summarise_backtest,
    trend_forecast,
)
from trappen.forecast._compare import compare, observed_counts
from trappen.forecast._engines import (
    adjust,
    arrival_rates,
    arrival_schedule,
    project_expected,
    redirect_table,
    simulate,
)
from trappen.forecast._estimate import DEFAULT_CASELOAD_ELASTICITY, add_months, estimate
from trappen.forecast._levers import CostTable, Price, cost_by_type, filter_register, type_mix
from trappen.forecast._model import (
    AGE_BAND_EDGES_YEARS,
    DURATION_BAND_EDGES_MONTHS,
    Projection,
    RateAdjustment,
    Scenario,
    StateSpace,
    TransitionModel,
)

__all__ = [
    "AGE_BAND_EDGES_YEARS", "DEFAULT_CASELOAD_ELASTICITY", "DURATION_BAND_EDGES_MONTHS", "Backtest", "CostTable",
    "Price", "Projection", "RateAdjustment", "Scenario", "StateSpace", "TransitionModel", "add_months", "adjust",
    "arrival_rates", "arrival_schedule", "backtest", "binomial_band", "compare", "cost_by_type", "estimate",
    "filter_register", "observed_counts", "project_expected", "redirect_table", "rolling_cutoffs", "simulate",
    "summarise_backtest", "trend_forecast", "type_mix",
]
