"""Reading the TOML data files that hold Trappen's rules (staircase, catalogue, duties, KPIs,
permissions, mappings): a municipality's own file, or the one shipped with the package."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from trappen.errors import ConfigurationError


def read_toml(path: Path | str | None, *, package: str, name: str) -> tuple[dict[str, Any], str]:
    """The TOML file ``path``, or ``name`` in the ``data`` folder of ``package`` when None.

    Returns:
        (data, where): the parsed table and how error messages name the file.

    Raises:
        ConfigurationError: the file is missing or unreadable, or not valid TOML (names the file).
    """
    if path is None:
        where = name
        text = (resources.files(package) / "data" / name).read_text(encoding="utf-8")
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigurationError(f"{where}: file not found") from None
        except OSError as exc:
            raise ConfigurationError(f"{where}: cannot read ({exc.strerror})") from None
    try:
        return tomllib.loads(text), where
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{where}: not valid TOML: {exc}") from None
