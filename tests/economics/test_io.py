"""Reading uploads and writing cases: an unreadable file is named, budget steps are checked
against the staircase, and a case dict survives the trip to TOML text and back."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from trappen.economics import (
    case_from_dict,
    case_to_toml,
    evaluate_case,
    herning_pilot_path,
    load_accounts,
    load_budget,
)
from trappen.errors import InvalidInput


def test_herning_case_round_trips_through_toml():
    data = tomllib.loads(Path(herning_pilot_path()).read_text(encoding="utf-8"))
    text = case_to_toml(data)
    assert tomllib.loads(text) == data
    assert evaluate_case(case_from_dict(tomllib.loads(text))).npv_dkk == pytest.approx(
        evaluate_case(case_from_dict(data)).npv_dkk)


def test_toml_writer_quotes_keys_and_escapes_strings():
    data = {"case": {"name": 'a "quoted" name\nwith a line break', "price_year": 2024},
            "effect": {"use_change_per_success": {"6": -1.0, "step five": 0.5}}}
    text = case_to_toml(data)
    assert '"step five" = 0.5' in text
    assert tomllib.loads(text) == data


def test_toml_writer_names_a_value_toml_cannot_hold():
    with pytest.raises(InvalidInput) as err:
        case_to_toml({"case": {"horizon_years": None}})
    assert err.value.problems[0].field == "case.horizon_years"
    with pytest.raises(InvalidInput) as err:
        case_to_toml({"case": {"rate": math.nan}})
    assert err.value.problems[0].field == "case.rate"


def test_budget_step_outside_the_staircase_is_named_with_its_row(tmp_path):
    p = tmp_path / "budget.csv"
    p.write_text("step,year,budget_dkk\n1,2025,100\n9,2025,200\n", encoding="utf-8")
    assert load_budget(p, steps=range(1, 10)).height == 2
    with pytest.raises(InvalidInput) as err:
        load_budget(p, steps=(1, 2, 3, 4, 5, 6))
    (problem,) = err.value.problems
    assert (problem.field, problem.value, problem.row) == ("step", 9, 2)


def test_a_workbook_that_is_not_one_is_named(tmp_path):
    p = tmp_path / "accounts.xlsx"
    p.write_bytes(b"PK not a zip")
    with pytest.raises(InvalidInput) as err:
        load_accounts(p)
    (problem,) = err.value.problems
    assert (problem.field, problem.value) == ("(file)", "accounts.xlsx")
    assert "Excel" in problem.message


def test_a_csv_without_the_columns_names_each_missing_column(tmp_path):
    p = tmp_path / "accounts.csv"
    p.write_bytes(b"\x00\xff\xfe not a table \x00" * 50)
    with pytest.raises(InvalidInput) as err:
        load_accounts(p)
    assert {q.field for q in err.value.problems} == {"account", "function", "amount_dkk", "year"}


def test_a_csv_line_with_too_many_fields_is_named_by_row(tmp_path):
    p = tmp_path / "accounts.csv"
    p.write_text("account,function,amount_dkk,year\n1,5.28.20,100,2023\n2,5.28.20,1.000,50,2023\n",
                 encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        load_accounts(p)
    (problem,) = err.value.problems
    assert (problem.field, problem.value, problem.row) == ("(file)", "accounts.csv", 2)
    assert "5 fields" in problem.message
