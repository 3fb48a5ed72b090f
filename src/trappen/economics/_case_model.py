"""The investment case's inputs: frozen dataclasses and :func:`validate_case`.

Timing convention (documented in docs/economics.md):
    * Year index ``t = 0 .. horizon_years - 1``; year 0 is the first year of the investment
      (calendar year ``start_year``). All flows of a year are booked at the end of that year
      and year 0 is *not* discounted: ``factor[0] = 1``, ``factor[t] = factor[t-1] / (1 + r_t)``
      where ``r_t`` is the schedule's rate for year ``t``. With a constant rate this is
      ``(1 + r) ** -t``, the convention of ``numpy_financial.npv``.
    * Amounts are real, in the case's ``price_year``. Prices given in another price year are
      converted with the price index (:mod:`trappen.economics._prices`).
    * Effects are changes in child-years per step (negative = fewer child-years = a saving).

Every uncertain input is a scalar addressed by a *path* (``"effect.success_rate_with"``,
``"costs.Extra caseworkers.dkk_per_fte_per_year"``, ``"prices.5.municipality"``); the
evaluator takes optional overrides per path as arrays over draws, so deterministic runs,
Monte Carlo and the tornado share one vectorised function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from trappen.errors import ProblemCollector

PAYERS = ("municipality", "region", "state")
"""Who pays or saves, as in Socialstyrelsen's SØM (kommune, region, stat)."""

DEFAULT_HORIZON_YEARS = 10

DEFAULT_DISCOUNT_RATE_PER_YEAR = 0.035
"""Real social discount rate for years 0-35. Source: Finansministeriet, Dokumentationsnotat –
den samfundsøkonomiske diskonteringsrente (2021): 3.5 % for years 0-35, 2.5 % for 36-70,
1.5 % after 70."""

DISCOUNT_SOURCE = ("Finansministeriet, Dokumentationsnotat – den samfundsøkonomiske "
                   "diskonteringsrente (2021)")

DEFAULT_DISCOUNT_SCHEDULE: tuple[tuple[int, int, float], ...] = (
    (0, 35, 0.035),  # Finansministeriet (2021), years 0-35
    (36, 70, 0.025),  # Finansministeriet (2021), years 36-70
    (71, 200, 0.015),  # Finansministeriet (2021), after year 70
)

DISTRIBUTIONS = ("normal", "triangular", "uniform", "lognormal")
MAX_HORIZON_YEARS = 200


# ----------------------------------------------------------------------------- inputs
@dataclass(frozen=True, kw_only=True)
class Distribution:
    """Uncertainty of one scalar input.

    ``kind`` is one of normal (mean, sd), triangular (low, mode, high), uniform (low, high),
    lognormal (mu, sigma of the underlying normal). ``params`` holds those names.
    """

    kind: str
    params: Mapping[str, float]

    def central(self) -> float:
        """The value used when none is given: mean, mode, midpoint, or median (lognormal)."""
        p = self.params
        if self.kind == "normal":
            return p["mean"]
        if self.kind == "triangular":
            return p["mode"]
        if self.kind == "uniform":
            return (p["low"] + p["high"]) / 2
        return math.exp(p["mu"])

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        """``size`` draws; zero-width distributions return the constant without using ``rng``."""
        p = self.params
        if self.kind == "normal":
            return rng.normal(p["mean"], p["sd"], size) if p["sd"] > 0 else np.full(size, p["mean"])
        if self.kind == "triangular":
            if p["high"] == p["low"]:
                return np.full(size, p["mode"])
            return rng.triangular(p["low"], p["mode"], p["high"], size)
        if self.kind == "uniform":
            if p["high"] == p["low"]:
                return np.full(size, p["low"])
            return rng.uniform(p["low"], p["high"], size)
        if p["sigma"] == 0:
            return np.full(size, math.exp(p["mu"]))
        return rng.lognormal(p["mu"], p["sigma"], size)

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (used for tornado low/high)."""
        from scipy import stats

        p = self.params
        if self.kind == "normal":
            return float(stats.norm.ppf(q, p["mean"], p["sd"])) if p["sd"] > 0 else p["mean"]
        if self.kind == "triangular":
            width = p["high"] - p["low"]
            if width == 0:
                return p["mode"]
            c = (p["mode"] - p["low"]) / width
            return float(stats.triang.ppf(q, c, loc=p["low"], scale=width))
        if self.kind == "uniform":
            return p["low"] + q * (p["high"] - p["low"])
        return float(math.exp(p["mu"] + p["sigma"] * stats.norm.ppf(q))) if p["sigma"] > 0 \
            else math.exp(p["mu"])


@dataclass(frozen=True, kw_only=True)
class CostItem:
    """One cost line: either ``fte × dkk_per_fte_per_year`` or ``dkk`` per year.

    ``fte_per_year`` / ``dkk_per_year`` have shape (horizon,); years not listed are zero.
    """

    name: str
    payer: str
    dkk_per_year: tuple[float, ...] = ()
    fte_per_year: tuple[float, ...] = ()
    dkk_per_fte_per_year: float = 0.0
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class StepPrice:
    """Price of one child-year on a step, split by payer, in ``price_year`` prices."""

    step: int
    dkk_per_child_year: Mapping[str, float]
    price_year: int
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class ShiftEffect:
    """Effect (a): change in child-years per step and year, scenario minus baseline.

    ``child_years_by_step[step]`` has shape (horizon,); negative = fewer child-years.
    ``scale`` multiplies the whole shift (1 = as given); break-even solves for it.
    """

    child_years_by_step: Mapping[int, tuple[float, ...]]
    scale: float = 1.0
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class SomEffect:
    """Effect (b), SØM style: participants × net success rate × change per success.

    ``participants_per_year`` has shape (horizon,). ``use_change_per_success[step]`` is the
    change in child-years on ``step`` per successful child per year of effect (negative =
    fewer). ``phase_in`` gives the share of the full effect in years 0, 1, ...; later years
    use 1. ``fading_per_year`` shrinks the effect by that share each year from
    ``fading_from_year``.
    """

    participants_per_year: tuple[float, ...]
    success_rate_with: float
    success_rate_without: float
    use_change_per_success: Mapping[int, float]
    phase_in: tuple[float, ...] = ()
    fading_per_year: float = 0.0
    fading_from_year: int = 0
    source: str = ""

    @property
    def net_success_rate(self) -> float:
        return self.success_rate_with - self.success_rate_without


@dataclass(frozen=True, kw_only=True)
class DecisionRule:
    """A council's rule, e.g. Herning's "earn back after 2 years, a surplus after 4".

    Met when the annual net result of year index ``earn_back_after_years`` (the first year
    after that many full years) is > 0, and the cumulative net result at the end of year
    number ``surplus_after_years`` (index ``surplus_after_years - 1``) is > 0. Cumulative is
    undiscounted unless ``discounted`` (budgets are not discounted). Either part may be None.
    """

    name: str
    earn_back_after_years: int | None = None
    surplus_after_years: int | None = None
    discounted: bool = False
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class InvestmentCase:
    """All inputs of one investment case. See the module docstring for conventions."""

    name: str
    price_year: int
    start_year: int
    horizon_years: int = DEFAULT_HORIZON_YEARS
    discount_schedule: tuple[tuple[int, int, float], ...] = DEFAULT_DISCOUNT_SCHEDULE
    discount_source: str = DISCOUNT_SOURCE
    costs: tuple[CostItem, ...] = ()
    prices: tuple[StepPrice, ...] = ()
    effect: ShiftEffect | SomEffect | None = None
    decision_rule: DecisionRule | None = None
    uncertain: Mapping[str, Distribution] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        validate_case(self)

    def base_values(self) -> dict[str, float]:
        """Every scalar path that may carry uncertainty, with its base value."""
        values: dict[str, float] = {}
        for c in self.costs:
            if c.fte_per_year:
                values[f"costs.{c.name}.dkk_per_fte_per_year"] = c.dkk_per_fte_per_year
            if len(set(c.fte_per_year)) == 1 and len(c.fte_per_year) == self.horizon_years:
                values[f"costs.{c.name}.fte"] = c.fte_per_year[0]
            if len(set(c.dkk_per_year)) == 1 and len(c.dkk_per_year) == self.horizon_years:
                values[f"costs.{c.name}.dkk"] = c.dkk_per_year[0]
        for p in self.prices:
            for payer, v in p.dkk_per_child_year.items():
                values[f"prices.{p.step}.{payer}"] = v
        e = self.effect
        if isinstance(e, SomEffect):
            values["effect.success_rate_with"] = e.success_rate_with
            values["effect.success_rate_without"] = e.success_rate_without
            values["effect.fading_per_year"] = e.fading_per_year
            for s, v in e.use_change_per_success.items():
                values[f"effect.use_change_per_success.{s}"] = v
            if len(set(e.participants_per_year)) == 1:
                values["effect.participants"] = e.participants_per_year[0]
        elif isinstance(e, ShiftEffect):
            values["effect.scale"] = e.scale
        return values


def validate_case(case: InvestmentCase) -> None:
    """Check a case; raise :class:`InvalidInput` naming every bad key and value."""
    bad = ProblemCollector()
    h = case.horizon_years
    if not isinstance(h, int) or isinstance(h, bool) or not 1 <= h <= MAX_HORIZON_YEARS:
        bad.add(field="horizon_years", value=h,
                message=f"must be a whole number of years from 1 to {MAX_HORIZON_YEARS}")
        bad.raise_if_any()
    _check_schedule(case.discount_schedule, h, bad)
    names = set()
    for c in case.costs:
        where = f"costs.{c.name}"
        if c.name in names:
            bad.add(field=f"{where}.name", value=c.name, message="cost names must be unique")
        names.add(c.name)
        if c.payer not in PAYERS:
            bad.add(field=f"{where}.payer", value=c.payer, message=f"must be one of {PAYERS}")
        if bool(c.fte_per_year) == bool(c.dkk_per_year):
            bad.add(field=where, value=None, message="give either fte (with dkk_per_fte_per_year) or dkk")
        for key, arr in (("fte", c.fte_per_year), ("dkk", c.dkk_per_year)):
            if len(arr) > h:
                bad.add(field=f"{where}.{key}", value=list(arr),
                        message=f"has {len(arr)} years but the horizon is {h}")
            if key == "fte" and any(v < 0 or not math.isfinite(v) for v in arr):
                bad.add(field=f"{where}.fte", value=list(arr), message="FTEs must not be negative")
            if any(not math.isfinite(v) for v in arr):
                bad.add(field=f"{where}.{key}", value=list(arr), message="must be finite numbers")
        if c.fte_per_year and not c.dkk_per_fte_per_year > 0:
            bad.add(field=f"{where}.dkk_per_fte_per_year", value=c.dkk_per_fte_per_year,
                    message="must be a positive annual cost per FTE")
    steps_priced = set()
    for p in case.prices:
        where = f"prices.{p.step}"
        if p.step in steps_priced:
            bad.add(field=where, value=p.step, message="a step is priced twice")
        steps_priced.add(p.step)
        if not isinstance(p.price_year, int) or isinstance(p.price_year, bool):
            bad.add(field=f"{where}.price_year", value=p.price_year, message="every price needs its price year")
        for payer, v in p.dkk_per_child_year.items():
            if payer not in PAYERS:
                bad.add(field=f"{where}.{payer}", value=payer, message=f"payer must be one of {PAYERS}")
            elif not (math.isfinite(v) and v >= 0):
                bad.add(field=f"{where}.{payer}", value=v, message="a price must be >= 0")
    e = case.effect
    used_steps: set[int] = set()
    if isinstance(e, SomEffect):
        for key in ("success_rate_with", "success_rate_without"):
            v = getattr(e, key)
            if not 0 <= v <= 1:
                bad.add(field=f"effect.{key}", value=v, message="a rate must be between 0 and 1")
        if any(v < 0 or not math.isfinite(v) for v in e.participants_per_year):
            bad.add(field="effect.participants", value=list(e.participants_per_year),
                    message="participants must not be negative")
        if len(e.participants_per_year) > h:
            bad.add(field="effect.participants", value=list(e.participants_per_year),
                    message=f"has {len(e.participants_per_year)} years but the horizon is {h}")
        if any(not 0 <= v <= 1 for v in e.phase_in):
            bad.add(field="effect.phase_in", value=list(e.phase_in), message="shares must be between 0 and 1")
        if not 0 <= e.fading_per_year <= 1:
            bad.add(field="effect.fading_per_year", value=e.fading_per_year, message="must be between 0 and 1")
        used_steps = set(e.use_change_per_success)
    elif isinstance(e, ShiftEffect):
        for s, arr in e.child_years_by_step.items():
            if len(arr) > h:
                bad.add(field=f"effect.child_years.{s}", value=list(arr),
                        message=f"has {len(arr)} years but the horizon is {h}")
        used_steps = set(e.child_years_by_step)
    for s in sorted(used_steps - steps_priced):
        bad.add(field=f"prices.{s}", value=None, message=f"the effect changes step {s} but it has no price")
    if case.decision_rule is not None:
        r = case.decision_rule
        for key in ("earn_back_after_years", "surplus_after_years"):
            v = getattr(r, key)
            if v is not None and not 0 <= v <= h:
                bad.add(field=f"decision_rule.{key}", value=v, message=f"must be within the horizon 0..{h}")
        if r.earn_back_after_years is not None and r.earn_back_after_years >= h:
            bad.add(field="decision_rule.earn_back_after_years", value=r.earn_back_after_years,
                    message=f"must leave a year inside the horizon of {h}")
    if bad.problems:
        bad.raise_if_any()
    known = case.base_values()
    for path, dist in case.uncertain.items():
        if path not in known:
            bad.add(field=path, value=dist.kind, message="this input cannot carry a distribution "
                    "(only scalars given the same in every year)")
    bad.raise_if_any()


def _check_schedule(schedule: tuple[tuple[int, int, float], ...], horizon: int,
                    bad: ProblemCollector) -> None:
    if not schedule:
        bad.add(field="discount_schedule", value=[], message="needs at least one period")
        return
    expected = 0
    for i, (first, last, rate) in enumerate(schedule):
        where = f"discount_schedule[{i}]"
        if first != expected:
            kind = "a gap" if first > expected else "an overlap"
            bad.add(field=f"{where}.from_year", value=first,
                    message=f"{kind}: the period should start at year {expected}")
        if last < first:
            bad.add(field=f"{where}.to_year", value=last, message="ends before it starts")
        if not (math.isfinite(rate) and -1 < rate < 1):
            bad.add(field=f"{where}.rate_per_year", value=rate, message="must be a share, e.g. 0.035")
        expected = last + 1
    if expected < horizon:
        bad.add(field="discount_schedule", value=expected - 1,
                message=f"ends at year {expected - 1} but the horizon needs years 0..{horizon - 1}")
