"""The KPI catalogue, loaded from TOML data shipped with the package."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field

from trappen._config import read_toml
from trappen._validation import StrictModel, Text, one_of, rule_file_error, validate_rule_file
from trappen.errors import Problem

BETTER = ("higher", "lower", "neutral")
DIMENSIONS = ("step", "from_step", "to_step", "district", "age_band", "placement_type", "duty")
"""The dimension columns of a KPI result (nullable strings)."""


@dataclass(frozen=True, kw_only=True)
class KpiDefinition:
    """One KPI: what it measures, how, in which unit, which direction is better, and the source."""

    code: str
    name_da: str
    name_en: str
    definition: str
    formula: str
    unit: str
    better: str
    source: str
    dimensions: tuple[str, ...] = ()

    def name(self, language: str = "da") -> str:
        return self.name_da if language == "da" else self.name_en


class _Kpi(StrictModel):
    code: Text
    name_da: Text
    name_en: Text
    definition: Text
    formula: Text
    unit: Text
    better: Annotated[str, one_of(BETTER, what="direction")]
    source: Text
    dimensions: list[Annotated[str, one_of(DIMENSIONS, what="dimension")]] = []


class _KpiFile(StrictModel):
    kpis: Annotated[list[_Kpi], Field(min_length=1)]


_AT_LEAST_ONE = "needs at least one [[kpis]] table"
_MESSAGES = {"kpis:missing": _AT_LEAST_ONE, "kpis:too_short": _AT_LEAST_ONE,
             "kpis:list_type": "must be a list of tables ([[kpis]])"}


def load_kpi_catalogue(path: Path | str | None = None) -> tuple[KpiDefinition, ...]:
    """Load a KPI catalogue TOML file; ``None`` gives the shipped one.

    Raises:
        ConfigurationError: a missing or empty key, an unknown ``better`` or dimension, a
            duplicate code: every problem, each with its key path (``kpis.<code>.better``) and value.
    """
    data, where = read_toml(path, package="trappen.kpi", name="kpis.toml")
    model = validate_rule_file(_KpiFile, data, where=where, named_items={"kpis": "code"}, messages=_MESSAGES)
    seen: dict[str, int] = {}
    duplicates = []
    for i, kpi in enumerate(model.kpis):
        if kpi.code in seen:
            duplicates.append(Problem(field=f"kpis[{i}].code", value=kpi.code,
                                      message=f"duplicate code (also kpis[{seen[kpi.code]}])"))
        seen.setdefault(kpi.code, i)
    if duplicates:
        raise rule_file_error(duplicates, where=where)
    return tuple(
        KpiDefinition(code=k.code, name_da=k.name_da, name_en=k.name_en, definition=k.definition,
                      formula=k.formula, unit=k.unit, better=k.better, source=k.source,
                      dimensions=tuple(k.dimensions))
        for k in model.kpis
    )


@cache
def kpi_catalogue() -> tuple[KpiDefinition, ...]:
    """The shipped KPI catalogue (cached)."""
    return load_kpi_catalogue()
