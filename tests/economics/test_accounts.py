"""Accounts to steps (every line in one bucket, totals conserved) and budget against actual."""

from __future__ import annotations

from datetime import date

import openpyxl
import polars as pl
import pytest

from trappen.economics import (
    accounts_by_bucket,
    budget_vs_actual,
    load_accounts,
    load_budget,
    load_mapping,
    map_accounts,
)
from trappen.errors import ConfigurationError, InvalidInput

CSV = """account,function,amount_dkk,year
1001,5.28.20,1000000,2023
1002,5.28.21,250000.5,2023
1003,5.28.23,3000000,2023
1004,5.28.29,40000,2023
1005,6.52.72,500000,2023
2001,5.28.20,1100000,2024
2002,5.28.21,300000,2024
"""


def test_example_mapping_is_marked_as_example():
    m = load_mapping()
    assert m.is_example and "EXAMPLE" in m.name and "check" in m.source
    assert [(v.from_year, v.to_year) for v in m.versions] == [(2007, 2023), (2024, 2099)]


def test_every_line_in_exactly_one_bucket_and_totals_conserved(tmp_path):
    p = tmp_path / "accounts.csv"
    p.write_text(CSV, encoding="utf-8")
    accounts = load_accounts(p)
    mapped = map_accounts(accounts, load_mapping())
    assert mapped.height == accounts.height
    assert mapped["row"].to_list() == accounts["row"].to_list()
    assert mapped["bucket"].null_count() == 0
    assert dict(zip(mapped["account"], mapped["bucket"], strict=True)) == {
        "1001": "step_5", "1002": "step_3", "1003": "step_6",
        "1004": "unattributed",  # 5.28.29 falls to the 5.28 catch-all, longest prefix wins
        "1005": "caseworkers", "2001": "step_5", "2002": "step_3"}
    totals = accounts_by_bucket(mapped)
    assert totals["amount_dkk"].sum() == pytest.approx(accounts["amount_dkk"].sum())
    for year in (2023, 2024):
        assert totals.filter(pl.col("year") == year)["amount_dkk"].sum() == pytest.approx(
            accounts.filter(pl.col("year") == year)["amount_dkk"].sum())


def test_prefix_matches_whole_segments(tmp_path):
    p = tmp_path / "m.toml"
    p.write_text('buckets = ["step_3", "unattributed"]\n[[versions]]\nfrom_year = 2020\nto_year = 2030\n'
                 'rules = [{ function = "5.28.2", bucket = "step_3" }]\n', encoding="utf-8")
    acc = pl.DataFrame({"row": [1], "account": ["A"], "function": ["5.28.21"], "amount_dkk": [1.0], "year": [2024]},
                       schema_overrides={"row": pl.UInt32})
    with pytest.raises(InvalidInput, match="function 5.28.21 is not in the mapping"):
        map_accounts(acc, load_mapping(p))


def test_unmapped_account_fails_naming_account_and_row(tmp_path):
    p = tmp_path / "accounts.csv"
    p.write_text(CSV + "3001,4.99.99,10,2023\n3002,5.28.20,5,1990\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        map_accounts(load_accounts(p), load_mapping())
    msg = str(exc.value)
    assert "row 8" in msg and "account 3001" in msg and "4.99.99" in msg
    assert "row 9" in msg and "account 3002" in msg and "1990" in msg


def test_bad_amount_and_missing_column(tmp_path):
    p = tmp_path / "accounts.csv"
    p.write_text("account,function,amount_dkk,year\n1,5.28.20,lots,2023\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="row 1.*amount_dkk.*lots"):
        load_accounts(p)
    p.write_text("account,function,year\n1,5.28.20,2023\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="amount_dkk.*missing column"):
        load_accounts(p)


def test_excel_import(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in CSV.strip().splitlines():
        a, f, amt, y = line.split(",")
        ws.append([a, f, float(amt) if amt[0].isdigit() else amt, int(y) if y.isdigit() else y])
    path = tmp_path / "accounts.xlsx"
    wb.save(path)
    from_xlsx = load_accounts(path)
    csv = tmp_path / "a.csv"
    csv.write_text(CSV, encoding="utf-8")
    assert from_xlsx.select("function", "amount_dkk", "year").equals(
        load_accounts(csv).select("function", "amount_dkk", "year")
    )


def test_mapping_errors(tmp_path):
    p = tmp_path / "m.toml"
    p.write_text(
        'buckets = ["step_3", "unattributed"]\n[[versions]]\nfrom_year = 2020\nto_year = 2030\n'
        'rules = [{ function = "5.28", bucket = "step_9" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match="step_9"):
        load_mapping(p)
    p.write_text(
        'buckets = ["unattributed"]\n[[versions]]\nfrom_year = 2020\nto_year = 2030\n'
        "[[versions]]\nfrom_year = 2025\nto_year = 2040\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match="overlap"):
        load_mapping(p)


def test_every_mistake_in_a_mapping_is_named_with_its_key_path(tmp_path):
    p = tmp_path / "m.toml"
    p.write_text(
        'buckets = ["step_3"]\n[[versions]]\nfrom_year = "2020"\nto_year = 2030\n'
        'rules = [{ function = "5.28", bucket = "step_3" }, { bucket = "step_3" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as err:
        load_mapping(p)
    assert [(x.field, x.value) for x in err.value.problems] == [
        ("buckets", ["step_3"]), ("versions[0].from_year", "2020"), ("versions[0].rules[1].function", None)]
    assert str(err.value).startswith(f"{p}: ")
    assert "versions[0].from_year: must be a whole number (value: '2020')" in str(err.value)
    # the rules that need the whole file, again all at once
    p.write_text(
        'buckets = ["step_3", "unattributed"]\n[[versions]]\nfrom_year = 2020\nto_year = 2030\n'
        'rules = [{ function = "5.28", bucket = "step_9" }, { function = "5.28", bucket = "step_3" }]\n'
        "[[versions]]\nfrom_year = 2025\nto_year = 2040\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as err:
        load_mapping(p)
    assert {(x.field, x.value) for x in err.value.problems} == {
        ("versions[0].rules[0].bucket", "step_9"), ("versions[0].rules[1].function", "5.28"),
        ("versions[1].from_year", 2025)}


def test_budget_vs_actual_straight_line(tmp_path):
    p = tmp_path / "budget.csv"
    p.write_text("step,year,budget_dkk\n5,2024,1200000\n6,2024,2400000\n5,2023,1\n", encoding="utf-8")
    budget = load_budget(p)
    actual = pl.DataFrame(
        {
            "step": [5, 5, 5, 6],
            "month": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 1, 1)],
            "amount_dkk": [90_000.0, 110_000.0, 130_000.0, 250_000.0],
        }
    )
    out = budget_vs_actual(budget, actual, year=2024, through_month=3)
    s5 = out.filter(pl.col("step") == 5).sort("month")
    # budget 1.2 mio / 12 = 100,000 a month; actual 90k, 110k, 130k
    assert s5["deviation_dkk"].to_list() == pytest.approx([-10_000, 10_000, 30_000])
    assert s5["cumulative_deviation_dkk"].to_list() == pytest.approx([-10_000, 0, 30_000])
    # projection after March: 330,000 x 12 / 3 = 1,320,000; deviation +120,000
    assert s5["projected_year_end_dkk"][-1] == pytest.approx(1_320_000)
    assert s5["projected_deviation_dkk"][-1] == pytest.approx(120_000)
    s6 = out.filter(pl.col("step") == 6).sort("month")
    # 2.4 mio budget = 200,000 a month; actual 250k in January and nothing booked after
    assert s6["actual_dkk"].to_list() == [250_000, 0, 0]
    assert s6["projected_year_end_dkk"][-1] == pytest.approx(1_000_000)
    p.write_text("step,year,budget_dkk\n5,2024,1\n5,2024,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="twice"):
        load_budget(p)
