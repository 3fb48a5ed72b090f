"""The KPI catalogue, loaded from TOML data shipped with the package."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from trappen._config import read_toml
from trappen.errors import ConfigurationError

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


_KEYS = ("code", "name_da", "name_en", "definition", "formula", "unit", "better", "source")


def load_kpi_catalogue(path: Path | str | None = None) -> tuple[KpiDefinition, ...]:
    """Load a KPI catalogue TOML file; ``None`` gives the shipped one.

    Raises:
        ConfigurationError: a missing key, an unknown ``better`` or dimension, a duplicate code.
    """
    data, where = read_toml(path, package="trappen.kpi", name="kpis.toml")
    out: list[KpiDefinition] = []
    seen: set[str] = set()
    for i, entry in enumerate(data.get("kpis", []), start=1):
        at = f"{where} kpi #{i}"
        for key in _KEYS:
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ConfigurationError(f"{at}: missing or empty key '{key}'")
        if entry["code"] in seen:
            raise ConfigurationError(f"{at}: duplicate code {entry['code']!r}")
        seen.add(entry["code"])
        if entry["better"] not in BETTER:
            raise ConfigurationError(f"{at}: better must be one of {BETTER}, got {entry['better']!r}")
        dims = tuple(entry.get("dimensions", ()))
        if set(dims) - set(DIMENSIONS):
            raise ConfigurationError(f"{at}: unknown dimension(s) {sorted(set(dims) - set(DIMENSIONS))}")
        out.append(KpiDefinition(**{k: entry[k] for k in _KEYS}, dimensions=dims))
    if not out:
        raise ConfigurationError(f"{where}: needs at least one [[kpis]] table")
    return tuple(out)


@cache
def kpi_catalogue() -> tuple[KpiDefinition, ...]:
    """The shipped KPI catalogue (cached)."""
    return load_kpi_catalogue()
