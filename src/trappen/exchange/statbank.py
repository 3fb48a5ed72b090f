"""Danmarks Statistik StatBank tables (statistikbanken.dk): municipality × year CSV files.

Two layouts are read, both semicolon separated:

* **long**, as the StatBank API writes it (``api.statbank.dk/v1/data/<table>/CSV``)::

      OMRÅDE;TID;INDHOLD
      Herning;2022;12,3

* **wide**, as the web download "semikolonsepareret" writes it: optional title lines, then a
  header row whose year cells are 4-digit years, then one row per municipality::

      "Anbragte børn pr. 1.000 0-17-årige"
      ;2021;2022
      Herning;11,9;12,3

Numbers may use a Danish decimal comma with dot thousands ("1.234,5") or a decimal point
("1234.5"); ``..`` and ``-`` (StatBank's "not available/confidential") become null. Files may
be UTF-8 (with or without BOM) or Windows-1252, as older downloads are.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl

from trappen.errors import InvalidInput, Problem

MUNICIPALITY_HEADERS = ("område", "omrade", "kommune", "komk", "municipality", "region", "area")
YEAR_HEADERS = ("tid", "år", "aar", "year", "time")
VALUE_HEADERS = ("indhold", "value", "værdi", "vaerdi")
MISSING = frozenset({"", "..", "...", "-", ":"})
_YEAR = re.compile(r"^\s*(\d{4})")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _number(text: str, *, decimal: str) -> float | None:
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if t in MISSING:
        return None
    if decimal == ",":
        t = t.replace(".", "").replace(",", ".")
    return float(t)


def read_statbank_csv(source: Path | str | bytes, *, decimal: str | None = None) -> pl.DataFrame:
    """Read a StatBank municipality × year table.

    Args:
        source: A path, or the file's bytes.
        decimal: ``","`` or ``"."``; default: a comma anywhere in the values means Danish
            numbers (dots are thousands separators).

    Returns:
        Frame ``municipality`` (str), ``year`` (Int16), ``value`` (Float64, null = not
        available), sorted by municipality and year.

    Raises:
        InvalidInput: a cell that is neither a number nor a StatBank missing mark, or a year
            that is not a year, named with its row (1 = first line of the file) and column.
    """
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    lines = list(csv.reader(io.StringIO(_decode(raw)), delimiter=";"))
    header_at, layout = None, None
    for i, row in enumerate(lines):
        cells = [c.strip().lower() for c in row]
        if len(cells) >= 3 and any(c in MUNICIPALITY_HEADERS for c in cells) and any(c in YEAR_HEADERS for c in cells):
            header_at, layout = i, "long"
            break
        if len(cells) >= 2 and sum(bool(_YEAR.match(c)) for c in cells[1:]) >= 1 and all(
                _YEAR.match(c) or c == "" for c in cells[1:]):
            header_at, layout = i, "wide"
            break
    if header_at is None:
        raise InvalidInput(Problem(field="header", value=None, table="statbank",
                                   message="no header found: expected OMRÅDE;TID;INDHOLD or a row of years"))
    header = lines[header_at]
    records: list[tuple[str, str, str, int, str]] = []  # municipality, year text, value text, row, column
    if layout == "long":
        low = [c.strip().lower() for c in header]
        m_col = next(i for i, c in enumerate(low) if c in MUNICIPALITY_HEADERS)
        y_col = next(i for i, c in enumerate(low) if c in YEAR_HEADERS)
        v_col = next((i for i, c in enumerate(low) if c in VALUE_HEADERS), len(low) - 1)
        for r, row in enumerate(lines[header_at + 1:], start=header_at + 2):
            if not any(c.strip() for c in row):
                continue
            if len(row) <= max(m_col, y_col, v_col):
                raise InvalidInput(Problem(field=header[v_col], value=";".join(row), row=r, table="statbank",
                                           message="too few cells"))
            records.append((row[m_col].strip(), row[y_col], row[v_col], r, v_col))
    else:
        year_cols = [i for i, c in enumerate(header) if i > 0 and _YEAR.match(c)]
        for r, row in enumerate(lines[header_at + 1:], start=header_at + 2):
            if not any(c.strip() for c in row):
                continue
            name = next((c.strip() for c in row[:year_cols[0]] if c.strip()), "")
            for j in year_cols:
                records.append((name, header[j], row[j] if j < len(row) else "", r, j))
    if decimal is None:
        decimal = "," if any("," in rec[2] for rec in records) else "."
    if decimal not in (",", "."):
        raise InvalidInput(Problem(field="decimal", value=decimal, message="must be ',' or '.'"))
    out_m, out_y, out_v = [], [], []
    for name, year_text, value_text, r, col in records:
        col_name = header[col].strip() or f"column {col + 1}"
        year = _YEAR.match(year_text)
        if not name:
            raise InvalidInput(Problem(field="municipality", value=name, row=r, table="statbank",
                                       message="municipality is empty"))
        if year is None:
            raise InvalidInput(Problem(field="year", value=year_text, row=r, table="statbank", message="not a year"))
        try:
            value = _number(value_text, decimal=decimal)
        except ValueError:
            raise InvalidInput(Problem(field=col_name, value=value_text, row=r, table="statbank",
                                       message="not a number")) from None
        out_m.append(name)
        out_y.append(int(year.group(1)))
        out_v.append(value)
    frame = pl.DataFrame({"municipality": out_m, "year": out_y, "value": out_v},
                         schema={"municipality": pl.String, "year": pl.Int16, "value": pl.Float64})
    dup = frame.filter(pl.struct("municipality", "year").is_duplicated())
    if dup.height:
        raise InvalidInput(Problem(field="year", value=int(dup["year"][0]), table="statbank",
                                   message=f"{dup['municipality'][0]} appears twice for this year"))
    return frame.sort("municipality", "year")
