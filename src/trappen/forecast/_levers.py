"""Levers beyond the scenario: which children are forecast (filters by sex and age band), and
what their places cost (per placement type and provider, with a currency and inflation).

Both stay aggregate: a filter chooses the register's children before estimation; costs are
spread over the forecast's mean counts per step by the placement-type mix on the cut-off day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import numpy as np
import polars as pl
from pydantic import ConfigDict, Field, ValidationError

from trappen._validation import Finite, StrictModel
from trappen.errors import InvalidInput, Problem
from trappen.forecast._estimate import DAYS_PER_MONTH
from trappen.forecast._model import Projection
from trappen.register import Register

SEXES = ("F", "M")


def filter_register(register: Register, *, sex: str | None = None, age_from: int | None = None,
                    age_to: int | None = None, on: date | None = None) -> Register:
    """The register of the children of one sex and/or one age band (whole years,
    ``age_from``..``age_to`` inclusive) on the day ``on`` (the cut-off): every table's rows of
    other children are left out, so the model is estimated on that group alone and follows
    it as it grows older (children who arrive later at those ages come in as arrivals). The
    population table has no sex: with ``sex`` it is scaled by the register's share of that
    sex at each age; with an age band its other ages are left out.

    Raises:
        InvalidInput: a sex other than F/M, a band outside 0..22 or reversed, or a band
            without ``on``.
    """
    problems = []
    if sex is not None and sex not in SEXES:
        problems.append(Problem(field="sex", value=sex, message="must be F or M"))
    lo, hi = (0 if age_from is None else age_from), (22 if age_to is None else age_to)
    banded = age_from is not None or age_to is not None
    if banded and not 0 <= lo <= hi <= 22:
        problems.append(Problem(field="age_band", value=f"{lo}-{hi}", message="needs 0 <= from <= to <= 22 years"))
    if banded and on is None:
        problems.append(Problem(field="age_band", value=f"{lo}-{hi}", message="needs the cut-off day"))
    if problems:
        raise InvalidInput(problems)
    if sex is None and not banded:
        return register
    kids = register.children
    keep = pl.lit(True)
    if sex is not None:
        keep = keep & (pl.col("sex") == sex)
    if banded and on is not None:
        # age in whole years on the day: born after (on - hi - 1 years) and on/before (on - lo years)
        oldest = date(on.year - hi - 1, on.month, 28 if (on.month, on.day) == (2, 29) else on.day)
        youngest = date(on.year - lo, on.month, 28 if (on.month, on.day) == (2, 29) else on.day)
        keep = keep & (pl.col("birth_date") > oldest) & (pl.col("birth_date") <= youngest)
    chosen = kids.filter(keep)
    ids = chosen["child_id"].implode()
    frames = {name: (frame.filter(pl.col("child_id").is_in(ids)) if "child_id" in frame.columns else frame)
              for name, frame in register.tables.items()}
    pop = register.population
    if pop.height:
        if banded and on is not None:
            pop = pop.with_columns(pl.col("age") + (on.year - pl.col("year").cast(pl.Int32)))
            pop = pop.filter(pl.col("age").is_between(lo, hi)).with_columns(
                (pl.col("age") - (on.year - pl.col("year").cast(pl.Int32))).cast(pl.Int8))
        if sex is not None:
            share = float(np.mean(kids["sex"].to_numpy() == sex)) if kids.height else 0.5
            pop = pop.with_columns((pl.col("children") * share).round().cast(pl.Int32))
        frames["population"] = pop
    meta = {**register.meta, "filter": f"sex={sex or 'all'}, age {lo}-{hi}" + (f" on {on}" if banded else "")}
    return Register.from_frames(meta, **frames)


@dataclass(frozen=True, kw_only=True)
class Price:
    """The cost of a day on a placement type with one provider, and the provider's share of the
    type's children (the provider mix)."""

    type_code: str
    provider: str
    per_day: float
    share: float


@dataclass(frozen=True, kw_only=True)
class CostTable:
    """Costs per placement type and provider in one currency, at prices of the cut-off day,
    growing by ``inflation_pct_per_year`` (month m costs ``(1 + i) ** (m / 12)`` times more).
    ``default_per_day`` prices a type the table does not list (None: such a type is an error)."""

    currency: str
    inflation_pct_per_year: float
    prices: tuple[Price, ...]
    default_per_day: float | None = None

    @classmethod
    def from_toml(cls, path: Path | str) -> CostTable:
        """Read a cost file::

            currency = "GBP"
            inflation_pct_per_year = 3.0
            default_per_day = 150.0          # optional
            [[prices]]
            type = "U1"                      # PLACE code, or a catalogue intervention code
            provider = "PR1"                 # optional, default "any"
            per_day = 120.0
            share = 0.8                      # of the type's children; a type's shares sum to 1

        Raises:
            InvalidInput: every bad key or value, named with the file.
        """
        from trappen._config import parse_toml
        from trappen._validation import problems_from

        path = Path(path)
        data = parse_toml(path.read_text(encoding="utf-8"), field="costs", value=str(path))
        try:
            m = _CostFile.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(problems_from(exc, data, messages={"*:extra_forbidden": "unknown key"},
                                             table=str(path), root="costs")) from None
        table = cls(currency=m.currency, inflation_pct_per_year=m.inflation_pct_per_year,
                    default_per_day=m.default_per_day,
                    prices=tuple(Price(type_code=p.type.upper(), provider=p.provider, per_day=p.per_day,
                                       share=p.share) for p in m.prices))
        table.check(where=str(path))
        return table

    def check(self, *, where: str = "costs") -> None:
        """Each type's provider shares sum to 1 (within 0.001).

        Raises:
            InvalidInput: naming each type whose shares do not."""
        sums: dict[str, float] = {}
        for p in self.prices:
            sums[p.type_code] = sums.get(p.type_code, 0.0) + p.share
        bad = [Problem(field=f"prices.{t}.share", value=round(s, 6), table=where,
                       message="the provider shares of a type must sum to 1")
               for t, s in sums.items() if abs(s - 1.0) > 1e-3]
        if bad:
            raise InvalidInput(bad)

    def per_day(self, type_code: str) -> float | None:
        """The provider-mix cost of a day on ``type_code`` (the default when unlisted)."""
        rows = [p for p in self.prices if p.type_code == type_code]
        return sum(p.per_day * p.share for p in rows) if rows else self.default_per_day


class _PriceFile(StrictModel):
    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, Field(min_length=1)]
    provider: str = "any"
    per_day: Annotated[Finite, Field(ge=0)]
    share: Annotated[Finite, Field(ge=0, le=1)] = 1.0


class _CostFile(StrictModel):
    model_config = ConfigDict(extra="forbid")

    currency: Annotated[str, Field(min_length=3, max_length=3)]
    inflation_pct_per_year: Annotated[Finite, Field(ge=-50, le=100)] = 0.0
    default_per_day: Annotated[Finite, Field(ge=0)] | None = None
    prices: list[_PriceFile] = []


def type_mix(register: Register, *, cutoff: date, leave_out: Sequence[str] = ()) -> pl.DataFrame:
    """The share of each placement type among the episodes active on each step on the cut-off
    day: columns ``step``, ``type_code`` (an SSDA903 episode's PLACE code, else the catalogue
    code) and ``share`` (a step's shares sum to 1). ``leave_out``: intervention codes not
    counted (e.g. aftercare, which the model prices apart). A step with no episode on the day
    has no row."""
    active = register.episodes.filter((pl.col("start_date") <= cutoff)
                                      & (pl.col("end_date").is_null() | (pl.col("end_date") > cutoff))
                                      & ~pl.col("intervention_code").is_in(list(leave_out)))
    return (active.with_columns(pl.col("intervention_code").str.strip_prefix("SSDA903_").str.to_uppercase()
                                .alias("type_code"))
            .group_by("step", "type_code").len()
            .with_columns((pl.col("len") / pl.col("len").sum().over("step")).alias("share"))
            .select(pl.col("step").cast(pl.Int64), "type_code", "share").sort("step", "type_code"))


def cost_by_type(projection: Projection, *, mix: pl.DataFrame, costs: CostTable) -> pl.DataFrame:
    """Expected cost per month, placement type and provider: the projection's mean children on
    each step, split by the step's type ``mix`` (:func:`type_mix`) and each type's provider
    mix, times the day price, the days of a month and inflation. Columns ``month``,
    ``month_end``, ``step``, ``type_code``, ``provider``, ``children``, ``cost`` and
    ``currency``. Summed over types and providers it is the total cost of the steps.

    Raises:
        InvalidInput: a type in the mix with no price and no default, each named.
    """
    missing = sorted({t for t in mix["type_code"].to_list() if costs.per_day(t) is None})
    if missing:
        raise InvalidInput([Problem(field="prices", value=t, table="costs",
                                    message="no price for this placement type (add it or a default_per_day)")
                            for t in missing])
    rows = []
    for step, t, share in mix.iter_rows():
        listed = [p for p in costs.prices if p.type_code == t]
        for p in listed or [Price(type_code=t, provider="any", per_day=costs.default_per_day or 0.0, share=1.0)]:
            rows.append((step, t, p.provider, share * p.share, p.per_day))
    parts = pl.DataFrame(rows, schema={"step": pl.Int64, "type_code": pl.String, "provider": pl.String,
                                       "weight": pl.Float64, "per_day": pl.Float64}, orient="row")
    labels = list(projection.labels)
    m_n = projection.mean.shape[0]
    months = np.arange(m_n)
    growth = (1.0 + costs.inflation_pct_per_year / 100.0) ** (months / 12.0)
    steps = parts["step"].to_numpy()
    cols = np.array([labels.index(f"step_{s}") if f"step_{s}" in labels else -1 for s in steps])
    known = cols >= 0
    parts = parts.filter(pl.Series(known))
    children = projection.mean[:, cols[known]] * parts["weight"].to_numpy()[None, :]  # (M + 1, K)
    cost = children * parts["per_day"].to_numpy()[None, :] * DAYS_PER_MONTH * growth[:, None]
    k_n = parts.height
    return pl.DataFrame({
        "month": np.repeat(months, k_n),
        "month_end": pl.Series([projection.month_dates[m] for m in np.repeat(months, k_n)], dtype=pl.Date),
        "step": np.tile(parts["step"].to_numpy(), m_n),
        "type_code": parts["type_code"].to_list() * m_n,
        "provider": parts["provider"].to_list() * m_n,
        "children": children.ravel(), "cost": cost.ravel(),
        "currency": [costs.currency] * (m_n * k_n),
    })
