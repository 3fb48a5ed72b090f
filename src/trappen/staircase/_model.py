"""Steps, staircases and the intervention catalogue, loaded from TOML data files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from trappen._config import read_toml
from trappen._validation import Finite, StrictModel, Text, one_of, rule_file_error, validate_rule_file
from trappen.errors import Problem

CATEGORIES = (
    "universal",
    "preventive",
    "home_based",
    "kinship_care",
    "foster_care",
    "residential_care",
)
"""Step categories KPIs use. Placement categories are the last three."""

PLACEMENT_CATEGORIES = frozenset({"kinship_care", "foster_care", "residential_care"})
FAMILY_CARE_CATEGORIES = frozenset({"kinship_care", "foster_care"})

NOT_ON_STAIRCASE = 0
"""The step number of a child with no active intervention."""


@dataclass(frozen=True, kw_only=True)
class Step:
    """One step of a staircase. ``number`` starts at 1 (closest to everyday life)."""

    number: int
    category: str
    name_da: str
    name_en: str
    decision: str = ""
    covers: str = ""
    barnets_lov: str = ""
    serviceloven: str = ""

    @property
    def is_placement(self) -> bool:
        return self.category in PLACEMENT_CATEGORIES

    def name(self, language: str = "da") -> str:
        return self.name_da if language == "da" else self.name_en


@dataclass(frozen=True, kw_only=True)
class Staircase:
    """An ordered staircase of steps 1..N."""

    name: str
    source: str
    steps: tuple[Step, ...]

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(s.number for s in self.steps)

    @property
    def top(self) -> int:
        return self.steps[-1].number

    def step(self, number: int) -> Step:
        for s in self.steps:
            if s.number == number:
                return s
        raise KeyError(number)

    def numbers_in(self, categories: frozenset[str] | set[str] | tuple[str, ...]) -> tuple[int, ...]:
        """Step numbers whose category is one of ``categories``."""
        return tuple(s.number for s in self.steps if s.category in categories)

    @property
    def placement_steps(self) -> tuple[int, ...]:
        return self.numbers_in(PLACEMENT_CATEGORIES)


@dataclass(frozen=True, kw_only=True)
class InterventionType:
    """One entry of the intervention catalogue.

    ``cost_dkk_per_day`` is the default price times the typical intensity; it is what spending
    on an episode accrues per day at the catalogue's price year.
    """

    code: str
    name_da: str
    name_en: str
    steps: tuple[int, ...]
    barnets_lov: str
    serviceloven: str
    unit: str
    price_dkk: float
    price_year: int
    price_source: str
    units_per_day: float
    aftercare: bool = False

    @property
    def cost_dkk_per_day(self) -> float:
        return self.price_dkk * self.units_per_day

    @property
    def price_is_estimate(self) -> bool:
        return self.price_source.startswith("estimate")

    def name(self, language: str = "da") -> str:
        return self.name_da if language == "da" else self.name_en


UNITS = frozenset({"visit", "hour", "day", "month", "year", "course"})


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    """The intervention catalogue, checked against a staircase."""

    staircase: Staircase
    types: tuple[InterventionType, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {t.code: t for t in self.types})

    def get(self, code: str) -> InterventionType:
        try:
            return self._by_code[code]  # type: ignore[attr-defined,no-any-return]
        except KeyError:
            raise KeyError(code) from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code  # type: ignore[attr-defined]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.types)

    def for_step(self, number: int) -> tuple[InterventionType, ...]:
        return tuple(t for t in self.types if number in t.steps)


class _Step(StrictModel):
    number: int
    category: Annotated[str, one_of(CATEGORIES, what="category")]
    name_da: str
    name_en: str
    decision: str = ""
    covers: str = ""
    barnets_lov: str = ""
    serviceloven: str = ""


class _StaircaseFile(StrictModel):
    name: str | None = None
    source: str = ""
    steps: Annotated[list[_Step], Field(min_length=1)]


def _on_the_staircase(step: int, info: ValidationInfo) -> int:
    numbers = (info.context or {})["steps"]
    if step not in numbers:
        raise PydanticCustomError("not_on_staircase", "step not on the staircase {numbers}",
                                  {"numbers": ", ".join(str(n) for n in numbers)})
    return step


class _Intervention(StrictModel):
    code: Text
    name_da: str
    name_en: str
    steps: Annotated[list[Annotated[int, AfterValidator(_on_the_staircase)]], Field(min_length=1)]
    barnets_lov: str
    serviceloven: str
    unit: Annotated[str, one_of(sorted(UNITS), what="unit")]
    price_dkk: Annotated[Finite, Field(ge=0)]
    price_year: int
    price_source: str
    units_per_day: Annotated[Finite, Field(ge=0)]
    aftercare: bool = False


class _CatalogueFile(StrictModel):
    interventions: Annotated[list[_Intervention], Field(min_length=1)]


def _tables_needed(key: str) -> dict[str, str]:
    """Messages for a file without its list of ``[[key]]`` tables."""
    text = f"needs at least one [[{key}]] table"
    return {f"{key}:missing": text, f"{key}:too_short": text,
            f"{key}:list_type": f"must be a list of tables ([[{key}]])"}


def load_staircase(path: Path | str | None = None) -> Staircase:
    """Load a staircase TOML file; ``None`` gives Socialstyrelsen's six steps.

    Raises:
        ConfigurationError: the file is missing, malformed, or its steps are not 1..N: every
            problem, each naming the file, the key path (``steps[2].category``) and the value.
    """
    data, where = read_toml(path, package="trappen.staircase", name="staircase.toml")
    m = validate_rule_file(_StaircaseFile, data, where=where, messages=_tables_needed("steps"))
    n = len(m.steps)
    misnumbered = [Problem(field=f"steps[{i}].number", value=s.number,
                           message=f"steps must be numbered 1..{n} in order; expected {i + 1}")
                   for i, s in enumerate(m.steps) if s.number != i + 1]
    if misnumbered:
        raise rule_file_error(misnumbered, where=where)
    steps = tuple(Step(number=s.number, category=s.category, name_da=s.name_da, name_en=s.name_en,
                       decision=s.decision, covers=s.covers, barnets_lov=s.barnets_lov,
                       serviceloven=s.serviceloven) for s in m.steps)
    return Staircase(name=m.name if m.name is not None else where, source=m.source, steps=steps)


def load_catalogue(path: Path | str | None = None, *, staircase: Staircase | None = None) -> Catalogue:
    """Load an intervention catalogue TOML file, checked against ``staircase``.

    Raises:
        ConfigurationError: a missing key, an unknown unit, a duplicate code, or a step the
            staircase does not have: every problem, each naming the file, the key path
            (``interventions.FOSTER_GENERAL.steps[0]``) and the value.
    """
    staircase = staircase or load_staircase()
    data, where = read_toml(path, package="trappen.staircase", name="interventions.toml")
    messages = {**_tables_needed("interventions"), "interventions.*.steps:too_short": "needs at least one step"}
    m = validate_rule_file(_CatalogueFile, data, where=where, named_items={"interventions": "code"},
                           messages=messages, context={"steps": staircase.numbers})
    first: dict[str, int] = {}
    duplicates = []
    for i, t in enumerate(m.interventions):
        if t.code in first:
            duplicates.append(Problem(field=f"interventions[{i}].code", value=t.code,
                                      message=f"duplicate code (also interventions[{first[t.code]}])"))
        first.setdefault(t.code, i)
    if duplicates:
        raise rule_file_error(duplicates, where=where)
    return Catalogue(staircase=staircase, types=tuple(
        InterventionType(code=t.code, name_da=t.name_da, name_en=t.name_en, steps=tuple(t.steps),
                         barnets_lov=t.barnets_lov, serviceloven=t.serviceloven, unit=t.unit,
                         price_dkk=float(t.price_dkk), price_year=t.price_year, price_source=t.price_source,
                         units_per_day=float(t.units_per_day), aftercare=t.aftercare)
        for t in m.interventions))


@cache
def default_staircase() -> Staircase:
    """Socialstyrelsen's staircase shipped with the package (cached)."""
    return load_staircase()


@cache
def default_catalogue() -> Catalogue:
    """The shipped intervention catalogue on the default staircase (cached)."""
    return load_catalogue(staircase=default_staircase())
