"""Reading and writing the offer catalogue as CSV or Excel.

Layout (docs/offers.md): two tables, ``offers`` (one row per offer) and ``prices`` (one row per
price period). In Excel they are the sheets ``offers`` and ``prices`` of one workbook; in CSV
``FILE.csv`` holds the offers and ``FILE.prices.csv`` (next to it) the prices. Lists inside a
cell are separated by ``;``; dates are ISO (YYYY-MM-DD); an empty cell is "none".

Reading collects every problem (table, row, column, value) before refusing the file; nothing
partial is returned. Writing goes to temporary files renamed into place, so a failed write
leaves no half file.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from trappen.errors import InvalidInput, Problem
from trappen.offers._model import LIST_SEPARATOR, Offer, OfferCatalogue, OfferPrice
from trappen.offers._validate import OFFERS_TABLE, PRICES_TABLE, offer_problems
from trappen.staircase import Catalogue

OFFER_COLUMNS = (
    "offer_id", "name", "provider_kind", "provider_name", "steps", "intervention_codes",
    "legal_basis", "age_min_years", "age_max_years", "target_needs", "places",
    "opened_on", "closing_on", "closed_on", "national_register_id", "programme",
    "evidence_level", "evidence_source", "expected_effect_smd", "expected_effect_se", "effect_source",
)
PRICE_COLUMNS = ("offer_id", "valid_from", "valid_to", "price_dkk_per_day", "price_year", "source")
_REQUIRED = frozenset({"offer_id", "name", "provider_kind", "steps", "intervention_codes", "age_min_years",
                       "age_max_years", "places", "opened_on", "valid_from", "price_dkk_per_day", "price_year"})
_DATES = frozenset({"opened_on", "closing_on", "closed_on", "valid_from", "valid_to"})
_INTS = frozenset({"age_min_years", "age_max_years", "places", "price_year"})
_FLOATS = frozenset({"expected_effect_smd", "expected_effect_se", "price_dkk_per_day"})
_INT_LISTS = frozenset({"steps"})
_TEXT_LISTS = frozenset({"intervention_codes"})
_OPTIONAL_TEXT = frozenset({"national_register_id", "programme"})
_DEFAULTS = {"evidence_level": "not_assessed"}

Rows = list[tuple[int, dict[str, Any]]]


def prices_path(path: Path) -> Path:
    """The CSV file holding the prices of the offers in ``path`` (``X.csv`` -> ``X.prices.csv``)."""
    return path.with_name(f"{path.stem}.prices.csv")


# ----------------------------------------------------------------------------- reading cells
def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_int(text: str) -> int:
    number = float(text)  # "3" and Excel's "3.0" alike; "3.5" is refused below
    if not math.isfinite(number) or not number.is_integer():
        raise ValueError
    return int(number)


def _parse_cell(column: str, text: str) -> object:
    """The typed value of one cell; ValueError with a message when it cannot be read."""
    if text == "":
        if column in _REQUIRED:
            raise ValueError("required; the cell is empty")
        if column in _INT_LISTS or column in _TEXT_LISTS:
            return ()
        if column in _DATES or column in _FLOATS or column in _OPTIONAL_TEXT:
            return None
        return _DEFAULTS.get(column, "")
    try:
        if column in _DATES:
            return dt.date.fromisoformat(text)
        if column in _INTS:
            return _parse_int(text)
        if column in _FLOATS:
            return float(text)
        if column in _INT_LISTS:
            return tuple(_parse_int(part) for part in text.split(LIST_SEPARATOR) if part.strip())
        if column in _TEXT_LISTS:
            return tuple(part.strip() for part in text.split(LIST_SEPARATOR) if part.strip())
    except ValueError:
        kind = ("a date YYYY-MM-DD" if column in _DATES else "a whole number" if column in _INTS
                else "a number" if column in _FLOATS else f"whole numbers separated by '{LIST_SEPARATOR}'")
        raise ValueError(f"not {kind}") from None
    return text


def _typed(table: str, header: Sequence[object], raw_rows: Sequence[Sequence[object]],
           columns: Sequence[str], problems: list[Problem]) -> Rows:
    names = [_as_text(h) for h in header]
    for name in names:
        if name not in columns:
            problems.append(Problem(field=name, value=name, table=table, row=0,
                                    message=f"unknown column; the {table} table has {', '.join(columns)}"))
    missing = [c for c in columns if c not in names and c in _REQUIRED]
    for name in missing:
        problems.append(Problem(field=name, value=None, table=table, row=0, message="missing column"))
    if missing:
        return []
    rows: Rows = []
    for number, raw in enumerate(raw_rows, start=1):
        cells = {name: _as_text(raw[i]) if i < len(raw) else "" for i, name in enumerate(names) if name in columns}
        if not any(cells.values()):
            continue  # a blank line
        values: dict[str, Any] = {}
        for column in columns:
            try:
                values[column] = _parse_cell(column, cells.get(column, ""))
            except ValueError as exc:
                problems.append(Problem(field=column, value=cells.get(column, ""), message=str(exc),
                                        row=number, table=table))
        rows.append((number, values))
    return rows


def _catalogue_from_rows(offer_rows: Rows, price_rows: Rows, *, catalogue: Catalogue,
                         problems: list[Problem]) -> OfferCatalogue:
    prices: dict[str, list[tuple[int, OfferPrice]]] = {}
    ids = {values.get("offer_id") for _, values in offer_rows}
    for row, values in price_rows:
        if values.get("offer_id") not in ids:
            problems.append(Problem(field="offer_id", value=values.get("offer_id"), row=row, table=PRICES_TABLE,
                                    message="no offer with this id in the offers table"))
        elif all(c in values for c in PRICE_COLUMNS):
            prices.setdefault(values["offer_id"], []).append((row, OfferPrice(**values)))
    offers: list[Offer] = []
    rows: list[int] = []
    rows_of_prices: list[list[int]] = []
    for row, values in offer_rows:
        if not all(c in values for c in OFFER_COLUMNS):
            continue  # a cell could not be read; its problem is already listed
        own = prices.get(values["offer_id"], [])
        offers.append(Offer(**values, prices=tuple(p for _, p in own)))
        rows.append(row)
        rows_of_prices.append([r for r, _ in own])
    problems += offer_problems(offers, catalogue=catalogue, offer_rows=rows, price_rows=rows_of_prices)
    if problems:
        raise InvalidInput(sorted(problems, key=lambda p: (p.table or "", p.row or 0)))
    return OfferCatalogue(offers=tuple(offers))


def _read_csv(path: Path) -> tuple[list[object], list[list[object]]]:
    if not path.is_file():
        raise FileNotFoundError(f"no file {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(Problem(field="file", value=path.name,
                                   message=f"not a UTF-8 CSV file ({type(exc).__name__})")) from None
    rows: list[list[object]] = [list(line) for line in lines]
    return (rows[0], rows[1:]) if rows else ([], [])


def _read_sheet(book: Any, name: str, *, where: Path) -> tuple[list[object], list[list[object]]]:
    if name not in book.sheetnames:
        raise InvalidInput(Problem(field=name, value=None, table=str(where),
                                   message=f"no sheet named {name!r}; the workbook needs 'offers' and 'prices'"))
    lines = [list(r) for r in book[name].iter_rows(values_only=True)]
    return (lines[0], lines[1:]) if lines else ([], [])


def read_offers(path: Path | str, *, catalogue: Catalogue | None = None) -> OfferCatalogue:
    """Read and validate an offer catalogue (``.csv`` with its ``.prices.csv``, or ``.xlsx``).

    Raises:
        InvalidInput: every problem of the file, each naming table, row (1 = first data row; 0 =
            the header) and column; nothing is returned partially.
        FileNotFoundError: the file (or the CSV's prices file) is missing.
    """
    from trappen.staircase import default_catalogue

    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from zipfile import BadZipFile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        if not path.is_file():
            raise FileNotFoundError(f"no file {path}")
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (BadZipFile, InvalidFileException, KeyError, OSError) as exc:
            raise InvalidInput(Problem(field="file", value=path.name,
                                       message=f"not a readable Excel workbook ({type(exc).__name__})")) from None
        try:
            offers_raw = _read_sheet(book, OFFERS_TABLE, where=path)
            prices_raw = _read_sheet(book, PRICES_TABLE, where=path)
        finally:
            book.close()
    elif path.suffix.lower() == ".csv":
        offers_raw = _read_csv(path)
        prices_raw = _read_csv(prices_path(path))
    else:
        raise InvalidInput(Problem(field="file", value=path.name, message="an offer catalogue is .csv or .xlsx"))
    problems: list[Problem] = []
    offer_rows = _typed(OFFERS_TABLE, offers_raw[0], offers_raw[1], OFFER_COLUMNS, problems)
    price_rows = _typed(PRICES_TABLE, prices_raw[0], prices_raw[1], PRICE_COLUMNS, problems)
    return _catalogue_from_rows(offer_rows, price_rows, catalogue=catalogue or default_catalogue(),
                                problems=problems)


# ----------------------------------------------------------------------------- writing
def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _offer_cells(offer: Offer) -> list[object]:
    return [getattr(offer, c) for c in OFFER_COLUMNS]


def _price_cells(price: OfferPrice) -> list[object]:
    return [getattr(price, c) for c in PRICE_COLUMNS]


@contextmanager
def _replacing(*targets: Path) -> Iterator[list[Path]]:
    """Temporary paths next to ``targets``, renamed onto them only when the block succeeds."""
    temps = []
    for target in targets:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(handle)
        temps.append(Path(name))
    try:
        yield temps
        for temp, target in zip(temps, targets, strict=True):
            os.replace(temp, target)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in row] for row in rows])


def _excel_value(value: object) -> object:
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def write_offers(catalogue: OfferCatalogue, path: Path | str) -> list[Path]:
    """Write ``catalogue`` as ``.csv`` (plus ``.prices.csv``) or ``.xlsx``; return the files written.

    Reading the files back with :func:`read_offers` gives an equal catalogue.
    """
    path = Path(path)
    offers = [_offer_cells(o) for o in catalogue.offers]
    prices = [_price_cells(p) for o in catalogue.offers for p in o.prices]
    if path.suffix.lower() == ".csv":
        targets = [path, prices_path(path)]
        with _replacing(*targets) as temps:
            _write_csv(temps[0], OFFER_COLUMNS, offers)
            _write_csv(temps[1], PRICE_COLUMNS, prices)
        return targets
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(Problem(field="file", value=path.name, message="an offer catalogue is .csv or .xlsx"))
    from openpyxl import Workbook

    book = Workbook()
    sheets: list[tuple[str, Sequence[str], list[list[object]]]] = [
        (OFFERS_TABLE, OFFER_COLUMNS, offers), (PRICES_TABLE, PRICE_COLUMNS, prices)]
    for index, (name, columns, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = name
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_excel_value(v) for v in row])
        for column_cells in sheet.iter_cols(min_row=2):
            for cell in column_cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str):
                    cell.data_type = "s"  # "3" stays text, never a formula or a number
    with _replacing(path) as temps:
        book.save(temps[0])
    return [path]


