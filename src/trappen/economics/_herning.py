"""The Herning pilot's published figures next to what an investment case gives for them.

The published figures are rows of ``data/herning_published.csv`` (a copy of the shared
reference with its sources; "row N" counts data rows from 1 under the header). One function
per figure computes the case's value for it over the figure's calendar years, from
:class:`PilotFlows` with a draw axis: one draw from an evaluated case (:func:`pilot_flows`) or
every Monte Carlo draw (:func:`pilot_flows_by_draw`), so the uncertainty of each figure is
reported too; :func:`compare_published` puts them side by side.

Reading of the figures (stated in docs/economics.md §6): savings on placements are the case's
gross savings (before the caseworkers' cost), summed over the calendar years of the period
(2013 + 2014 at the midterm, 2013 + 2014 + 2015 at the end); the changes in spending on
institutions and home-based placements are summed over 2013-2015 the same way, so that
6.7 = 7.7 - 1.0 as published. The investment is the case's mean yearly cost over 2013-2015.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from trappen.economics._case_model import InvestmentCase
from trappen.economics._evaluate import CaseResult, _evaluate_batch
from trappen.economics._uncertainty import sample_inputs

INSTITUTION_STEP = 6
"""Residential care (reference/staircase.csv, step 6)."""

HOME_BASED_PLACEMENT_STEP = 5
"""Where the case books the published "home-based placements (boarding school; own room)".
ASSUMPTION: staircase.csv lists boarding school and own room under step 6, but a case prices a
step at one price; step 5 (foster care) is the nearest less intrusive priced step."""

PUBLISHED_TOLERANCE_DKK = 200_000.0
"""How far the case may be from each published figure. The figures are published to 0.1 mio
DKK, two of them with "more than" / "just under", so 0.1 mio is their own precision; the case's
inputs are rounded too (phase shares to 0.01, changes per success to 0.005) and its prices pass
an illustrative price index. 0.2 mio DKK is two units of the published rounding: 3 % of the
6.7 mio final saving, 5 % of the 3.7 mio midterm, 20 % of the +1 mio home-based change (where
a relative 5 % would be tighter than the published rounding itself)."""


@dataclass(frozen=True, kw_only=True)
class PublishedFigure:
    """One published figure in DKK (2014 prices are assumed for the published amounts)."""

    key: str
    figure: str
    published_dkk: float
    first_year: int
    last_year: int
    source: str


PUBLISHED: tuple[PublishedFigure, ...] = (
    PublishedFigure(key="investment_per_year", figure="Investment in the extra caseworkers, per year",
                    published_dkk=2_000_000.0, first_year=2013, last_year=2015,
                    source="herning_published.csv row 2: KORA midterm evaluation (2015)"),
    PublishedFigure(key="saving_midterm", figure="Savings on placements at the midterm",
                    published_dkk=3_700_000.0, first_year=2013, last_year=2014,
                    source="herning_published.csv row 4: KORA news 2015"),
    PublishedFigure(key="saving_final", figure="Savings on placements at the end",
                    published_dkk=6_700_000.0, first_year=2013, last_year=2015,
                    source="herning_published.csv row 5: KORA final evaluation (Dansk Socialrådgiverforening)"),
    PublishedFigure(key="institutions_change", figure="Change in spending on residential institutions",
                    published_dkk=-7_700_000.0, first_year=2013, last_year=2015,
                    source="herning_published.csv row 6: KORA final evaluation ('more than')"),
    PublishedFigure(key="home_based_change", figure="Change in spending on home-based placements",
                    published_dkk=1_000_000.0, first_year=2013, last_year=2015,
                    source="herning_published.csv row 7: KORA final evaluation ('just under')"),
)
"""The published money figures the case reproduces (herning_published.csv rows 2, 4-7)."""

NOT_REPRODUCED: tuple[str, ...] = (
    "row 8, placements -15 %: the case holds changes in child-years, not the pilot's stock of "
    "placements, so it cannot give a share",
    "row 9, no pilot child in an institution at the end of 2015: the case removes 3.3 "
    "child-years a year from step 6 at full effect; that empties the institutions only if the "
    "pilot districts had about 3.3 children there before, which no source gives",
)


@dataclass(frozen=True, kw_only=True)
class PilotFlows:
    """What the figure functions read, for one or many draws.

    ``cost_dkk`` and ``saving_dkk`` (all payers) have shape (draws, horizon);
    ``step_spending_change_dkk[step]`` (Δchild-years × price, all payers) too.
    """

    calendar_years: NDArray[np.int64]
    cost_dkk: NDArray[np.float64]
    saving_dkk: NDArray[np.float64]
    step_spending_change_dkk: dict[int, NDArray[np.float64]]


def pilot_flows(result: CaseResult) -> PilotFlows:
    """The flows of an evaluated case at its base values (one draw)."""
    prices = {p.step: sum(p.dkk_per_child_year.values()) for p in result.case.prices}
    return PilotFlows(
        calendar_years=result.calendar_years,
        cost_dkk=result.cost_by_payer.sum(axis=0)[None, :],
        saving_dkk=result.benefit_by_payer.sum(axis=0)[None, :],
        step_spending_change_dkk={s: (d * prices[s])[None, :] for s, d in result.child_years_by_step.items()},
    )


def pilot_flows_by_draw(case: InvestmentCase, *, draws: int, seed: int | np.random.Generator) -> PilotFlows:
    """The flows of each Monte Carlo draw: the same draws as :func:`simulate_case` with this seed."""
    sampled = sample_inputs(case, draws=draws, seed=seed)
    b = _evaluate_batch(case, sampled or {"_": np.zeros(draws)})
    change: dict[int, NDArray[np.float64]] = {}
    for p in case.prices:
        if p.step in b.delta:
            price = sum(sampled.get(f"prices.{p.step}.{payer}", np.full(draws, v))
                        for payer, v in p.dkk_per_child_year.items())
            change[p.step] = b.delta[p.step] * np.asarray(price).reshape(-1, 1)
    return PilotFlows(calendar_years=case.start_year + np.arange(case.horizon_years),
                      cost_dkk=b.cost.sum(axis=1), saving_dkk=b.benefit.sum(axis=1),
                      step_spending_change_dkk=change)


def _years(flows: PilotFlows, *, first_year: int, last_year: int) -> NDArray[np.bool_]:
    """Boolean mask over the case's years for calendar years first..last (inclusive)."""
    return (flows.calendar_years >= first_year) & (flows.calendar_years <= last_year)


def _step_change(flows: PilotFlows, *, step: int, first_year: int, last_year: int) -> NDArray[np.float64]:
    change = flows.step_spending_change_dkk.get(step)
    if change is None:
        return np.zeros(flows.cost_dkk.shape[0])
    return change[:, _years(flows, first_year=first_year, last_year=last_year)].sum(axis=1)


def investment_dkk_per_year(flows: PilotFlows, *, first_year: int = 2013, last_year: int = 2015) -> NDArray[np.float64]:
    """Mean yearly cost of the case over the years, shape (draws,) (published: row 2)."""
    return flows.cost_dkk[:, _years(flows, first_year=first_year, last_year=last_year)].mean(axis=1)


def saving_midterm_dkk(flows: PilotFlows, *, first_year: int = 2013, last_year: int = 2014) -> NDArray[np.float64]:
    """Gross savings on placements summed over 2013-2014, shape (draws,) (published: row 4)."""
    return flows.saving_dkk[:, _years(flows, first_year=first_year, last_year=last_year)].sum(axis=1)


def saving_final_dkk(flows: PilotFlows, *, first_year: int = 2013, last_year: int = 2015) -> NDArray[np.float64]:
    """Gross savings on placements summed over 2013-2015, shape (draws,) (published: row 5)."""
    return flows.saving_dkk[:, _years(flows, first_year=first_year, last_year=last_year)].sum(axis=1)


def institutions_change_dkk(flows: PilotFlows, *, first_year: int = 2013,
                            last_year: int = 2015) -> NDArray[np.float64]:
    """Change in spending on residential institutions (step 6) over 2013-2015, shape (draws,)
    (published: row 6)."""
    return _step_change(flows, step=INSTITUTION_STEP, first_year=first_year, last_year=last_year)


def home_based_change_dkk(flows: PilotFlows, *, first_year: int = 2013,
                          last_year: int = 2015) -> NDArray[np.float64]:
    """Change in spending on home-based placements (booked on step 5) over 2013-2015, shape
    (draws,) (published: row 7)."""
    return _step_change(flows, step=HOME_BASED_PLACEMENT_STEP, first_year=first_year, last_year=last_year)


FIGURE_FUNCTIONS: dict[str, Callable[..., NDArray[np.float64]]] = {
    "investment_per_year": investment_dkk_per_year,
    "saving_midterm": saving_midterm_dkk,
    "saving_final": saving_final_dkk,
    "institutions_change": institutions_change_dkk,
    "home_based_change": home_based_change_dkk,
}


def compare_published(
    result: CaseResult,
    *,
    tolerance_dkk: float = PUBLISHED_TOLERANCE_DKK,
    draws: PilotFlows | None = None,
) -> pl.DataFrame:
    """Each published figure next to the case's value for it.

    Args:
        result: the evaluated case (its base values give ``case_dkk``).
        tolerance_dkk: how far ``case_dkk`` may be from the published value.
        draws: flows by Monte Carlo draw (:func:`pilot_flows_by_draw`); adds each figure's
            5th and 95th percentile across the draws.

    Returns:
        One row per figure of :data:`PUBLISHED`: figure, period, published_dkk, case_dkk,
        difference_dkk (case − published), difference_pct, within_tolerance, source; with
        ``draws`` also case_p5_dkk, case_p95_dkk.
    """
    base = pilot_flows(result)
    rows = []
    for f in PUBLISHED:
        fn = FIGURE_FUNCTIONS[f.key]
        value = float(fn(base, first_year=f.first_year, last_year=f.last_year)[0])
        diff = value - f.published_dkk
        row: dict[str, object] = {
            "figure": f.figure, "period": f"{f.first_year}-{f.last_year}",
            "published_dkk": f.published_dkk, "case_dkk": value, "difference_dkk": diff,
            "difference_pct": 100.0 * diff / abs(f.published_dkk),
            "within_tolerance": abs(diff) <= tolerance_dkk, "source": f.source,
        }
        if draws is not None:
            p5, p95 = np.percentile(fn(draws, first_year=f.first_year, last_year=f.last_year), [5, 95])
            row["case_p5_dkk"], row["case_p95_dkk"] = float(p5), float(p95)
        rows.append(row)
    return pl.DataFrame(rows)
