"""The offer catalogue's files: bad files are refused naming table, row and column, and nothing is
written; CSV and Excel round-trip exactly."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from trappen.cli import app
from trappen.errors import InvalidInput, Problem
from trappen.offers import OfferCatalogue, prices_path, read_offers, validate_offers, write_offers
from trappen.synthetic import synthetic_offers

runner = CliRunner()


@pytest.fixture(scope="module")
def catalogue() -> OfferCatalogue:
    return synthetic_offers(seed=7, offers=40)


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _set(path: Path, *, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV file (row 1 = the first data row)."""
    rows = _rows(path)
    rows[row][rows[0].index(column)] = value
    _write_rows(path, rows)


def _first_row(catalogue: OfferCatalogue, wanted: object) -> int:
    return next(i for i, o in enumerate(catalogue.offers, start=1) if wanted(o))  # type: ignore[operator]


def _refused(path: Path) -> list[Problem]:
    with pytest.raises(InvalidInput) as caught:
        read_offers(path)
    return caught.value.problems


def _where(problems: list[Problem]) -> set[tuple[str | None, int | None, str]]:
    return {(p.table, p.row, p.field) for p in problems}


BAD_CELLS = [  # (column, value, which offer, why)
    ("steps", "7", lambda o: True, "unknown step"),
    ("steps", "3;x", lambda o: True, "a step that is not a number"),
    ("intervention_codes", "NO_SUCH_CODE", lambda o: True, "unknown intervention code"),
    ("intervention_codes", "SECURE_INSTITUTION", lambda o: o.steps == (1,), "a code not used on the offer's step"),
    ("places", "-2", lambda o: True, "negative places"),
    ("places", "2.5", lambda o: True, "non-integer places"),
    ("age_max_years", "25", lambda o: True, "an age above 22"),
    ("age_min_years", "-1", lambda o: True, "an age below 0"),
    ("closing_on", "1990-01-01", lambda o: True, "closing before opening: the timeline goes backwards"),
    ("closed_on", "2025-01-01", lambda o: o.closing_on is not None and o.closing_on > dt.date(2025, 1, 1),
     "closed before closing"),
    ("evidence_level", "very strong", lambda o: True, "an evidence level not in the list"),
    ("expected_effect_se", "-0.1", lambda o: o.expected_effect_smd is not None, "a negative uncertainty"),
    ("provider_kind", "church", lambda o: True, "an unknown provider"),
    ("opened_on", "01-02-2020", lambda o: True, "a date not in ISO form"),
]


@pytest.mark.parametrize(("column", "value", "which", "why"), BAD_CELLS, ids=[c[3] for c in BAD_CELLS])
def test_a_bad_offer_cell_is_refused_naming_row_and_column(
        tmp_path: Path, catalogue: OfferCatalogue, column: str, value: str, which: object, why: str) -> None:
    path = tmp_path / "offers.csv"
    write_offers(catalogue, path)
    row = _first_row(catalogue, which)
    _set(path, row=row, column=column, value=value)
    problems = _refused(path)
    assert ("offers", row, column) in _where(problems), (why, [str(p) for p in problems])
    assert f"row {row}, column '{column}'" in str(InvalidInput(problems))


def test_overlapping_price_periods_are_refused_naming_the_row(tmp_path: Path, catalogue: OfferCatalogue) -> None:
    path = tmp_path / "offers.csv"
    write_offers(catalogue, path)
    rows = _rows(prices_path(path))
    rows.append(list(rows[1]))  # the same period again
    rows[-1][rows[0].index("valid_to")] = ""
    _write_rows(prices_path(path), rows)
    problems = _refused(path)
    assert ("prices", len(rows) - 1, "valid_from") in _where(problems), [str(p) for p in problems]


@pytest.mark.parametrize(("column", "value"), [("price_dkk_per_day", "-5"), ("price_dkk_per_day", "nan"),
                                               ("valid_to", "2000-01-01"), ("price_year", "twenty"),
                                               ("offer_id", "T999")])
def test_a_bad_price_cell_is_refused_naming_row_and_column(
        tmp_path: Path, catalogue: OfferCatalogue, column: str, value: str) -> None:
    path = tmp_path / "offers.csv"
    write_offers(catalogue, path)
    _set(prices_path(path), row=2, column=column, value=value)
    assert ("prices", 2, column) in _where(_refused(path))


def test_every_problem_is_listed_at_once(tmp_path: Path, catalogue: OfferCatalogue) -> None:
    path = tmp_path / "offers.csv"
    write_offers(catalogue, path)
    _set(path, row=1, column="steps", value="9")
    _set(path, row=3, column="places", value="-1")
    _set(prices_path(path), row=1, column="price_dkk_per_day", value="-1")
    assert {("offers", 1, "steps"), ("offers", 3, "places"), ("prices", 1, "price_dkk_per_day")} <= _where(
        _refused(path))


def test_unknown_and_missing_columns_are_named(tmp_path: Path, catalogue: OfferCatalogue) -> None:
    path = tmp_path / "offers.csv"
    write_offers(catalogue, path)
    rows = _rows(path)
    rows[0][rows[0].index("places")] = "capacity"
    _write_rows(path, rows)
    assert {("offers", 0, "capacity"), ("offers", 0, "places")} <= _where(_refused(path))


def test_a_duplicate_offer_id_is_refused(tmp_path: Path, catalogue: OfferCatalogue) -> None:
    path = tmp_path / "offers.csv"
    write_offers(catalogue, path)
    _set(path, row=2, column="offer_id", value=catalogue.offers[0].offer_id)
    assert ("offers", 2, "offer_id") in _where(_refused(path))


def test_a_bad_excel_cell_is_refused_naming_row_and_column(tmp_path: Path, catalogue: OfferCatalogue) -> None:
    path = tmp_path / "offers.xlsx"
    write_offers(catalogue, path)
    book = load_workbook(path)
    sheet = book["offers"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=5, column=header.index("places") + 1, value=-3)  # sheet row 5 = data row 4
    sheet.cell(row=6, column=header.index("steps") + 1, value=8)
    book.save(path)
    assert {("offers", 4, "places"), ("offers", 5, "steps")} <= _where(_refused(path))


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "offers.xlsx"
    path.write_text("not a workbook")
    assert _where(_refused(path)) == {(None, None, "file")}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_files_round_trip_exactly(tmp_path: Path, catalogue: OfferCatalogue, suffix: str) -> None:
    first = tmp_path / f"a.{suffix}"
    written = write_offers(catalogue, first)
    back = read_offers(first)
    assert back == catalogue
    second = tmp_path / f"b.{suffix}"
    write_offers(back, second)
    if suffix == "csv":
        assert [p.read_bytes() for p in written] == [p.read_bytes() for p in (second, prices_path(second))]


def test_csv_and_excel_read_the_same(tmp_path: Path, catalogue: OfferCatalogue) -> None:
    write_offers(catalogue, tmp_path / "a.csv")
    write_offers(catalogue, tmp_path / "a.xlsx")
    assert read_offers(tmp_path / "a.csv") == read_offers(tmp_path / "a.xlsx")


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, catalogue: OfferCatalogue) -> None:
    odd = validate_offers([replace(catalogue.offers[0], target_needs="=1+1", national_register_id="007")])
    write_offers(odd, tmp_path / "odd.xlsx")
    assert read_offers(tmp_path / "odd.xlsx") == odd


# ----------------------------------------------------------------------------- the CLI
def test_cli_refuses_a_bad_file_naming_row_and_column_and_writes_nothing(
        tmp_path: Path, catalogue: OfferCatalogue) -> None:
    path = tmp_path / "offers.csv"
    write_offers(catalogue, path)
    _set(path, row=4, column="places", value="-1")
    out = tmp_path / "out"
    for args in (["offers", "validate", str(path)], ["offers", "import", str(path), "--out", str(out)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert "offers, row 4, column 'places'" in result.output
        assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_export_validate_import(tmp_path: Path) -> None:
    book = tmp_path / "c.xlsx"
    result = runner.invoke(app, ["offers", "export", "--synthetic", "--seed", "3", "--out", str(book)])
    assert result.exit_code == 0, result.output
    assert "seed 3" in result.output
    assert runner.invoke(app, ["offers", "validate", str(book)]).exit_code == 0
    result = runner.invoke(app, ["offers", "import", str(book), "--out", str(tmp_path / "norm")])
    assert result.exit_code == 0, result.output
    assert read_offers(tmp_path / "norm" / "offers.csv") == synthetic_offers(seed=3)


def test_cli_export_without_a_source_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["offers", "export", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert "--synthetic" in result.output
    assert not (tmp_path / "x.csv").exists()
