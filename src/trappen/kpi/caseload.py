"""The caseload target (children per full-time caseworker), read from ``data/caseload.toml``:
the one source of the default used by the KPI engine, the report and the web layer, which may
override it from settings (``TRAPPEN_CASELOAD_TARGET``) and pass the value in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from trappen._config import read_toml
from trappen.errors import ConfigurationError


def load_caseload_target(path: Path | str | None = None) -> float:
    """The target in ``path`` (default: the shipped ``caseload.toml``).

    Raises:
        ConfigurationError: the file is unreadable, or ``children_per_fte`` is missing or not a
            number above 0 (names the file and the value).
    """
    data, where = read_toml(path, package="trappen.kpi", name="caseload.toml")
    value = data.get("children_per_fte")
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(f"{where}: children_per_fte must be a number above 0, got {value!r}")
    return float(value)


@cache
def default_caseload_target() -> float:
    """The shipped target (25 children per FTE, the Herning model's; see the data file)."""
    return load_caseload_target()
