"""Types of the forecast: the state space, the estimated model, scenarios and projections.

Every public result type here is AGGREGATE: counts of children per state per month, and
costs. No type carries a child id or a per-child value, so no function of this package can
return a prediction for a named child (tests/forecast/test_aggregate_only.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

import numpy as np
import polars as pl
from numpy.typing import NDArray
from pydantic import ConfigDict, Field

from trappen._validation import Finite, StepKey, StrictModel
from trappen.errors import InvalidInput

AGE_BAND_EDGES_YEARS: tuple[int, ...] = (0, 6, 12, 15, 18, 23)
"""Lower edges of the age bands (years): 0-5, 6-11, 12-14, 15-17, 18-22 (aftercare), 23+.

The last two bands are structural: at 18 a child leaves the staircase for aftercare or for good
(Barnets Lov § 2: a child is under 18; aftercare §§ 114-116 until the 23rd birthday)."""

DURATION_BAND_EDGES_MONTHS: tuple[int, ...] = (0, 6, 24)
"""Lower edges of the time-on-state bands in months: <6, 6-23, 24+."""

ADULT_MONTHS = 18 * 12
"""Age in months at which a child turns 18 (Barnets Lov § 2)."""

AFTERCARE_END_MONTHS = 23 * 12
"""Age in months at which aftercare ends at the latest (Barnets Lov § 114: until 23)."""

MAX_START_DURATION = DURATION_BAND_EDGES_MONTHS[-1]
"""Durations at or above the top band edge are stored as this value in start populations."""


@dataclass(frozen=True, kw_only=True)
class StateSpace:
    """The states of the Markov model for a staircase of ``top`` steps.

    ``0`` = not on the staircase, ``1..top`` = the steps, then three absorbing or adult states:
    ``left`` (moved out of the municipality before 18), ``aftercare`` (18-22 with support) and
    ``ended`` (18 without aftercare, or aftercare ended / turned 23).
    """

    top: int

    @property
    def size(self) -> int:
        return self.top + 4

    @property
    def left(self) -> int:
        return self.top + 1

    @property
    def aftercare(self) -> int:
        return self.top + 2

    @property
    def ended(self) -> int:
        return self.top + 3

    @property
    def steps(self) -> tuple[int, ...]:
        return tuple(range(1, self.top + 1))

    @property
    def labels(self) -> tuple[str, ...]:
        return ("not_on_staircase", *(f"step_{s}" for s in self.steps),
                "left_municipality", "aftercare", "ended")

    def allowed(self) -> NDArray[np.bool_]:
        """Which transitions the model allows, shape (age_bands, states, states).

        Under 18: between 0..top and to ``left``; 18-22: from 0..top to ``aftercare`` or
        ``ended``, ``aftercare`` stays or ends; 23+: everything still active ends. Absorbing
        states (and states impossible in a band) stay put.
        """
        a_n, s_n = len(AGE_BAND_EDGES_YEARS), self.size
        ok = np.zeros((a_n, s_n, s_n), dtype=bool)
        active = np.arange(self.top + 1)
        for a in range(a_n):
            ok[a, np.arange(s_n), np.arange(s_n)] = True  # default: stay
        for a in range(a_n - 2):  # children
            ok[a][np.ix_(active, np.r_[active, self.left])] = True
        adult = a_n - 2
        ok[adult][np.ix_(active, active)] = False
        ok[adult][np.ix_(active, [self.aftercare, self.ended])] = True
        ok[adult, self.aftercare, self.ended] = True
        old = a_n - 1
        ok[old][np.ix_(active, active)] = False
        ok[old, active, self.ended] = True
        ok[old, self.aftercare, self.aftercare] = False
        ok[old, self.aftercare, self.ended] = True
        return ok


def age_band_of_month(max_age_months: int) -> NDArray[np.intp]:
    """Band index of a transition by the age (in months) at the END of the month, for ages
    ``0..max_age_months-1`` at the start: index ``a`` gives ``band(a + 1)``."""
    edges = np.array(AGE_BAND_EDGES_YEARS) * 12
    return np.searchsorted(edges, np.arange(1, max_age_months + 1), side="right") - 1


def duration_band_of_month(max_months: int) -> NDArray[np.intp]:
    """Band index of time already spent in the state, for ``0..max_months-1`` months."""
    edges = np.array(DURATION_BAND_EDGES_MONTHS)
    return np.searchsorted(edges, np.arange(max_months), side="right") - 1


@dataclass(frozen=True, kw_only=True)
class TransitionModel:
    """A fitted monthly Markov model of children on the staircase (aggregate only).

    Shapes use A = age bands (:data:`AGE_BAND_EDGES_YEARS`), D = duration bands
    (:data:`DURATION_BAND_EDGES_MONTHS`), S = states (:class:`StateSpace`).

    Attributes:
        states: the state space (N = number of steps of the staircase the model was fitted on).
        cutoff: the last day of data used; month 0 of every projection.
        counts: observed transitions, NDArray[np.float64] of shape (A, D, S, S).
        alpha: Dirichlet posterior parameters (prior + counts), shape (A, D, S, S); zero where
            a transition is not allowed.
        transition: posterior mean P[a, d, s, t] = alpha / alpha.sum(-1), shape (A, D, S, S);
            every row sums to 1. ``p_move_per_month`` from ``s`` to ``t``.
        start: children at the cut-off by age in months (0..275), months already in the state
            (0..24, 24 = 24 or more) and state, NDArray[np.float64] of shape (276, 25, S).
        arrivals_per_month: expected children arriving (born, moving in, first looked after)
            per month by age in months and state in their first month, shape (216, S).
        entrants_per_1000_per_year: children entering the staircase from state 0 per 1,000
            children not on it, per year, by age 0..17, shape (18,).
        cost_dkk_per_day: cost of a child-day in each state, shape (S,).
        caseload_baseline: children per caseworker FTE at the cut-off (None = unknown).
        caseload_elasticity: e in factor = (caseload_new / caseload_old) ** e on moves up into a
            placement step (and its inverse on moves down out of one).
        caseload_source: where the elasticity comes from.
        placement_steps: the staircase's placement (out-of-home) steps.
        unregistered_children: children from the population table with no row in the register,
            added to state 0 (0 when the population table is empty).
        arrivals_observed: arrivals counted in the 12 months up to the cut-off, on which
            ``arrivals_per_month`` rests: the rate's Gamma(n + 1/2) posterior (Jeffreys prior)
            gives each replicate of the simulation its own arrival rate. 0 = the rate is taken
            as known.
        arrivals_dispersion: phi of the monthly arrival counts over the window (variance =
            mean + phi * mean**2): each simulated month's arrivals are Poisson with a
            Gamma-distributed rate of that extra variance; 0 = plain Poisson.
    """

    states: StateSpace
    cutoff: date
    counts: NDArray[np.float64]
    alpha: NDArray[np.float64]
    transition: NDArray[np.float64]
    start: NDArray[np.float64]
    arrivals_per_month: NDArray[np.float64]
    entrants_per_1000_per_year: NDArray[np.float64]
    cost_dkk_per_day: NDArray[np.float64]
    caseload_baseline: float | None = None
    caseload_elasticity: float = 0.0
    caseload_source: str = ""
    unregistered_children: int = 0
    placement_steps: tuple[int, ...] = ()
    arrivals_observed: float = 0.0
    arrivals_dispersion: float = 0.0

    def extra_caseworkers(self, caseload_per_caseworker: float) -> tuple[float, float] | None:
        """Caseworker FTEs needed at ``caseload_per_caseworker`` beyond those at the baseline
        caseload, for the children on the staircase at the cut-off, and that number of
        children; None when the baseline caseload is unknown. Negative: fewer are needed."""
        if not self.caseload_baseline:
            return None
        children = float(self.start[:, :, 1:self.states.top + 1].sum())
        return children / caseload_per_caseworker - children / self.caseload_baseline, children

    def transition_frame(self) -> pl.DataFrame:
        """The posterior mean and counts as a long frame (age band, duration band, from, to)."""
        a, d, s, t = np.nonzero(self.alpha > 0)
        labels = np.array(self.states.labels)
        return pl.DataFrame({
            "age_band_from_years": np.array(AGE_BAND_EDGES_YEARS)[a],
            "duration_band_from_months": np.array(DURATION_BAND_EDGES_MONTHS)[d],
            "from_state": labels[s], "to_state": labels[t],
            "count": self.counts[a, d, s, t], "p_move_per_month": self.transition[a, d, s, t],
        })


@dataclass(frozen=True, kw_only=True)
class RateAdjustment:
    """A change to one monthly transition rate: ``p[from, to] * multiply + add`` (``add`` in
    probability per month, e.g. 0.01 = one more child in a hundred each month), in every age
    and duration band where the move is allowed, never below 0; the probability of staying
    absorbs the change, so each row still sums to 1 (the row's moves are scaled down together
    if they would pass 1). States: 0 = not on the staircase, 1..N the steps, N + 1 = moved
    out of the municipality (as ``to_state`` only)."""

    from_state: int
    to_state: int
    multiply: float = 1.0
    add: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """Levers a leader can pull. The default is the baseline (nothing changed).

    Attributes:
        name: label in outputs.
        caseload_per_caseworker: target children per caseworker FTE; None = unchanged.
        closed_steps: steps closed from month 1: flows into them go to the nearest open step
            (the lower one on a tie: closer to everyday life), children on them move at month 0.
        step_caps: (step, places) pairs: at most this many children on the step; each month,
            children moving onto a full step beyond its places go to the nearest open step
            instead (children already there stay). In TOML: ``[step_caps]`` with ``6 = 40``.
        entrant_rate_change_pct: change in moves from state 0 onto the staircase (notifications
            that lead to support), e.g. +10.
        population_growth_pct_per_year: growth of arrivals (births and moving in) per year.
        exit_rate_change_pct: change in moves from a step off the staircase (to state 0), e.g.
            -10 for children staying longer.
        rate_adjustments: changes to any transition rate (:class:`RateAdjustment`), applied
            after the other levers. In TOML: ``[[rate_adjustments]]`` with ``from_state``,
            ``to_state``, ``multiply`` and/or ``add``.
    """

    name: str = "baseline"
    caseload_per_caseworker: float | None = None
    closed_steps: tuple[int, ...] = ()
    step_caps: tuple[tuple[int, int], ...] = ()
    entrant_rate_change_pct: float = 0.0
    population_growth_pct_per_year: float = 0.0
    exit_rate_change_pct: float = 0.0
    rate_adjustments: tuple[RateAdjustment, ...] = ()

    @classmethod
    def from_toml(cls, path: Path | str) -> Scenario:
        """Read a scenario from a TOML file with the field names as keys (at the top level or in
        a ``[scenario]`` table); the name defaults to the file's stem.

        Raises:
            InvalidInput: not TOML, or an unknown key or a bad value: every problem, each
                naming its key and value, with the file as ``table``.
        """
        from pydantic import ValidationError

        from trappen._config import parse_toml
        from trappen._validation import problems_from

        path = Path(path)
        data = parse_toml(path.read_text(encoding="utf-8"), field="scenario", value=str(path))
        data = data.get("scenario", data)
        try:
            m = _ScenarioFile.model_validate(data)
        except ValidationError as exc:
            messages = {"*:extra_forbidden": "unknown scenario key"}
            raise InvalidInput(problems_from(exc, data, messages=messages, table=str(path), root="scenario")) from None
        return cls(
            name=m.name if m.name is not None else path.stem,
            caseload_per_caseworker=m.caseload_per_caseworker,
            closed_steps=tuple(m.closed_steps),
            step_caps=tuple(sorted((int(k), v) for k, v in m.step_caps.items())),
            entrant_rate_change_pct=m.entrant_rate_change_pct,
            population_growth_pct_per_year=m.population_growth_pct_per_year,
            exit_rate_change_pct=m.exit_rate_change_pct,
            rate_adjustments=tuple(RateAdjustment(**a.model_dump()) for a in m.rate_adjustments),
        )


class _RateAdjustmentFile(StrictModel):
    model_config = ConfigDict(extra="forbid")

    from_state: Annotated[int, Field(ge=0)]
    to_state: Annotated[int, Field(ge=0)]
    multiply: Annotated[Finite, Field(ge=0)] = 1.0
    add: Annotated[Finite, Field(ge=-1, le=1)] = 0.0


class _ScenarioFile(StrictModel):
    """The keys of a scenario file (see :class:`Scenario`); unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    caseload_per_caseworker: Annotated[Finite, Field(gt=0)] | None = None
    closed_steps: list[int] = []
    step_caps: dict[StepKey, Annotated[int, Field(ge=0)]] = {}
    entrant_rate_change_pct: Finite = 0.0
    population_growth_pct_per_year: Finite = 0.0
    exit_rate_change_pct: Annotated[Finite, Field(ge=-100)] = 0.0
    rate_adjustments: list[_RateAdjustmentFile] = []


@dataclass(frozen=True, kw_only=True)
class Projection:
    """Children per state per month (and costs) over a horizon: aggregate only.

    Months are ``0..M`` (0 = the cut-off). ``S`` = states of the model.

    Attributes:
        scenario: the scenario projected.
        labels: state labels, length S.
        month_dates: the day each month ends on, length M + 1.
        mean: mean children per state per month, NDArray[np.float64] shape (M + 1, S).
        p10, p50, p90: quantiles over replicates, shape (M + 1, S); equal to ``mean`` for the
            expected engine.
        redirected: children per month whose move went to a closed step and was sent to this
            state instead (mean), shape (M + 1, S).
        cost_dkk_per_month: mean cost per state per month, shape (M + 1, S).
        total_cost_dkk_p10, total_cost_dkk_p50, total_cost_dkk_p90: quantiles of the total cost
            per month, shape (M + 1,).
        replicates: number of replicates (0 = expected engine).
        seed: the seed used (None for the expected engine).
    """

    scenario: Scenario
    labels: tuple[str, ...]
    month_dates: tuple[date, ...]
    mean: NDArray[np.float64]
    p10: NDArray[np.float64]
    p50: NDArray[np.float64]
    p90: NDArray[np.float64]
    redirected: NDArray[np.float64]
    cost_dkk_per_month: NDArray[np.float64]
    total_cost_dkk_p10: NDArray[np.float64]
    total_cost_dkk_p50: NDArray[np.float64]
    total_cost_dkk_p90: NDArray[np.float64]
    replicates: int = 0
    seed: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def months(self) -> int:
        return self.mean.shape[0] - 1

    def to_frame(self) -> pl.DataFrame:
        """Long frame: scenario, month, month_end, state, mean, p10, p50, p90, redirected,
        cost_dkk (mean cost of the month)."""
        m_n, s_n = self.mean.shape
        month = np.repeat(np.arange(m_n), s_n)
        return pl.DataFrame({
            "scenario": [self.scenario.name] * (m_n * s_n),
            "month": month,
            "month_end": pl.Series([self.month_dates[i] for i in month], dtype=pl.Date),
            "state": list(self.labels) * m_n,
            "mean": self.mean.ravel(), "p10": self.p10.ravel(), "p50": self.p50.ravel(),
            "p90": self.p90.ravel(), "redirected": self.redirected.ravel(),
            "cost_dkk": self.cost_dkk_per_month.ravel(),
        })

    def child_years(self) -> pl.DataFrame:
        """Mean child-years on each step per calendar year of the projection (months 1..M, each
        month a twelfth of a year, counted in the year its last day falls in): columns
        ``year``, ``step``, ``child_years`` (the input of an investment case's effect (a))."""
        steps = [i for i, label in enumerate(self.labels) if label.startswith("step_")]
        years = np.array([d.year for d in self.month_dates[1:]])
        rows = [(int(y), int(self.labels[s].removeprefix("step_")), float(self.mean[1:][years == y, s].sum() / 12.0))
                for y in np.unique(years) for s in steps]
        return pl.DataFrame(rows, schema={"year": pl.Int64, "step": pl.Int64, "child_years": pl.Float64},
                            orient="row")

    def cost_per_year(self) -> pl.DataFrame:
        """Mean cost per state per projection year (months 1-12 = year 1, ...)."""
        frame = self.to_frame().filter(pl.col("month") > 0)
        return (frame.with_columns(((pl.col("month") - 1) // 12 + 1).alias("year"))
                .group_by("scenario", "year", "state").agg(pl.col("cost_dkk").sum())
                .sort("year", "state"))
