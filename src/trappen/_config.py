"""Reading the TOML data files that hold Trappen's rules (staircase, catalogue, duties, KPIs,
permissions, mappings): a municipality's own file, or the one shipped with the package.

:func:`parse_toml` is the one place TOML text becomes a table. It refuses text nested deeper
than :data:`MAX_TOML_DEPTH` (tables in tables, arrays in arrays) with :class:`InvalidInput`
instead of letting ``tomllib`` or a later ``repr`` die with a ``RecursionError``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from trappen.errors import ConfigurationError, InvalidInput, Problem

MAX_TOML_DEPTH = 32
"""Deepest nesting of tables and arrays accepted in any file; the deepest real file (an
investment case: a distribution in a price in the list of prices) needs 4."""


def parse_toml(text: str, *, field: str = "(toml)", value: object = None) -> dict[str, Any]:
    """The table in TOML ``text``, checked for depth (:func:`check_depth`).

    Args:
        field, value: how a problem names the file (e.g. ``"(file)"`` and its path).

    Raises:
        InvalidInput: not valid TOML (with the parser's line and column), or nested too deeply.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(Problem(field=field, value=value, message=f"not valid TOML: {exc}")) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively
        raise InvalidInput(
            Problem(field=field, value=value, message=f"nested deeper than {MAX_TOML_DEPTH} levels of arrays or tables")
        ) from None
    check_depth(data)
    return data


def check_depth(data: object, *, limit: int = MAX_TOML_DEPTH) -> None:
    """Refuse tables/arrays nested more than ``limit`` levels, naming the first key path.

    Iterative, so it cannot itself overflow the stack, and it runs before anything that
    recurses (validation, ``repr`` of a value in a message, a TOML writer).

    Raises:
        InvalidInput: the field is the key path down to the limit (shortened), never the value.
    """
    stack: list[tuple[object, int, str]] = [(data, 0, "")]
    while stack:
        obj, depth, path = stack.pop()
        if isinstance(obj, Mapping):
            children = [(v, f"{path}.{k}" if path else str(k)) for k, v in obj.items()]
        elif isinstance(obj, list | tuple):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(obj)]
        else:
            continue
        if depth >= limit and children:
            shown = path if len(path) <= 60 else path[:60] + "…"
            raise InvalidInput(
                Problem(
                    field=shown or "(toml)",
                    value=f"more than {limit} levels",
                    message=f"nested deeper than {limit} levels of arrays or tables",
                )
            )
        stack.extend((v, depth + 1, p) for v, p in children)


def toml_ready(data: Mapping[str, object], *, where: str = "") -> dict[str, object]:
    """A copy of ``data`` that a TOML writer accepts: tuples as lists, keys as text.

    Raises:
        InvalidInput: a value TOML cannot hold (None, NaN, an object), named by its key path,
            or nesting deeper than :data:`MAX_TOML_DEPTH`.
    """
    check_depth(data)

    def clean(value: object, path: str) -> object:
        if isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidInput(Problem(field=path, value=value, message="must be a finite number"))
            return value
        if isinstance(value, list | tuple):
            return [clean(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, Mapping):
            return {str(k): clean(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        raise InvalidInput(Problem(field=path, value=repr(value), message="cannot be written as TOML"))

    out = clean(data, where)
    assert isinstance(out, dict)
    return out


def read_toml(path: Path | str | None, *, package: str, name: str) -> tuple[dict[str, Any], str]:
    """The TOML file ``path``, or ``name`` in the ``data`` folder of ``package`` when None.

    Returns:
        (data, where): the parsed table and how error messages name the file.

    Raises:
        ConfigurationError: the file is missing or unreadable, not valid TOML, or nested too
            deeply (names the file).
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
        return parse_toml(text, field=where, value=where), where
    except InvalidInput as exc:
        (problem,) = exc.problems
        at = "" if problem.field == where else f" at {problem.field}"
        raise ConfigurationError(f"{where}{at}: {problem.message}") from None
