"""Reading and writing investment cases: TOML (and dicts from JSON) to :class:`InvestmentCase`.

The file's shape is the pydantic models below (``_CaseFile`` and its parts); pydantic's errors
become :class:`~trappen.errors.Problem` s naming the key path, e.g. ``"discount.periods[0].to_year"``
or ``"costs.Extra caseworkers.fte"`` (costs are named by ``name``, prices by ``step``).
Checks that need the whole case (gaps in the discount schedule, a step with an effect but no
price) stay in :func:`~trappen.economics._case_model.validate_case`.

Any scalar may instead be a distribution table, ``{ dist = "triangular", low = .., mode = ..,
high = .. }`` (optionally ``value``, the base value; default the central value): it becomes an
entry of :attr:`InvestmentCase.uncertain` under the scalar's path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import tomli_w
from pydantic import AfterValidator, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from trappen._config import check_depth, parse_toml, toml_ready
from trappen._validation import Finite, StepKey, StrictModel, problems_from
from trappen.economics._case_model import (
    DEFAULT_DISCOUNT_SCHEDULE,
    DEFAULT_HORIZON_YEARS,
    DISCOUNT_SOURCE,
    MAX_HORIZON_YEARS,
    PAYERS,
    CostItem,
    DecisionRule,
    Distribution,
    InvestmentCase,
    ShiftEffect,
    SomEffect,
    StepPrice,
)
from trappen.errors import InvalidInput, ProblemCollector

_PARAMS = {
    "normal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "lognormal": ("mu", "sigma"),
}


class _Dist(StrictModel):
    """A distribution in place of a scalar; ``value`` is the base value (default: central)."""

    model_config = ConfigDict(extra="forbid")

    dist: Literal["normal", "triangular", "uniform", "lognormal"]
    mean: Finite | None = None
    sd: Finite | None = None
    low: Finite | None = None
    mode: Finite | None = None
    high: Finite | None = None
    mu: Finite | None = None
    sigma: Finite | None = None
    value: Finite | None = None
    source: str = ""

    @model_validator(mode="after")
    def _params_fit_the_kind(self) -> _Dist:
        needed = _PARAMS[self.dist]
        for name in needed:
            if getattr(self, name) is None:
                raise PydanticCustomError(
                    "distribution_param",
                    "a {kind} distribution needs a number '{sub_key}'",
                    {"kind": self.dist, "sub_key": name},
                )
        extra = sorted(n for ps in _PARAMS.values() for n in ps if n not in needed and getattr(self, n) is not None)
        if extra:
            raise PydanticCustomError(
                "distribution_param",
                "unknown key(s) for a {kind} distribution",
                {"kind": self.dist, "shown_value": sorted(set(extra))},
            )
        p = self.params()
        if self.dist in ("normal", "lognormal") and p.get("sd", p.get("sigma", 0.0)) < 0:
            raise PydanticCustomError("distribution", "spread must be >= 0", {"shown_value": p})
        if self.dist == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
            raise PydanticCustomError("distribution", "needs low <= mode <= high", {"shown_value": p})
        if self.dist == "uniform" and not p["low"] <= p["high"]:
            raise PydanticCustomError("distribution", "needs low <= high", {"shown_value": p})
        return self

    def params(self) -> dict[str, float]:
        return {n: float(getattr(self, n)) for n in _PARAMS[self.dist]}

    def distribution(self) -> Distribution:
        return Distribution(kind=self.dist, params=self.params())

    def base(self) -> float:
        return self.value if self.value is not None else self.distribution().central()


def _number_or_dist(v: object) -> str:
    return "~dist" if isinstance(v, dict | _Dist) else "~number"


def _number_dist_or_list(v: object) -> str:
    return "~list" if isinstance(v, list | tuple) else _number_or_dist(v)


Uncertain = Annotated[
    Annotated[Finite, Tag("~number")] | Annotated[_Dist, Tag("~dist")], Discriminator(_number_or_dist)
]
"""A number, or a distribution around one."""

PerYear = Annotated[
    Annotated[Finite, Tag("~number")] | Annotated[_Dist, Tag("~dist")] | Annotated[list[Finite], Tag("~list")],
    Discriminator(_number_dist_or_list),
]
"""The same number every year (may be uncertain), or a list by year (padded with zeros)."""

PerYearExact = Annotated[
    Annotated[Finite, Tag("~number")] | Annotated[list[Finite], Tag("~list")],
    Discriminator(lambda v: "~list" if isinstance(v, list | tuple) else "~number"),
]
"""A number for year 0, or a list by year (padded with zeros); no distribution."""


def _horizon(h: int) -> int:
    if not 1 <= h <= MAX_HORIZON_YEARS:
        raise PydanticCustomError("horizon", f"must be a whole number of years from 1 to {MAX_HORIZON_YEARS}")
    return h


class _CaseTable(StrictModel):
    name: str = "investment case"
    description: str = ""
    price_year: int
    start_year: int | None = None
    horizon_years: Annotated[int, AfterValidator(_horizon)] = DEFAULT_HORIZON_YEARS


class _Period(StrictModel):
    from_year: int
    to_year: int
    rate_per_year: Finite


class _Discount(StrictModel):
    source: str = ""
    periods: Annotated[list[_Period], Field(min_length=1)]


class _Cost(StrictModel):
    name: str | None = None
    payer: str = "municipality"  # checked by validate_case (one message for files and objects)
    fte: PerYear | None = None
    dkk: PerYear | None = None
    dkk_per_fte_per_year: Uncertain = 0.0
    price_year: int | None = None
    source: str = ""


class _Price(StrictModel):
    model_config = ConfigDict(extra="forbid")

    step: int
    price_year: int
    municipality: Uncertain | None = None
    region: Uncertain | None = None
    state: Uncertain | None = None
    source: str = ""
    label: str = ""

    @model_validator(mode="after")
    def _some_payer(self) -> _Price:
        if all(getattr(self, p) is None for p in PAYERS):
            raise PydanticCustomError(
                "no_payer", f"give a price for at least one payer of {PAYERS}", {"shown_value": None}
            )
        return self


class _Som(StrictModel):
    kind: Literal["som"]
    participants: PerYear | None = None
    success_rate_with: Uncertain
    success_rate_without: Uncertain
    use_change_per_success: dict[StepKey, Uncertain] = {}
    phase_in: list[Finite] = []
    fading_per_year: Uncertain = 0.0
    fading_from_year: int = 0
    source: str = ""


class _Shift(StrictModel):
    kind: Literal["shift"]
    child_years: dict[StepKey, PerYearExact] = {}
    scale: Uncertain = 1.0
    source: str = ""


class _Rule(StrictModel):
    name: str = "decision rule"
    earn_back_after_years: int | None = None
    surplus_after_years: int | None = None
    discounted: bool = False
    source: str = ""


class _CaseFile(StrictModel):
    case: _CaseTable
    discount: _Discount | None = None
    costs: list[_Cost] = []
    prices: list[_Price] = []
    effect: _Som | _Shift | None = Field(default=None, discriminator="kind")
    decision_rule: _Rule | None = None


_NAMED_ITEMS = {"costs": "name", "prices": "step"}
_PERIODS = "needs a list of {from_year, to_year, rate_per_year}"
_CASE_MESSAGES = {
    "discount.periods:missing": _PERIODS,
    "discount.periods:list_type": _PERIODS,
    "discount.periods:too_short": _PERIODS,
    "costs:list_type": "must be a list of tables ([[costs]])",
    "prices:list_type": "must be a list of tables ([[prices]])",
    "prices.*.price_year:missing": "every price needs its price year",
    "prices.*.*:extra_forbidden": f"unknown key; payers are {PAYERS}",
    "effect.phase_in:list_type": "must be a list of shares",
}


def load_case(path: Path | str, *, price_index: Mapping[int, float] | None = None) -> InvestmentCase:
    """Load an investment case from a TOML file.

    Prices in another price year than the case's are converted with ``price_index`` (default:
    the shipped illustrative index, :func:`trappen.economics.default_price_index`).

    Raises:
        InvalidInput: the file is not TOML or nested too deeply (field ``"(file)"``), or keys
            are missing or bad: every problem, each naming its key path and value.
        FileNotFoundError: no such file.
    """
    p = Path(path)
    data = parse_toml(p.read_text(encoding="utf-8"), field="(file)", value=str(p))
    return case_from_dict(data, price_index=price_index)


def case_from_dict(data: Mapping[str, object], *, price_index: Mapping[int, float] | None = None) -> InvestmentCase:
    """Build a case from parsed TOML or JSON (the same keys as the file). See :func:`load_case`.

    Raises:
        InvalidInput: every problem found, each naming its key path and value.
    """
    check_depth(data)
    try:
        model = _CaseFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            problems_from(exc, data, named_items=_NAMED_ITEMS, messages=_CASE_MESSAGES, root="(case)")
        ) from None
    return _build(model, price_index)


class _Builder:
    """Turns validated tables into the dataclasses: fills years, converts price years, and
    collects distributions by path."""

    def __init__(self, horizon: int, price_year: int, price_index: Mapping[int, float] | None):
        from trappen.economics._prices import default_price_index

        self.horizon = horizon
        self.price_year = price_year
        self.index = price_index if price_index is not None else default_price_index()
        self.uncertain: dict[str, Distribution] = {}
        self.bad = ProblemCollector()

    def scalar(self, v: float | _Dist, path: str) -> float:
        if isinstance(v, _Dist):
            self.uncertain[path] = v.distribution()
            return v.base()
        return float(v)

    def per_year(self, v: float | _Dist | list[float] | None, path: str) -> tuple[float, ...]:
        if v is None:
            return ()
        if isinstance(v, list):
            return tuple(float(x) for x in v)
        return (self.scalar(v, path),) * self.horizon

    def factor(self, from_year: int | None, where: str) -> float:
        """Price-year conversion factor to the case's year; a problem on ``where.price_year``."""
        from trappen.economics._prices import convert_price_year

        if from_year is None or from_year == self.price_year:
            return 1.0
        try:
            return float(convert_price_year(1.0, from_year=from_year, to_year=self.price_year, index=self.index))
        except InvalidInput as exc:
            self.bad.add(field=f"{where}.price_year", value=from_year, message=str(exc.problems[0].message))
            return 1.0

    def scale(self, paths: tuple[str, ...], factor: float) -> None:
        """Distributions of amounts converted to the case's price year, like their values."""
        if factor == 1.0:
            return
        for path in paths:
            d = self.uncertain.get(path)
            if d is None:
                continue
            params = dict(d.params)
            if d.kind == "lognormal":
                params["mu"] += math.log(factor)
            else:
                params = {k: v * factor for k, v in params.items()}
            self.uncertain[path] = Distribution(kind=d.kind, params=params)

    def cost(self, i: int, raw: _Cost) -> CostItem:
        name = raw.name if raw.name is not None else f"costs[{i}]"
        where = f"costs.{name}"
        fte = self.per_year(raw.fte, f"{where}.fte")
        dkk = self.per_year(raw.dkk, f"{where}.dkk")
        dkk_per_fte = self.scalar(raw.dkk_per_fte_per_year, f"{where}.dkk_per_fte_per_year")
        factor = self.factor(raw.price_year, where)
        self.scale((f"{where}.dkk_per_fte_per_year", f"{where}.dkk"), factor)
        return CostItem(
            name=name,
            payer=raw.payer,
            fte_per_year=fte,
            dkk_per_year=tuple(v * factor for v in dkk),
            dkk_per_fte_per_year=dkk_per_fte * factor,
            source=raw.source,
        )

    def price(self, raw: _Price) -> StepPrice:
        where = f"prices.{raw.step}"
        factor = self.factor(raw.price_year, where)
        amounts = {
            payer: self.scalar(v, f"{where}.{payer}") * factor
            for payer in PAYERS
            if (v := getattr(raw, payer)) is not None
        }
        self.scale(tuple(f"{where}.{p}" for p in PAYERS), factor)
        return StepPrice(step=raw.step, dkk_per_child_year=amounts, price_year=self.price_year, source=raw.source)

    def effect(self, raw: _Som | _Shift) -> SomEffect | ShiftEffect:
        if isinstance(raw, _Som):
            return SomEffect(
                participants_per_year=self.per_year(raw.participants, "effect.participants"),
                success_rate_with=self.scalar(raw.success_rate_with, "effect.success_rate_with"),
                success_rate_without=self.scalar(raw.success_rate_without, "effect.success_rate_without"),
                use_change_per_success={
                    int(s): self.scalar(v, f"effect.use_change_per_success.{int(s)}")
                    for s, v in raw.use_change_per_success.items()
                },
                phase_in=tuple(raw.phase_in),
                fading_per_year=self.scalar(raw.fading_per_year, "effect.fading_per_year"),
                fading_from_year=raw.fading_from_year,
                source=raw.source,
            )
        return ShiftEffect(
            child_years_by_step={
                int(s): tuple(float(x) for x in v) if isinstance(v, list) else (float(v),)
                for s, v in raw.child_years.items()
            },
            scale=self.scalar(raw.scale, "effect.scale"),
            source=raw.source,
        )


def _build(m: _CaseFile, price_index: Mapping[int, float] | None) -> InvestmentCase:
    price_year = m.case.price_year
    b = _Builder(m.case.horizon_years, price_year, price_index)
    schedule, discount_source = DEFAULT_DISCOUNT_SCHEDULE, DISCOUNT_SOURCE
    if m.discount is not None:
        schedule = tuple((p.from_year, p.to_year, p.rate_per_year) for p in m.discount.periods)
        discount_source = m.discount.source
    costs = tuple(b.cost(i, c) for i, c in enumerate(m.costs))
    prices = tuple(b.price(p) for p in m.prices)
    effect = b.effect(m.effect) if m.effect is not None else None
    rule = None
    if m.decision_rule is not None:
        r = m.decision_rule
        rule = DecisionRule(
            name=r.name,
            earn_back_after_years=r.earn_back_after_years,
            surplus_after_years=r.surplus_after_years,
            discounted=r.discounted,
            source=r.source,
        )
    b.bad.raise_if_any()
    return InvestmentCase(
        name=m.case.name,
        description=m.case.description,
        price_year=price_year,
        start_year=m.case.start_year if m.case.start_year is not None else price_year,
        horizon_years=m.case.horizon_years,
        discount_schedule=schedule,
        discount_source=discount_source,
        costs=costs,
        prices=prices,
        effect=effect,
        decision_rule=rule,
        uncertain=b.uncertain,
    )


def case_to_toml(data: Mapping[str, object]) -> str:
    """Write a case dict (the keys :func:`case_from_dict` reads) as TOML text, with tomli-w.

    ``tomllib.loads(case_to_toml(d)) == d`` for any such dict (tuples come back as lists).

    Raises:
        InvalidInput: a value TOML cannot hold (None, NaN), named by its key path, or nesting
            deeper than :data:`trappen._config.MAX_TOML_DEPTH`.
    """
    return tomli_w.dumps(toml_ready(data))
