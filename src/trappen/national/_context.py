"""The national store's context tables beside the bundles: adoption years, socio-economic
indicators (for peer groups) and published StatBank tables of Danmarks Statistik.

Layout (files in the store's root, beside ``ledger.json``; the bundles' rows live in
``<code>/<year>.parquet``)::

    STORE/adoption.parquet          municipality_code, year, source
    STORE/indicators.parquet        municipality_code, name, <indicator columns>, source
    STORE/statbank-<TABLE>.parquet  table, title, unit, municipality, year, value

Each import replaces the table as a whole; importing the same file again writes nothing.
A bad file is refused with its row and column named, and nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl

from trappen.errors import InvalidInput, Problem
from trappen.national._keys import MUNICIPALITY_CODE
from trappen.national._store import _write_atomic

ADOPTION = "adoption.parquet"
INDICATORS = "indicators.parquet"
STATBANK_PREFIX = "statbank-"
_TABLE_ID = re.compile(r"^[A-Z0-9]{2,12}$")
_ADOPTION_SCHEMA = {"municipality_code": pl.String, "year": pl.Int32, "source": pl.String}
_STATBANK_SCHEMA = {"table": pl.String, "title": pl.String, "unit": pl.String, "municipality": pl.String,
                    "year": pl.Int32, "value": pl.Float64}


def _rows(path: Path | str, *, table: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(Problem(field="file", value=str(path), table=table, message="not UTF-8 text")) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    return header, [(i, row) for i, row in enumerate(reader, start=2)]


def _replace(store_dir: Path, name: str, frame: pl.DataFrame) -> bool:
    """Write ``frame`` as ``name`` unless the stored table is equal; whether it was written."""
    path = store_dir / name
    if path.exists() and pl.read_parquet(path).equals(frame):
        return False
    _write_atomic(path, frame.write_parquet)
    return True


def _code(value: str, *, row: int, table: str) -> str:
    code = (value or "").strip()
    if not MUNICIPALITY_CODE.match(code):
        raise InvalidInput(Problem(field="municipality_code", value=code, row=row, table=table,
                                   message="a municipality code is three digits, e.g. 657"))
    return code


def adoption_read_csv(path: Path | str) -> pl.DataFrame:
    """Adoption years from a CSV with the columns ``municipality_code,year,source``: the first
    calendar year the municipality worked the Herning way (one row per municipality)."""
    header, rows = _rows(path, table="adoption")
    missing = [c for c in _ADOPTION_SCHEMA if c not in header]
    if missing:
        raise InvalidInput(Problem(field=missing[0], value=None, table="adoption", row=1,
                                   message="column missing: expected municipality_code,year,source"))
    out: dict[str, tuple[int, str]] = {}
    for r, row in rows:
        code = _code(row["municipality_code"], row=r, table="adoption")
        text = (row["year"] or "").strip()
        if not re.fullmatch(r"(19|20)\d\d", text):
            raise InvalidInput(Problem(field="year", value=text, row=r, table="adoption",
                                       message="a calendar year, e.g. 2015"))
        source = (row["source"] or "").strip()
        if not source:
            raise InvalidInput(Problem(field="source", value=source, row=r, table="adoption",
                                       message="say where the adoption year comes from"))
        if code in out:
            raise InvalidInput(Problem(field="municipality_code", value=code, row=r, table="adoption",
                                       message="the municipality appears twice"))
        out[code] = (int(text), source)
    return pl.DataFrame([(c, y, s) for c, (y, s) in sorted(out.items())], schema=_ADOPTION_SCHEMA, orient="row")


def adoption_import(path: Path | str, *, store_dir: Path | str) -> tuple[int, bool]:
    """Replace the store's adoption years with the file's; (rows, whether anything changed)."""
    frame = adoption_read_csv(path)
    return frame.height, _replace(Path(store_dir), ADOPTION, frame)


def adoption_read(store_dir: Path | str) -> pl.DataFrame:
    """The stored adoption years (empty when none were imported)."""
    path = Path(store_dir) / ADOPTION
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=_ADOPTION_SCHEMA)


def indicators_read_csv(path: Path | str) -> pl.DataFrame:
    """Socio-economic indicators per municipality: ``municipality_code,name,<indicator>...,source``;
    every other column is a number (decimal point) used for the peer groups."""
    header, rows = _rows(path, table="indicators")
    for column in ("municipality_code", "name", "source"):
        if column not in header:
            raise InvalidInput(Problem(field=column, value=None, table="indicators", row=1,
                                       message="column missing: expected municipality_code,name,...,source"))
    numeric = [c for c in header if c not in ("municipality_code", "name", "source")]
    if not numeric:
        raise InvalidInput(Problem(field="header", value=",".join(header), table="indicators", row=1,
                                   message="no indicator columns"))
    records, seen = [], set()
    for r, row in rows:
        code = _code(row["municipality_code"], row=r, table="indicators")
        if code in seen:
            raise InvalidInput(Problem(field="municipality_code", value=code, row=r, table="indicators",
                                       message="the municipality appears twice"))
        seen.add(code)
        record: dict[str, object] = {"municipality_code": code, "name": (row["name"] or "").strip() or code}
        for c in numeric:
            try:
                record[c] = float((row[c] or "").strip())
            except ValueError:
                raise InvalidInput(Problem(field=c, value=row[c], row=r, table="indicators",
                                           message="not a number")) from None
        record["source"] = (row["source"] or "").strip()
        records.append(record)
    schema = {"municipality_code": pl.String, "name": pl.String, **{c: pl.Float64 for c in numeric},
              "source": pl.String}
    return pl.DataFrame(records, schema=schema).sort("municipality_code")


def indicators_import(path: Path | str, *, store_dir: Path | str) -> tuple[int, bool]:
    """Replace the store's indicators with the file's; (rows, whether anything changed)."""
    frame = indicators_read_csv(path)
    return frame.height, _replace(Path(store_dir), INDICATORS, frame)


def indicators_read(store_dir: Path | str) -> pl.DataFrame:
    """The stored indicators (empty when none were imported)."""
    path = Path(store_dir) / INDICATORS
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(
        schema={"municipality_code": pl.String, "name": pl.String, "source": pl.String})


def statbank_import(path: Path | str, *, store_dir: Path | str, table: str, title: str,
                    unit: str = "") -> tuple[int, bool]:
    """Read a StatBank table file (:func:`trappen.exchange.statbank.read_statbank_csv`: the
    published semicolon-separated layouts) into the store as ``statbank-<TABLE>.parquet``;
    (rows, whether anything changed)."""
    from trappen.exchange.statbank import read_statbank_csv

    if not _TABLE_ID.match(table or ""):
        raise InvalidInput(Problem(field="table", value=table, table="statbank",
                                   message="a StatBank table id: capitals and digits, e.g. AUK01"))
    frame = read_statbank_csv(Path(path))
    frame = frame.select(table=pl.lit(table), title=pl.lit(title), unit=pl.lit(unit),
                         municipality=pl.col("municipality"), year=pl.col("year").cast(pl.Int32),
                         value=pl.col("value"))
    return frame.height, _replace(Path(store_dir), f"{STATBANK_PREFIX}{table}.parquet", frame)


def statbank_read(store_dir: Path | str) -> pl.DataFrame:
    """Every stored StatBank table, long: table, title, unit, municipality, year, value."""
    files = sorted(Path(store_dir).glob(f"{STATBANK_PREFIX}*.parquet"))
    if not files:
        return pl.DataFrame(schema=_STATBANK_SCHEMA)
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical")
