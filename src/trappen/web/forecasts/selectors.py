"""Every read behind the forecast page and API: the fitted transition model (estimated once per
register version and cached, like the dashboards' snapshot) and one aggregate forecast per set
of levers.

No forecasting happens here: the numbers are :func:`trappen.forecast.project_expected` (means,
and the baseline the difference is taken from), :func:`trappen.forecast.simulate` (P10/P50/P90
bands, seeded) and :func:`trappen.forecast.compare`. Everything returned is counts of children
per step per month and costs; nothing per child.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from trappen.errors import InvalidInput, Problem
from trappen.forecast import (
    CostTable,
    Price,
    Projection,
    RateAdjustment,
    Scenario,
    TransitionModel,
    compare,
    cost_by_type,
    estimate,
    filter_register,
    project_expected,
    simulate,
    type_mix,
)
from trappen.register import Register
from trappen.web.dashboards.selectors import analytic_register

logger = logging.getLogger(__name__)

REPLICATE_MONTHS = 24_000
"""Replicates x months behind the page's bands: 400 replicates over 60 months (500 at most,
200 at 120 months). 1,000 replicates of a 20,000-child municipality over 60 months take
about 2.4 s on one core (benchmarks/forecast.py), so the page's share is about 1 s."""


def replicates_for(months: int) -> int:
    """Replicates simulated for a horizon of ``months``: ``REPLICATE_MONTHS / months`` within
    200..500 (fewer at long horizons keep the page fast)."""
    return max(200, min(500, REPLICATE_MONTHS // max(months, 1)))

SEED = 1
"""The page's seed: the same levers give the same bands (reproducible in the CLI with --seed 1)."""

MONTHS_MIN, MONTHS_MAX = 12, 120

_lock = threading.Lock()
_model_version: dict[str, object] = {}
_models: dict[tuple[object, ...], TransitionModel] = {}
_result_cache: OrderedDict[tuple[object, ...], ForecastResult] = OrderedDict()
_RESULTS_KEPT = 16


@dataclass(frozen=True, kw_only=True)
class Levers:
    """What the leader chose on the page (or in the API body)."""

    months: int = 60
    caseload_per_caseworker: float | None = None
    closed_steps: tuple[int, ...] = ()
    step_caps: tuple[tuple[int, int], ...] = ()
    entrant_rate_change_pct: float = 0.0
    population_growth_pct_per_year: float = 0.0
    exit_rate_change_pct: float = 0.0
    rate_adjustments: tuple[RateAdjustment, ...] = ()
    window_months: int | None = None
    sex: str | None = None
    age_from: int | None = None
    age_to: int | None = None
    inflation_pct_per_year: float = 0.0

    def scenario(self) -> Scenario:
        return Scenario(name="scenario", caseload_per_caseworker=self.caseload_per_caseworker,
                        closed_steps=self.closed_steps, step_caps=self.step_caps,
                        entrant_rate_change_pct=self.entrant_rate_change_pct,
                        population_growth_pct_per_year=self.population_growth_pct_per_year,
                        exit_rate_change_pct=self.exit_rate_change_pct, rate_adjustments=self.rate_adjustments)

    def model_key(self) -> tuple[object, ...]:
        """The levers that change the fitted model (reference period and filters)."""
        return (self.window_months, self.sex, self.age_from, self.age_to)


@dataclass(frozen=True, kw_only=True)
class ForecastResult:
    """One forecast: the scenario simulated (bands), its expected path, the expected baseline
    and their comparison (aggregate only)."""

    levers: Levers
    simulated: Projection
    expected: Projection
    baseline: Projection
    comparison: pl.DataFrame  # trappen.forecast.compare(baseline, [expected])


def default_cutoff(register: Register) -> date:
    """The last day of the last full month the register has data for (as the CLI's default)."""
    dates = [register.episodes["start_date"].max(), register.children["entry_date"].max(),
             register.episodes["end_date"].max()]
    known = [d for d in dates if isinstance(d, date)]
    if not known:
        raise InvalidInput(Problem(field="register", value=0, message="the register is empty"))
    latest = max(known)
    if (latest + timedelta(days=1)).day == 1:
        return latest
    return date(latest.year, latest.month, 1) - timedelta(days=1)


_MODELS_KEPT = 8


def _register_for(levers: Levers | None) -> tuple[Register, object, date]:
    """The analytic register (filtered by the levers' sex and age band), its version and the
    cut-off."""
    register, version = analytic_register()
    cutoff = default_cutoff(register)
    if levers is not None and (levers.sex or levers.age_from is not None or levers.age_to is not None):
        register = filter_register(register, sex=levers.sex, age_from=levers.age_from, age_to=levers.age_to,
                                   on=cutoff)
    return register, version, cutoff


def forecast_model(levers: Levers | None = None) -> TransitionModel:
    """The transition model fitted on the analytic register (with the levers' reference period
    and filters), re-estimated only when the register's version or those levers change.

    Raises:
        InvalidInput: the register holds too little to fit a model (e.g. empty, or no child
            in the filtered group).
    """
    levers = levers or Levers()
    key = levers.model_key()
    _register, version = analytic_register()
    with _lock:
        if _model_version.get("version") != version:
            _models.clear()
            _result_cache.clear()
            _model_version["version"] = version
        hit = _models.get(key)
        if hit is not None:
            return hit
    t = time.perf_counter()
    register, _version, cutoff = _register_for(levers)
    window = levers.window_months
    model = estimate(register, cutoff=cutoff) if window is None else estimate(register, cutoff=cutoff,
                                                                                 window_months=window)
    with _lock:
        if len(_models) >= _MODELS_KEPT:
            _models.pop(next(iter(_models)))
        _models[key] = model
    logger.info("forecast model estimated", extra={"seconds": round(time.perf_counter() - t, 2)})
    return model


def inflation(months: int, pct_per_year: float) -> list[float]:
    """Price factor of months 0..months at ``pct_per_year`` (month m: (1 + i) ** (m / 12))."""
    return [(1.0 + pct_per_year / 100.0) ** (m / 12.0) for m in range(months + 1)]


def cost_by_intervention(result: ForecastResult, *, cutoff: date) -> pl.DataFrame:
    """Expected cost per year of the levers' forecast by intervention type (DKK, the
    catalogue's day prices, indexed by the inflation lever): columns ``year``, ``step``,
    ``type_code``, ``cost_dkk``; summed over types it is the steps' total."""
    from trappen.web import rules

    register, _version, _cut = _register_for(result.levers)
    catalogue = rules.catalogue()
    mix = type_mix(register, cutoff=cutoff, leave_out=[t.code for t in catalogue.types if t.aftercare])
    # a step nobody is on at the cut-off is priced as the model prices it: the mean of its types
    seen = set(mix["step"].to_list())
    extra = [(s.number, t.code.upper(), 1.0 / len(types)) for s in catalogue.staircase.steps if s.number not in seen
             for types in [[t for t in catalogue.for_step(s.number) if not t.aftercare]] for t in types]
    if extra:
        mix = pl.concat([mix, pl.DataFrame(extra, schema=mix.schema, orient="row")]).sort("step", "type_code")
    prices = tuple(Price(type_code=t.code.upper(), provider="any", per_day=t.cost_dkk_per_day, share=1.0)
                   for t in catalogue.types)
    costs = CostTable(currency="DKK", inflation_pct_per_year=result.levers.inflation_pct_per_year, prices=prices,
                      default_per_day=0.0)
    codes = {t.code.upper(): t.code for t in catalogue.types}
    table = cost_by_type(result.expected, mix=mix, costs=costs).filter(pl.col("month") > 0)
    return (table.with_columns(((pl.col("month") - 1) // 12 + 1).alias("year"),
                               pl.col("type_code").replace(codes))
            .group_by("year", "step", "type_code").agg(pl.col("cost").sum().alias("cost_dkk"))
            .sort("year", "step", "type_code"))


def forecast_run(model: TransitionModel, *, levers: Levers, replicates: int | None = None,
                 seed: int = SEED) -> ForecastResult:
    """The forecast for ``levers``: simulated bands (``replicates``, default
    :func:`replicates_for`), expected means and the difference from the expected baseline;
    cached per (model, levers, replicates, seed).

    Raises:
        InvalidInput: the core refused a lever (e.g. every step closed), naming it.
    """
    replicates = replicates or replicates_for(levers.months)
    key = (id(model), levers, replicates, seed)
    with _lock:
        hit = _result_cache.get(key)
        if hit is not None:
            _result_cache.move_to_end(key)
            return hit
    scenario = levers.scenario()
    baseline = project_expected(model, months=levers.months)
    expected = project_expected(model, months=levers.months, scenario=scenario)
    simulated = simulate(model, months=levers.months, replicates=replicates, seed=seed, scenario=scenario,
                         threads=2)  # same result as one thread (simulate's contract)
    result = ForecastResult(levers=levers, simulated=simulated, expected=expected, baseline=baseline,
                            comparison=compare(baseline, [expected]))
    with _lock:
        _result_cache[key] = result
        while len(_result_cache) > _RESULTS_KEPT:
            _result_cache.popitem(last=False)
    return result


def _indexed(result: ForecastResult) -> pl.DataFrame:
    """The comparison with its costs indexed by the inflation lever (month m at (1 + i) ** (m / 12))."""
    factor = inflation(result.levers.months, result.levers.inflation_pct_per_year)
    frame = result.comparison.filter(pl.col("scenario") == "scenario")
    scale = pl.Series([factor[m] for m in frame["month"].to_list()])
    return frame.with_columns(*(pl.col(c) * scale for c in ("cost_dkk", "baseline_cost_dkk", "diff_cost_dkk")))


def cost_per_year(result: ForecastResult) -> pl.DataFrame:
    """year, baseline_cost_dkk, scenario_cost_dkk, diff_cost_dkk (expected costs, all states,
    indexed by the inflation lever)."""
    frame = _indexed(result).filter(pl.col("month") > 0)
    return (
        frame.with_columns(((pl.col("month") - 1) // 12 + 1).alias("year"))
        .group_by("year")
        .agg(pl.col("baseline_cost_dkk").sum(), pl.col("cost_dkk").sum().alias("scenario_cost_dkk"))
        .with_columns((pl.col("scenario_cost_dkk") - pl.col("baseline_cost_dkk")).alias("diff_cost_dkk"))
        .sort("year")
    )


def download_frame(result: ForecastResult, *, language: str = "da") -> pl.DataFrame:
    """The page's forecast as one long table for CSV and Excel: per month and state (its code
    and its name in ``language``), the simulated P10/P50/P90, the expected number with and
    without the levers, and the expected costs (aggregate counts only)."""
    from trappen.labels import state_names
    from trappen.web import rules

    bands = result.simulated.to_frame().select("month", "state", "p10", "p50", "p90")
    table = _indexed(result).select(
        "month",
        "month_end",
        "state",
        pl.col("mean").alias("expected"),
        pl.col("baseline_mean").alias("baseline"),
        pl.col("diff_mean").alias("difference"),
        pl.col("cost_dkk").alias("expected_cost_dkk"),
        "baseline_cost_dkk",
        pl.col("diff_cost_dkk").alias("difference_cost_dkk"),
    )
    names = state_names(result.simulated.labels, language=language, staircase=rules.staircase())
    return table.join(bands, on=["month", "state"], how="left", maintain_order="left").select(
        "month",
        "month_end",
        "state",
        pl.col("state").replace_strict(names, default=pl.col("state")).alias("state_name"),
        "p10",
        "p50",
        "p90",
        "expected",
        "baseline",
        "difference",
        "expected_cost_dkk",
        "baseline_cost_dkk",
        "difference_cost_dkk",
    )


def investment_case_toml(model: TransitionModel, result: ForecastResult) -> str:
    """An investment case for the forecast's levers (:func:`trappen.economics.shift_case`): the
    effect is the expected child-years per step with the levers minus without, per calendar
    year from the first projected month over the whole years of the horizon, priced with the
    forecast's own cost per step; with a lower caseload, the extra caseworkers it needs for the
    children on the staircase at the cut-off are the cost. The economist checks and completes
    it on the investment page (one-off costs, other payers, uncertainty)."""
    from trappen.economics import case_to_toml, shift_case

    levers, first = result.levers, result.simulated.month_dates[1]
    extra_fte, note = 0.0, ""
    need = (
        model.extra_caseworkers(levers.caseload_per_caseworker) if levers.caseload_per_caseworker is not None else None
    )
    if need is not None:
        extra_fte, children = need
        note = (
            f" Caseload {model.caseload_baseline:.1f} -> {levers.caseload_per_caseworker:g} children per "
            f"caseworker for the {children:,.0f} children on the staircase at the cut-off: "
            f"{extra_fte:+.1f} FTE" + ("" if extra_fte > 0 else " (fewer caseworkers: no cost line)") + "."
        )
    described = ", ".join(f"{k}={v}" for k, v in vars(levers).items() if k != "months" and v not in (None, (), 0.0))
    data = shift_case(
        name=f"Forecast scenario: {described or 'baseline'}",
        description=(
            f"Made from the forecast of {model.cutoff} ({levers.months} months, expected numbers, "
            f"levers: {described or 'none'}).{note} Check the costs, add one-off costs and "
            "uncertainty before using it."
        ),
        scenario=result.expected.child_years(),
        baseline=result.baseline.child_years(),
        start_year=first.year,
        horizon_years=max(levers.months // 12, 1),
        price_year=model.cutoff.year,
        prices={s: float(model.cost_dkk_per_day[s] * 365.25) for s in model.states.steps},
        prices_source="the forecast's cost per step: the catalogue prices of the register's interventions at "
        "the cut-off (not indexed)",
        extra_fte=max(extra_fte, 0.0),
        effect_source=f"Trappen forecast, cut-off {model.cutoff}, expected child-years with minus without the levers",
    )
    return case_to_toml(data)


def chart_data(result: ForecastResult, *, step_names: dict[int, str]) -> dict[str, object]:
    """The numbers the page's chart script draws: per step, P10/P50/P90 of the simulation, the
    expected path and the expected baseline, per month."""
    sim, exp, base = result.simulated, result.expected, result.baseline
    steps = []
    for s in range(1, len(sim.labels)):
        label = sim.labels[s]
        if not label.startswith("step_"):
            break
        steps.append(
            {
                "step": s,
                "name": step_names.get(s, label),
                "p10": [round(float(v), 1) for v in sim.p10[:, s]],
                "p50": [round(float(v), 1) for v in sim.p50[:, s]],
                "p90": [round(float(v), 1) for v in sim.p90[:, s]],
                "expected": [round(float(v), 1) for v in exp.mean[:, s]],
                "baseline": [round(float(v), 1) for v in base.mean[:, s]],
            }
        )
    return {"months": [d.isoformat() for d in sim.month_dates], "steps": steps}


def cache_clear() -> None:
    """Forget the cached model and results (tests, after a bulk load)."""
    with _lock:
        _model_version.clear()
        _models.clear()
        _result_cache.clear()
