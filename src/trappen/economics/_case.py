"""The investment case: inputs as frozen dataclasses, loaded from TOML, evaluated with NumPy.

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

import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from trappen.errors import InvalidInput, Problem, ProblemCollector

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


# ----------------------------------------------------------------------------- TOML
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: object, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(Problem(field=where, value=value, message="must be a finite number"))
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are valid TOML basic strings
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v, f"{where}[{i}]") for i, v in enumerate(value)) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v, f'{where}.{k}')}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise InvalidInput(Problem(field=where, value=repr(value), message="cannot be written as TOML"))


def case_to_toml(data: Mapping[str, object]) -> str:
    """Write a case dict (the keys :func:`case_from_dict` reads) as TOML text.

    Tables become ``[table]`` sections, lists of tables at the top level ``[[table]]``; other
    values are written inline. ``tomllib.loads(case_to_toml(d)) == d`` for any such dict.

    Raises:
        InvalidInput: a value TOML cannot hold (None, NaN), named by its key path.
    """
    lines: list[str] = []

    def is_table_list(v: object) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(x, Mapping) for x in v)

    def table(prefix: str, body: Mapping[str, object], *, top: bool) -> None:
        for k, v in body.items():
            if not isinstance(v, Mapping) and not (top and is_table_list(v)):
                lines.append(f"{_toml_key(str(k))} = {_toml_value(v, f'{prefix}{k}')}")
        for k, v in body.items():
            if isinstance(v, Mapping):
                name = f"{prefix}{_toml_key(str(k))}"
                lines.extend(["", f"[{name}]"])
                table(name + ".", v, top=False)
        for k, v in body.items():
            if top and is_table_list(v):
                for item in v:  # type: ignore[union-attr]
                    lines.extend(["", f"[[{_toml_key(str(k))}]]"])
                    table(f"{_toml_key(str(k))}.", item, top=False)

    table("", data, top=True)
    return "\n".join(lines).lstrip("\n") + "\n"


def load_case(path: Path | str, *, price_index: Mapping[int, float] | None = None) -> InvestmentCase:
    """Load an investment case from a TOML file.

    Prices in another price year than the case's are converted with ``price_index`` (default:
    the shipped illustrative index, :func:`trappen.economics.default_price_index`).

    Raises:
        InvalidInput: the file is not TOML, or a key is missing or bad; the message names it.
        FileNotFoundError: no such file.
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(Problem(field="(file)", value=str(p), message=f"not valid TOML: {exc}")) from None
    return case_from_dict(data, price_index=price_index)


def case_from_dict(data: Mapping[str, object], *,
                   price_index: Mapping[int, float] | None = None) -> InvestmentCase:
    """Build a case from parsed TOML (the same keys as the file). See :func:`load_case`."""
    from trappen.economics._prices import convert_price_year, default_price_index

    bad = ProblemCollector()
    uncertain: dict[str, Distribution] = {}
    reader = _Reader(bad, uncertain)
    case_t = reader.table(data, "case")
    horizon = reader.int_(case_t, "horizon_years", "case", default=DEFAULT_HORIZON_YEARS)
    price_year = reader.int_(case_t, "price_year", "case")
    start_year = reader.int_(case_t, "start_year", "case", default=price_year)
    if horizon is not None and not 1 <= horizon <= MAX_HORIZON_YEARS:
        bad.add(field="case.horizon_years", value=horizon,
                message=f"must be a whole number of years from 1 to {MAX_HORIZON_YEARS}")
    bad.raise_if_any()
    assert horizon is not None and price_year is not None and start_year is not None

    schedule = DEFAULT_DISCOUNT_SCHEDULE
    discount_source = DISCOUNT_SOURCE
    if "discount" in data:
        disc = reader.table(data, "discount")
        discount_source = str(disc.get("source", ""))
        periods = disc.get("periods")
        if not isinstance(periods, list) or not periods:
            bad.add(field="discount.periods", value=periods,
                    message="needs a list of {from_year, to_year, rate_per_year}")
        else:
            rows = []
            for i, row in enumerate(periods):
                where = f"discount.periods[{i}]"
                if not isinstance(row, dict):
                    bad.add(field=where, value=row, message="must be a table")
                    continue
                a = reader.int_(row, "from_year", where)
                b = reader.int_(row, "to_year", where)
                r = reader.number(row, "rate_per_year", where)
                if a is not None and b is not None and r is not None:
                    rows.append((a, b, r))
            schedule = tuple(rows)

    index = price_index if price_index is not None else default_price_index()
    costs = []
    for i, raw in enumerate(_list(data, "costs", bad)):
        where = f"costs[{i}]"
        name = str(raw.get("name", where))
        cwhere = f"costs.{name}"
        payer = str(raw.get("payer", "municipality"))
        fte = reader.per_year(raw, "fte", cwhere, horizon, fill_scalar=True)
        dkk = reader.per_year(raw, "dkk", cwhere, horizon, fill_scalar=True)
        dkk_per_fte = reader.number(
            raw, "dkk_per_fte_per_year", cwhere, default=0.0, uncertain_path=f"{cwhere}.dkk_per_fte_per_year"
        )
        cost_year = reader.int_(raw, "price_year", cwhere, default=price_year)
        factor = _factor(convert_price_year, index, cost_year, price_year, cwhere, bad)
        costs.append(
            CostItem(
                name=name,
                payer=payer,
                fte_per_year=fte,
                dkk_per_year=tuple(v * factor for v in dkk),
                dkk_per_fte_per_year=(dkk_per_fte or 0.0) * factor,
                source=str(raw.get("source", "")),
            )
        )
        _scale_uncertain(uncertain, (f"{cwhere}.dkk_per_fte_per_year", f"{cwhere}.dkk"), factor)

    prices = []
    for i, raw in enumerate(_list(data, "prices", bad)):
        where = f"prices[{i}]"
        step = reader.int_(raw, "step", where)
        if step is None:
            continue
        pwhere = f"prices.{step}"
        if "price_year" not in raw:
            bad.add(field=f"{pwhere}.price_year", value=None, message="every price needs its price year")
            continue
        py = reader.int_(raw, "price_year", pwhere)
        factor = _factor(convert_price_year, index, py, price_year, pwhere, bad)
        amounts = {}
        for payer in PAYERS:
            if payer in raw:
                v = reader.number(raw, payer, pwhere, uncertain_path=f"{pwhere}.{payer}")
                if v is not None:
                    amounts[payer] = v * factor
        unknown = set(raw) - set(PAYERS) - {"step", "price_year", "source", "label"}
        for key in sorted(unknown):
            bad.add(field=f"{pwhere}.{key}", value=raw[key], message=f"unknown key; payers are {PAYERS}")
        if not amounts:
            bad.add(field=pwhere, value=None, message=f"give a price for at least one payer of {PAYERS}")
        prices.append(
            StepPrice(step=step, dkk_per_child_year=amounts, price_year=price_year, source=str(raw.get("source", "")))
        )
        _scale_uncertain(uncertain, tuple(f"{pwhere}.{p}" for p in PAYERS), factor)

    effect: ShiftEffect | SomEffect | None = None
    if "effect" in data:
        raw = reader.table(data, "effect")
        kind = raw.get("kind")
        if kind == "som":
            participants = reader.per_year(raw, "participants", "effect", horizon, fill_scalar=True)
            change = {}
            for s, v in reader.table(raw, "use_change_per_success", "effect").items():
                step = _step_key(s, "effect.use_change_per_success", bad)
                num = reader.number(
                    {s: v}, s, "effect.use_change_per_success", uncertain_path=f"effect.use_change_per_success.{step}"
                )
                if step is not None and num is not None:
                    change[step] = num
            phase = raw.get("phase_in", [])
            if not isinstance(phase, list) or not all(_is_num(x) for x in phase):
                bad.add(field="effect.phase_in", value=phase, message="must be a list of shares")
                phase = []
            effect = SomEffect(
                participants_per_year=participants,
                success_rate_with=reader.number(
                    raw, "success_rate_with", "effect", uncertain_path="effect.success_rate_with"
                )
                or 0.0,
                success_rate_without=reader.number(
                    raw, "success_rate_without", "effect", uncertain_path="effect.success_rate_without"
                )
                or 0.0,
                use_change_per_success=change,
                phase_in=tuple(float(x) for x in phase),
                fading_per_year=reader.number(
                    raw, "fading_per_year", "effect", default=0.0, uncertain_path="effect.fading_per_year"
                )
                or 0.0,
                fading_from_year=reader.int_(raw, "fading_from_year", "effect", default=0) or 0,
                source=str(raw.get("source", "")),
            )
        elif kind == "shift":
            by_step = {}
            for s in reader.table(raw, "child_years", "effect"):
                step = _step_key(s, "effect.child_years", bad)
                arr = reader.per_year(raw["child_years"], s, "effect.child_years", horizon, fill_scalar=False)
                if step is not None:
                    by_step[step] = arr
            effect = ShiftEffect(
                child_years_by_step=by_step,
                scale=reader.number(raw, "scale", "effect", default=1.0, uncertain_path="effect.scale") or 0.0,
                source=str(raw.get("source", "")),
            )
        else:
            bad.add(field="effect.kind", value=kind, message="must be 'som' or 'shift'")

    rule = None
    if "decision_rule" in data:
        raw = reader.table(data, "decision_rule")
        rule = DecisionRule(
            name=str(raw.get("name", "decision rule")),
            earn_back_after_years=reader.int_(raw, "earn_back_after_years", "decision_rule", default=None),
            surplus_after_years=reader.int_(raw, "surplus_after_years", "decision_rule", default=None),
            discounted=bool(raw.get("discounted", False)),
            source=str(raw.get("source", "")),
        )
    bad.raise_if_any()
    return InvestmentCase(
        name=str(case_t.get("name", "investment case")),
        description=str(case_t.get("description", "")),
        price_year=price_year,
        start_year=start_year,
        horizon_years=horizon,
        discount_schedule=schedule,
        discount_source=discount_source,
        costs=tuple(costs),
        prices=tuple(prices),
        effect=effect,
        decision_rule=rule,
        uncertain=uncertain,
    )


def _factor(convert, index, from_year, to_year, where, bad) -> float:  # type: ignore[no-untyped-def]
    if from_year is None or from_year == to_year:
        return 1.0
    try:
        return float(convert(1.0, from_year=from_year, to_year=to_year, index=index))
    except InvalidInput as exc:
        bad.add(field=f"{where}.price_year", value=from_year, message=str(exc.problems[0].message))
        return 1.0


def _scale_uncertain(uncertain: dict[str, Distribution], paths: tuple[str, ...], factor: float) -> None:
    if factor == 1.0:
        return
    for path in paths:
        d = uncertain.get(path)
        if d is None:
            continue
        params = dict(d.params)
        if d.kind == "lognormal":
            params["mu"] += math.log(factor)
        else:
            for k in params:
                params[k] *= factor
        uncertain[path] = Distribution(kind=d.kind, params=params)


def _is_num(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _step_key(s: str, where: str, bad: ProblemCollector) -> int | None:
    try:
        return int(s)
    except ValueError:
        bad.add(field=f"{where}.{s}", value=s, message='keys must be step numbers, e.g. "5"')
        return None


def _list(data: Mapping[str, object], key: str, bad: ProblemCollector) -> list[dict]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        bad.add(field=key, value=raw, message=f"must be a list of tables ([[{key}]])")
        return []
    return raw


class _Reader:
    """Reads typed values from TOML tables, collecting problems and distributions."""

    def __init__(self, bad: ProblemCollector, uncertain: dict[str, Distribution]):
        self.bad = bad
        self.uncertain = uncertain

    def table(self, data: Mapping[str, object], key: str, where: str = "") -> dict:
        v = data.get(key, {})
        if not isinstance(v, dict):
            self.bad.add(field=f"{where}.{key}" if where else key, value=v, message="must be a table")
            return {}
        return v

    def int_(self, data: Mapping[str, object], key: str, where: str, default: object = ...) -> int | None:
        if key not in data:
            if default is ...:
                self.bad.add(field=f"{where}.{key}", value=None, message="missing")
                return None
            return default  # type: ignore[return-value]
        v = data[key]
        if not isinstance(v, int) or isinstance(v, bool):
            self.bad.add(field=f"{where}.{key}", value=v, message="must be a whole number")
            return None
        return v

    def number(
        self, data: Mapping[str, object], key: str, where: str, default: object = ..., uncertain_path: str | None = None
    ) -> float | None:
        if key not in data:
            if default is ...:
                self.bad.add(field=f"{where}.{key}", value=None, message="missing")
                return None
            return default  # type: ignore[return-value]
        v = data[key]
        if isinstance(v, dict):
            if uncertain_path is None:
                self.bad.add(field=f"{where}.{key}", value=v, message="cannot carry a distribution")
                return None
            return self.distribution(v, f"{where}.{key}", uncertain_path)
        if not _is_num(v) or not math.isfinite(float(v)):  # type: ignore[arg-type]
            self.bad.add(field=f"{where}.{key}", value=v, message="must be a number")
            return None
        return float(v)  # type: ignore[arg-type]

    def distribution(self, v: dict, where: str, path: str) -> float | None:
        kind = v.get("dist")
        needed = {
            "normal": ("mean", "sd"),
            "triangular": ("low", "mode", "high"),
            "uniform": ("low", "high"),
            "lognormal": ("mu", "sigma"),
        }
        if kind not in needed:
            self.bad.add(field=f"{where}.dist", value=kind, message=f"must be one of {DISTRIBUTIONS}")
            return None
        params = {}
        for name in needed[kind]:
            x = v.get(name)
            if not _is_num(x):
                self.bad.add(field=f"{where}.{name}", value=x, message=f"a {kind} distribution needs a number '{name}'")
                return None
            params[name] = float(x)  # type: ignore[arg-type]
        extra = set(v) - set(needed[kind]) - {"dist", "value", "source"}
        if extra:
            self.bad.add(field=where, value=sorted(extra), message=f"unknown key(s) for a {kind} distribution")
        if kind in ("normal", "lognormal") and params.get("sd", params.get("sigma", 0)) < 0:
            self.bad.add(field=where, value=params, message="spread must be >= 0")
            return None
        if kind == "triangular" and not params["low"] <= params["mode"] <= params["high"]:
            self.bad.add(field=where, value=params, message="needs low <= mode <= high")
            return None
        if kind == "uniform" and not params["low"] <= params["high"]:
            self.bad.add(field=where, value=params, message="needs low <= high")
            return None
        dist = Distribution(kind=kind, params=params)
        self.uncertain[path] = dist
        base = v.get("value", dist.central())
        if not _is_num(base):
            self.bad.add(field=f"{where}.value", value=base, message="must be a number")
            return None
        return float(base)

    def per_year(
        self, data: Mapping[str, object], key: str, where: str, horizon: int, *, fill_scalar: bool
    ) -> tuple[float, ...]:
        """A scalar (every year, may be uncertain) or a list by year (padded with zeros)."""
        if key not in data:
            return ()
        v = data[key]
        if _is_num(v) or isinstance(v, dict):
            x = self.number(data, key, where, uncertain_path=f"{where}.{key}" if fill_scalar else None)
            return (x,) * horizon if x is not None and fill_scalar else ((x,) if x is not None else ())
        if not isinstance(v, list) or not all(_is_num(x) for x in v):
            self.bad.add(field=f"{where}.{key}", value=v, message="must be a number or a list of numbers by year")
            return ()
        return tuple(float(x) for x in v)


# ----------------------------------------------------------------------------- evaluation
@dataclass(frozen=True, kw_only=True)
class CaseResult:
    """The outputs of :func:`evaluate_case`. Arrays have shape (horizon,) unless stated.

    ``cost_by_payer`` / ``benefit_by_payer`` / ``net_by_payer`` have shape (3, horizon) in the
    order of :data:`PAYERS`; benefits are savings (positive = money saved).
    """

    case: InvestmentCase
    years: NDArray[np.int64]
    calendar_years: NDArray[np.int64]
    discount_factor: NDArray[np.float64]
    cost_by_payer: NDArray[np.float64]
    benefit_by_payer: NDArray[np.float64]
    net_by_payer: NDArray[np.float64]
    net: NDArray[np.float64]
    net_discounted: NDArray[np.float64]
    cumulative: NDArray[np.float64]
    cumulative_discounted: NDArray[np.float64]
    npv_dkk: float
    npv_by_payer: dict[str, float]
    pv_cost_dkk: float
    pv_benefit_dkk: float
    benefit_cost_ratio: float | None
    payback_year: int | None
    payback_year_undiscounted: int | None
    break_even_effect: float | None
    break_even_success_rate_with: float | None
    rule_met: bool | None
    rule_parts: dict[str, bool]
    child_years_by_step: dict[int, NDArray[np.float64]]

    def yearly(self) -> pl.DataFrame:
        """One row per year: cost, saving and net by payer, totals, factor, cumulative."""
        cols: dict[str, object] = {"year": self.years, "calendar_year": self.calendar_years}
        for i, p in enumerate(PAYERS):
            cols[f"cost_{p}_dkk"] = self.cost_by_payer[i]
            cols[f"saving_{p}_dkk"] = self.benefit_by_payer[i]
            cols[f"net_{p}_dkk"] = self.net_by_payer[i]
        cols["cost_dkk"] = self.cost_by_payer.sum(axis=0)
        cols["saving_dkk"] = self.benefit_by_payer.sum(axis=0)
        cols["net_dkk"] = self.net
        cols["discount_factor"] = self.discount_factor
        cols["net_discounted_dkk"] = self.net_discounted
        cols["cumulative_dkk"] = self.cumulative
        cols["cumulative_discounted_dkk"] = self.cumulative_discounted
        return pl.DataFrame(cols)

    def who_pays_who_saves(self) -> pl.DataFrame:
        """Present values by payer: cost, saving, net, and return (net / cost) where cost > 0."""
        f = self.discount_factor
        pv_cost = self.cost_by_payer @ f
        pv_benefit = self.benefit_by_payer @ f
        ret = [float((b - c) / c) if c > 0 else None for b, c in zip(pv_benefit, pv_cost, strict=True)]
        return pl.DataFrame(
            {
                "payer": list(PAYERS),
                "pv_cost_dkk": pv_cost,
                "pv_saving_dkk": pv_benefit,
                "npv_dkk": pv_benefit - pv_cost,
                "return_per_dkk": pl.Series(ret, dtype=pl.Float64),
            }
        )

    def summary(self) -> dict[str, object]:
        """Headline figures as plain Python values (for JSON)."""
        return {
            "name": self.case.name,
            "price_year": self.case.price_year,
            "start_year": self.case.start_year,
            "horizon_years": self.case.horizon_years,
            "npv_dkk": self.npv_dkk,
            "npv_by_payer_dkk": self.npv_by_payer,
            "pv_cost_dkk": self.pv_cost_dkk,
            "pv_saving_dkk": self.pv_benefit_dkk,
            "benefit_cost_ratio": self.benefit_cost_ratio,
            "payback_year": self.payback_year,
            "payback_year_undiscounted": self.payback_year_undiscounted,
            "break_even_effect": self.break_even_effect,
            "break_even_success_rate_with": self.break_even_success_rate_with,
            "decision_rule": self.case.decision_rule.name if self.case.decision_rule else None,
            "rule_met": self.rule_met,
            "rule_parts": self.rule_parts,
        }


def discount_factors(schedule: tuple[tuple[int, int, float], ...], horizon: int) -> NDArray[np.float64]:
    """Factor per year index 0..horizon-1: 1 in year 0, then divided by (1 + rate of year t)."""
    rates = np.zeros(horizon)
    for first, last, rate in schedule:
        rates[first : last + 1] = rate
    rates[0] = 0.0  # year 0 is not discounted
    return np.cumprod(1.0 / (1.0 + rates))


def _pad(arr: tuple[float, ...], horizon: int) -> NDArray[np.float64]:
    out = np.zeros(horizon)
    out[: len(arr)] = arr
    return out


def _flows(
    case: InvestmentCase,
    overrides: Mapping[str, NDArray[np.float64]] | None,
    effect_override: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], dict[int, NDArray[np.float64]]]:
    """Costs and savings by payer, shape (draws, 3, horizon), and child-year changes by step.

    ``overrides`` maps uncertain paths to arrays of shape (draws,). ``effect_override`` sets
    the effect scale (net success rate for SØM, ``scale`` for a shift) per draw.
    """
    ov = overrides or {}
    n = max([len(v) for v in ov.values()] + ([len(effect_override)] if effect_override is not None else []) + [1])
    h = case.horizon_years

    def val(path: str, base: float) -> NDArray[np.float64]:
        x = ov.get(path)
        return np.full((n, 1), base) if x is None else np.asarray(x, dtype=float).reshape(n, 1)

    cost = np.zeros((n, len(PAYERS), h))
    for c in case.costs:
        pi = PAYERS.index(c.payer)
        if c.fte_per_year:
            fte = val(f"costs.{c.name}.fte", 0.0) if f"costs.{c.name}.fte" in ov else _pad(c.fte_per_year, h)[None, :]
            cost[:, pi, :] += fte * val(f"costs.{c.name}.dkk_per_fte_per_year", c.dkk_per_fte_per_year)
        else:
            dkk = val(f"costs.{c.name}.dkk", 0.0) if f"costs.{c.name}.dkk" in ov else _pad(c.dkk_per_year, h)[None, :]
            cost[:, pi, :] += np.broadcast_to(dkk, (n, h))

    e = case.effect
    delta: dict[int, NDArray[np.float64]] = {}  # step -> (draws, horizon) child-years
    if isinstance(e, SomEffect):
        net_rate = val("effect.success_rate_with", e.success_rate_with) - val(
            "effect.success_rate_without", e.success_rate_without
        )
        if effect_override is not None:
            net_rate = np.asarray(effect_override, dtype=float).reshape(n, 1)
        participants = (
            val("effect.participants", 0.0)
            if "effect.participants" in ov
            else _pad(e.participants_per_year, h)[None, :]
        )
        phase = np.ones(h)
        k = min(len(e.phase_in), h)
        phase[:k] = e.phase_in[:k]
        t = np.arange(h)
        fading = val("effect.fading_per_year", e.fading_per_year)
        multiplier = phase[None, :] * (1.0 - fading) ** np.maximum(0, t - e.fading_from_year)[None, :]
        successes = participants * net_rate * multiplier  # (draws, horizon)
        for s, change in e.use_change_per_success.items():
            delta[s] = successes * val(f"effect.use_change_per_success.{s}", change)
    elif isinstance(e, ShiftEffect):
        scale = val("effect.scale", e.scale)
        if effect_override is not None:
            scale = np.asarray(effect_override, dtype=float).reshape(n, 1)
        for s, arr in e.child_years_by_step.items():
            delta[s] = scale * _pad(arr, h)[None, :]

    benefit = np.zeros((n, len(PAYERS), h))
    prices = {p.step: p for p in case.prices}
    for s, d in delta.items():
        for payer, price in prices[s].dkk_per_child_year.items():
            # fewer child-years (negative delta) save money: saving = -delta * price
            benefit[:, PAYERS.index(payer), :] -= d * val(f"prices.{s}.{payer}", price)
    return cost, benefit, delta


def _payback(cumulative: NDArray[np.float64]) -> NDArray[np.int64]:
    """First year index from which the cumulative stays >= 0 to the horizon; -1 if never.

    ``cumulative`` has shape (draws, horizon).
    """
    h = cumulative.shape[-1]
    negative = cumulative < 0
    # last negative year index (or -1 if none); payback is the year after it
    last_neg = np.where(negative.any(axis=-1), h - 1 - np.argmax(negative[..., ::-1], axis=-1), -1)
    return np.where(last_neg + 1 < h, last_neg + 1, -1)


def _rule(
    rule: DecisionRule | None,
    net: NDArray[np.float64],
    cumulative: NDArray[np.float64],
    cumulative_discounted: NDArray[np.float64],
) -> dict[str, NDArray[np.bool_]]:
    """Each part of the rule, shape (draws,), plus ``met`` (all parts)."""
    n = net.shape[0]
    parts: dict[str, NDArray[np.bool_]] = {}
    if rule is None:
        return parts
    if rule.earn_back_after_years is not None:
        parts["earn_back"] = net[:, rule.earn_back_after_years] > 0
    if rule.surplus_after_years is not None:
        cum = cumulative_discounted if rule.discounted else cumulative
        idx = rule.surplus_after_years - 1
        parts["surplus"] = cum[:, idx] > 0 if idx >= 0 else np.ones(n, dtype=bool)
    met = np.ones(n, dtype=bool)
    for v in parts.values():
        met &= v
    parts["met"] = met
    return parts


@dataclass(frozen=True)
class _Batch:
    cost: NDArray[np.float64]
    benefit: NDArray[np.float64]
    net: NDArray[np.float64]
    factor: NDArray[np.float64]
    npv: NDArray[np.float64]
    cumulative: NDArray[np.float64]
    cumulative_discounted: NDArray[np.float64]
    payback: NDArray[np.int64]
    rule: dict[str, NDArray[np.bool_]]
    delta: dict[int, NDArray[np.float64]]


def _evaluate_batch(
    case: InvestmentCase,
    overrides: Mapping[str, NDArray[np.float64]] | None = None,
    effect_override: NDArray[np.float64] | None = None,
) -> _Batch:
    cost, benefit, delta = _flows(case, overrides, effect_override)
    factor = discount_factors(case.discount_schedule, case.horizon_years)
    net = (benefit - cost).sum(axis=1)  # (draws, horizon)
    cumulative = np.cumsum(net, axis=-1)
    cumulative_discounted = np.cumsum(net * factor, axis=-1)
    return _Batch(
        cost=cost,
        benefit=benefit,
        net=net,
        factor=factor,
        npv=cumulative_discounted[:, -1],
        cumulative=cumulative,
        cumulative_discounted=cumulative_discounted,
        payback=_payback(cumulative_discounted),
        rule=_rule(case.decision_rule, net, cumulative, cumulative_discounted),
        delta=delta,
    )


def evaluate_case(case: InvestmentCase) -> CaseResult:
    """Evaluate an investment case at its base values.

    Returns:
        A :class:`CaseResult` with the yearly flows by payer, NPV, payback year, benefit-cost
        ratio, break-even effect and the decision rule.
    """
    b = _evaluate_batch(case)
    f = b.factor
    cost, benefit = b.cost[0], b.benefit[0]
    pv_cost = float((cost.sum(axis=0) * f).sum())
    pv_benefit = float((benefit.sum(axis=0) * f).sum())
    npv = float(b.npv[0])
    # NPV is linear in the effect (net success rate or shift scale): NPV(k) = NPV(0) + k * slope
    npv_zero = float(_evaluate_batch(case, effect_override=np.zeros(1)).npv[0])
    npv_one = float(_evaluate_batch(case, effect_override=np.ones(1)).npv[0])
    slope = npv_one - npv_zero
    break_even = -npv_zero / slope if slope != 0 else None
    be_with = None
    if isinstance(case.effect, SomEffect) and break_even is not None:
        be_with = case.effect.success_rate_without + break_even
    payback = int(b.payback[0])
    payback_u = int(_payback(b.cumulative)[0])
    return CaseResult(
        case=case,
        years=np.arange(case.horizon_years),
        calendar_years=case.start_year + np.arange(case.horizon_years),
        discount_factor=f,
        cost_by_payer=cost,
        benefit_by_payer=benefit,
        net_by_payer=benefit - cost,
        net=b.net[0],
        net_discounted=b.net[0] * f,
        cumulative=b.cumulative[0],
        cumulative_discounted=b.cumulative_discounted[0],
        npv_dkk=npv,
        npv_by_payer={p: float(((benefit[i] - cost[i]) * f).sum()) for i, p in enumerate(PAYERS)},
        pv_cost_dkk=pv_cost,
        pv_benefit_dkk=pv_benefit,
        benefit_cost_ratio=pv_benefit / pv_cost if pv_cost > 0 else None,
        payback_year=payback if payback >= 0 else None,
        payback_year_undiscounted=payback_u if payback_u >= 0 else None,
        break_even_effect=break_even,
        break_even_success_rate_with=be_with,
        rule_met=bool(b.rule["met"][0]) if b.rule else None,
        rule_parts={k: bool(v[0]) for k, v in b.rule.items() if k != "met"},
        child_years_by_step={s: d[0] for s, d in sorted(b.delta.items())},
    )


def shift_effect_from_frames(
    scenario: pl.DataFrame, baseline: pl.DataFrame, *, start_year: int, horizon_years: int, source: str = ""
) -> ShiftEffect:
    """Effect (a) from a forecast: scenario minus baseline child-years per step and year.

    Args:
        scenario: columns year (calendar), step, child_years.
        baseline: the same columns for the baseline.
        start_year: calendar year of year index 0.
        horizon_years: number of years kept.

    Returns:
        A :class:`ShiftEffect` whose arrays have shape (horizon_years,); years or steps
        missing in one frame count as 0 child-years there.

    Raises:
        InvalidInput: a frame lacks a column.
    """
    need = ("year", "step", "child_years")
    for name, frame in (("scenario", scenario), ("baseline", baseline)):
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise InvalidInput([Problem(field=c, value=None, message="missing column", table=name) for c in missing])

    def prep(frame: pl.DataFrame, col: str) -> pl.DataFrame:
        return frame.group_by(pl.col("year").cast(pl.Int64), pl.col("step").cast(pl.Int64)).agg(
            pl.col("child_years").cast(pl.Float64).sum().alias(col)
        )

    diff = (
        prep(scenario, "s")
        .join(prep(baseline, "b"), on=["year", "step"], how="full", coalesce=True)
        .with_columns(
            (pl.col("s").fill_null(0.0) - pl.col("b").fill_null(0.0)).alias("d"),
            (pl.col("year") - start_year).alias("t"),
        )
        .filter((pl.col("t") >= 0) & (pl.col("t") < horizon_years))
    )
    by_step: dict[int, tuple[float, ...]] = {}
    for step in sorted(diff["step"].unique().to_list()):
        arr = np.zeros(horizon_years)
        part = diff.filter(pl.col("step") == step)
        arr[part["t"].to_numpy()] = part["d"].to_numpy()
        by_step[int(step)] = tuple(float(x) for x in arr)
    return ShiftEffect(child_years_by_step=by_step, source=source)


CASEWORKER_DKK_PER_FTE_YEAR = 483_000.0
CASEWORKER_PRICE_YEAR = 2022
CASEWORKER_COST_SOURCE = (
    "Caseworker (socialrådgiver) incl. pension, 483,000 DKK per full-time year (2022), "
    "Dansk Socialrådgiverforening, state employees (a proxy; reference/unit_costs.csv)"
)


def shift_case(
    *,
    name: str,
    description: str,
    scenario: pl.DataFrame,
    baseline: pl.DataFrame,
    start_year: int,
    horizon_years: int,
    price_year: int,
    prices: Mapping[int, float],
    prices_source: str,
    extra_fte: float = 0.0,
    dkk_per_fte_per_year: float = CASEWORKER_DKK_PER_FTE_YEAR,
    fte_price_year: int | None = CASEWORKER_PRICE_YEAR,
    fte_source: str = CASEWORKER_COST_SOURCE,
    effect_source: str = "",
) -> dict[str, object]:
    """An investment case (the dict :func:`case_from_dict` reads, :func:`case_to_toml` writes)
    whose effect (a) is a forecast scenario's shift of child-years against its baseline
    (:func:`shift_effect_from_frames`), priced per step for the municipality, with extra
    caseworkers as its cost when ``extra_fte`` > 0, and Herning's decision rule to check (when
    the horizon is longer than the rule's four years).

    Args:
        scenario, baseline: columns year, step, child_years (e.g.
            :meth:`trappen.forecast.Projection.child_years`).
        prices: DKK per child-year by step (``price_year`` prices).

    Raises:
        InvalidInput: as :func:`shift_effect_from_frames`.
    """
    shift = shift_effect_from_frames(scenario, baseline, start_year=start_year, horizon_years=horizon_years)
    moved = {s: ys for s, ys in shift.child_years_by_step.items() if any(abs(y) > 1e-9 for y in ys)}
    data: dict[str, object] = {
        "case": {
            "name": name,
            "description": description,
            "price_year": price_year,
            "start_year": start_year,
            "horizon_years": horizon_years,
        },
        "effect": {
            "kind": "shift",
            "child_years": {str(s): [round(y, 4) for y in ys] for s, ys in sorted(moved.items())},
            "source": effect_source,
        },
        "prices": [
            {
                "step": s,
                "municipality": round(float(prices.get(s, 0.0)), 2),
                "price_year": price_year,
                "source": prices_source,
            }
            for s in sorted(moved)
        ],
    }
    if horizon_years > 4:  # the rule checks year 4
        data["decision_rule"] = {
            "name": "Herning: earn back after 2 years, a surplus after 4",
            "earn_back_after_years": 2,
            "surplus_after_years": 4,
            "discounted": False,
        }
    if extra_fte > 0:
        data["costs"] = [
            {
                "name": "Extra caseworkers",
                "payer": "municipality",
                "fte": round(extra_fte, 2),
                "dkk_per_fte_per_year": dkk_per_fte_per_year,
                "price_year": fte_price_year or price_year,
                "source": fte_source,
            }
        ]
    return data
