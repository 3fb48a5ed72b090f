"""The :class:`Register` container and its Parquet/CSV readers and writers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from trappen.register.schema import TABLE_NAMES, TABLES, conform, empty

FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class Register:
    """One analytic register: a frame per table of :data:`trappen.register.schema.TABLES`.

    Missing tables are empty frames with the right schema. ``meta`` carries provenance, e.g.
    the generator's seed, or the municipality name.
    """

    tables: Mapping[str, pl.DataFrame]
    meta: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_frames(cls, meta: Mapping[str, str] | None = None, **frames: pl.DataFrame) -> Register:
        unknown = set(frames) - set(TABLE_NAMES)
        if unknown:
            raise KeyError(f"unknown register table(s): {sorted(unknown)}")
        tables = {name: conform(name, frames[name]) if name in frames else empty(name)
                  for name in TABLE_NAMES}
        return cls(tables=tables, meta=dict(meta or {}))

    def __getattr__(self, name: str) -> pl.DataFrame:
        if name in TABLES:
            return self.tables[name]
        raise AttributeError(name)

    def replace(self, **frames: pl.DataFrame) -> Register:
        return Register.from_frames(self.meta, **{**self.tables, **frames})

    def write(self, directory: Path | str, *, fmt: str = "parquet") -> list[Path]:
        """Write one file per table (``episodes.parquet``, ...) into ``directory``."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in TABLE_NAMES:
            path = directory / f"{name}.{fmt}"
            frame = self.tables[name]
            if fmt == "parquet":
                frame.write_parquet(path, metadata={"trappen.table": name, **self.meta})
            else:
                frame.write_csv(path)
            paths.append(path)
        return paths

    @classmethod
    def read(cls, directory: Path | str, *, fmt: str | None = None) -> Register:
        """Read a register written by :meth:`write` (tables with no file are empty)."""
        directory = Path(directory)
        if not directory.is_dir():
            raise FileNotFoundError(f"{directory}: no such directory")
        if fmt is None:
            fmt = "parquet" if any(directory.glob("*.parquet")) else "csv"
        frames = {}
        for name in TABLE_NAMES:
            path = directory / f"{name}.{fmt}"
            if not path.exists():
                continue
            if fmt == "parquet":
                frames[name] = pl.read_parquet(path)
            else:
                frames[name] = pl.read_csv(path, schema=TABLES[name].schema, try_parse_dates=True)
        return cls.from_frames(**frames)
