"""Steps, staircases and the intervention catalogue, loaded from TOML data files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from trappen._config import read_toml
from trappen.errors import ConfigurationError

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


def _require(entry: dict, key: str, kind: type | tuple[type, ...], where: str) -> object:
    if key not in entry:
        raise ConfigurationError(f"{where}: missing key '{key}'")
    value = entry[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ConfigurationError(f"{where}: key '{key}' has the wrong type: {value!r}")
    return value


def load_staircase(path: Path | str | None = None) -> Staircase:
    """Load a staircase TOML file; ``None`` gives Socialstyrelsen's six steps.

    Raises:
        ConfigurationError: the file is missing, malformed, or its steps are not 1..N.
    """
    data, where = read_toml(path, package="trappen.staircase", name="staircase.toml")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ConfigurationError(f"{where}: needs at least one [[steps]] table")
    steps = []
    for i, entry in enumerate(raw_steps, start=1):
        at = f"{where} step #{i}"
        category = _require(entry, "category", str, at)
        if category not in CATEGORIES:
            raise ConfigurationError(f"{at}: unknown category {category!r}; use one of {CATEGORIES}")
        steps.append(Step(
            number=int(_require(entry, "number", int, at)),  # type: ignore[arg-type]
            category=str(category),
            name_da=str(_require(entry, "name_da", str, at)),
            name_en=str(_require(entry, "name_en", str, at)),
            decision=str(entry.get("decision", "")),
            covers=str(entry.get("covers", "")),
            barnets_lov=str(entry.get("barnets_lov", "")),
            serviceloven=str(entry.get("serviceloven", "")),
        ))
    numbers = [s.number for s in steps]
    if numbers != list(range(1, len(steps) + 1)):
        raise ConfigurationError(f"{where}: steps must be numbered 1..{len(steps)} in order, got {numbers}")
    return Staircase(name=str(data.get("name", where)), source=str(data.get("source", "")),
                     steps=tuple(steps))


def load_catalogue(path: Path | str | None = None, *, staircase: Staircase | None = None) -> Catalogue:
    """Load an intervention catalogue TOML file, checked against ``staircase``.

    Raises:
        ConfigurationError: a missing key, an unknown unit, a duplicate code, or a step the
            staircase does not have.
    """
    staircase = staircase or load_staircase()
    data, where = read_toml(path, package="trappen.staircase", name="interventions.toml")
    raw = data.get("interventions")
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError(f"{where}: needs at least one [[interventions]] table")
    types: list[InterventionType] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw, start=1):
        at = f"{where} intervention #{i}"
        code = str(_require(entry, "code", str, at))
        at = f"{where} intervention {code}"
        if code in seen:
            raise ConfigurationError(f"{at}: duplicate code")
        seen.add(code)
        steps = _require(entry, "steps", list, at)
        bad = [s for s in steps if s not in staircase.numbers]  # type: ignore[union-attr]
        if bad or not steps:
            raise ConfigurationError(f"{at}: steps {steps} not on the staircase {staircase.numbers}")
        unit = str(_require(entry, "unit", str, at))
        if unit not in UNITS:
            raise ConfigurationError(f"{at}: unknown unit {unit!r}; use one of {sorted(UNITS)}")
        price = float(_require(entry, "price_dkk", (int, float), at))  # type: ignore[arg-type]
        intensity = float(_require(entry, "units_per_day", (int, float), at))  # type: ignore[arg-type]
        if price < 0 or intensity < 0:
            raise ConfigurationError(f"{at}: price_dkk and units_per_day must not be negative")
        types.append(InterventionType(
            code=code,
            name_da=str(_require(entry, "name_da", str, at)),
            name_en=str(_require(entry, "name_en", str, at)),
            steps=tuple(int(s) for s in steps),  # type: ignore[union-attr]
            barnets_lov=str(_require(entry, "barnets_lov", str, at)),
            serviceloven=str(_require(entry, "serviceloven", str, at)),
            unit=unit,
            price_dkk=price,
            price_year=int(_require(entry, "price_year", int, at)),  # type: ignore[arg-type]
            price_source=str(_require(entry, "price_source", str, at)),
            units_per_day=intensity,
            aftercare=bool(entry.get("aftercare", False)),
        ))
    return Catalogue(staircase=staircase, types=tuple(types))


@cache
def default_staircase() -> Staircase:
    """Socialstyrelsen's staircase shipped with the package (cached)."""
    return load_staircase()


@cache
def default_catalogue() -> Catalogue:
    """The shipped intervention catalogue on the default staircase (cached)."""
    return load_catalogue(staircase=default_staircase())
