"""The statutory duties as data (``data/duties.toml``) and the municipality's own settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

import polars as pl
from pydantic import Field

from trappen._config import read_toml
from trappen._validation import StrictModel, Text, rule_file_error, validate_rule_file
from trappen.errors import InvalidInput, Problem

REF_TABLES = frozenset({"notifications", "investigations", "episodes", "children", "complaints"})

COMPUTED_PARAMS: dict[str, tuple[str, ...]] = {
    "D1": ("hours",),
    "D2": ("working_days",),
    "D6": ("months",),
    "D8": ("months",),
    "D9": ("months",),
    "D10": ("months",),
    "D11": ("interval_months",),
    "D12": ("visits_per_year",),
    "D14": ("months_before_18",),
    "D16": ("weeks",),
}
"""The duties the engine computes and the integer parameters each must carry in the data file."""


@dataclass(frozen=True, kw_only=True)
class Duty:
    """One duty of Barnets Lov with its rule and legal source."""

    id: str
    name_da: str
    name_en: str
    rule: str
    barnets_lov: str
    serviceloven: str
    notes: str = ""
    computed: bool = False
    ref_table: str | None = None
    params: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def legal_source(self) -> str:
        """E.g. ``"Barnets Lov § 136 (tidl. serviceloven § 155 stk. 2)"``."""
        former = self.serviceloven.strip()
        if former and former != "—":
            return f"Barnets Lov {self.barnets_lov} (tidl. serviceloven {former})"
        return f"Barnets Lov {self.barnets_lov}"

    def name(self, language: str = "da") -> str:
        return self.name_da if language == "da" else self.name_en

    def param(self, key: str) -> int:
        return self.params[key]


@dataclass(frozen=True, kw_only=True)
class Duties:
    """All duties, by id."""

    source: str
    duties: tuple[Duty, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {d.id: d for d in self.duties})

    def get(self, duty_id: str) -> Duty:
        try:
            return self._by_id[duty_id]  # type: ignore[attr-defined,no-any-return]
        except KeyError:
            raise KeyError(duty_id) from None

    def __getitem__(self, duty_id: str) -> Duty:
        return self.get(duty_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.duties)

    @property
    def computed(self) -> tuple[Duty, ...]:
        return tuple(d for d in self.duties if d.computed)


class _Duty(StrictModel):
    id: Text
    name_da: Text
    name_en: Text
    rule: Text
    barnets_lov: Text
    serviceloven: Text
    notes: str = ""
    computed: bool = False
    ref_table: str | None = None
    params: dict[str, Annotated[int, Field(gt=0)]] = {}


class _DutiesFile(StrictModel):
    duties: Annotated[list[_Duty], Field(min_length=1)]


_AT_LEAST_ONE = "needs at least one [[duties]] table"
_MESSAGES = {"duties:missing": _AT_LEAST_ONE, "duties:too_short": _AT_LEAST_ONE,
             "duties:list_type": "must be a list of tables ([[duties]])"}


def _engine_problems(duties: list[_Duty]) -> list[Problem]:
    """What the engine needs of the file: one entry per id, and every duty it computes marked
    ``computed`` with its parameters and the register table it is checked on."""
    problems = []
    first: dict[str, int] = {}
    for i, d in enumerate(duties):
        if d.id in first:
            problems.append(Problem(field=f"duties[{i}].id", value=d.id,
                                    message=f"duplicate duty id (also duties[{first[d.id]}])"))
            continue
        first[d.id] = i
        if not d.computed:
            continue
        at = f"duties.{d.id}"
        needed = COMPUTED_PARAMS.get(d.id)
        if needed is None:
            problems.append(Problem(field=f"{at}.computed", value=True,
                                    message="the engine has no rule for this id; set computed = false"))
            continue
        problems += [Problem(field=f"{at}.params.{key}", value=None,
                             message=f"missing (the engine's rule for {d.id} needs it)")
                     for key in needed if key not in d.params]
        if d.ref_table not in REF_TABLES:
            problems.append(Problem(field=f"{at}.ref_table", value=d.ref_table,
                                    message=f"must be one of {', '.join(sorted(REF_TABLES))}"))
    missing = sorted(set(COMPUTED_PARAMS) - {d.id for d in duties if d.computed})
    if missing:
        problems.append(Problem(field="duties", value=missing,
                                message="computed duties missing (the engine needs each with computed = true)"))
    return problems


def load_duties(path: Path | str | None = None) -> Duties:
    """Load a duties TOML file; ``None`` gives the shipped ``data/duties.toml``.

    Raises:
        ConfigurationError: the file is missing or malformed, an id repeats, or a computed duty
            lacks one of the parameters the engine needs: every problem, each naming the file,
            the key path (``duties.D1.params.hours``) and the value.
    """
    data, where = read_toml(path, package="trappen.deadlines", name="duties.toml")
    model = validate_rule_file(_DutiesFile, data, where=where, named_items={"duties": "id"}, messages=_MESSAGES)
    problems = _engine_problems(model.duties)
    if problems:
        raise rule_file_error(problems, where=where)
    return Duties(source=where, duties=tuple(
        Duty(id=d.id, name_da=d.name_da, name_en=d.name_en, rule=d.rule, barnets_lov=d.barnets_lov,
             serviceloven=d.serviceloven, notes=d.notes, computed=d.computed, ref_table=d.ref_table,
             params=MappingProxyType(dict(d.params)))
        for d in model.duties))


def duties_frame(duties: Duties | None = None) -> pl.DataFrame:
    """The duties as a table to join on ``duty_id`` (labels for pages, reports and KPIs).

    Columns: duty_id, name_da, name_en, rule, barnets_lov, serviceloven, legal_source, computed.
    """
    duties = duties if duties is not None else default_duties()
    return pl.DataFrame(
        [{"duty_id": d.id, "name_da": d.name_da, "name_en": d.name_en, "rule": d.rule,
          "barnets_lov": d.barnets_lov, "serviceloven": d.serviceloven,
          "legal_source": d.legal_source, "computed": d.computed} for d in duties.duties],
        schema={"duty_id": pl.String, "name_da": pl.String, "name_en": pl.String, "rule": pl.String,
                "barnets_lov": pl.String, "serviceloven": pl.String, "legal_source": pl.String,
                "computed": pl.Boolean})


@cache
def default_duties() -> Duties:
    """The shipped duties (cached)."""
    return load_duties()


@dataclass(frozen=True, kw_only=True)
class DeadlineConfig:
    """What a municipality sets itself. The core never reads settings: pass this in.

    Attributes:
        follow_up_interval_months: months between later follow-ups (D11). Barnets Lov § 95
            stk. 3-5 lets the municipality set and justify its own schedule. ``None`` = D11's
            ``interval_months`` in the duties file (3, Herning's practice).
        plan_lead_days: a plan made up to this many days before a measure starts counts for it
            (D8/D9): Barnets Lov § 91 stk. 2 asks for the plan *before* the decision on a
            placement without consent. Trappen default, an assumption: one month.
        ungeplan_from_age_years: plans made from this birthday until the 18th count as the
            ungeplan (D14). Trappen default, an assumption: the register has no ungeplan table.
        duties: the duties data; ``None`` = the shipped ``duties.toml``.
    """

    follow_up_interval_months: int | None = None  # None: duties.toml D11 (Herning: 3 months)
    plan_lead_days: int = 31  # Trappen assumption (see docstring)
    ungeplan_from_age_years: int = 17  # Trappen assumption (see docstring)
    duties: Duties | None = None

    def __post_init__(self) -> None:
        problems = []
        for name, low, high in (("follow_up_interval_months", 1, 24), ("plan_lead_days", 0, 366),
                                ("ungeplan_from_age_years", 0, 17)):
            value = getattr(self, name)
            if value is None and name == "follow_up_interval_months":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                problems.append(Problem(field=name, value=value,
                                        message=f"must be a whole number from {low} to {high}"))
        if problems:
            raise InvalidInput(problems)

    @property
    def resolved_duties(self) -> Duties:
        return self.duties if self.duties is not None else default_duties()

    @property
    def interval_months(self) -> int:
        """The follow-up interval in force: this config's, else the duties file's D11."""
        if self.follow_up_interval_months is not None:
            return self.follow_up_interval_months
        return self.resolved_duties["D11"].param("interval_months")
