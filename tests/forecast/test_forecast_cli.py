"""The forecast commands, run through the real CLI on register files."""

from __future__ import annotations

import polars as pl
import pytest
from typer.testing import CliRunner

from trappen.cli import app


@pytest.fixture(scope="module")
def register_dir(synthetic, tmp_path_factory):
    path = tmp_path_factory.mktemp("register")
    synthetic.write(path)
    return path


def test_run_writes_files_and_echoes_seed(register_dir, tmp_path):
    scenario = tmp_path / "close6.toml"
    scenario.write_text('name = "close6"\nclosed_steps = [6]\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["forecast", "run", "--months", "6", "--replicates", "5", "--seed", "9",
                                      "--register", str(register_dir), "--scenario", str(scenario),
                                      "--cutoff", "2023-12-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "seed 9" in result.output
    for name in ("forecast.csv", "forecast.parquet", "forecast.xlsx", "cost_per_year.csv", "transitions.csv"):
        assert (out / name).exists(), name
    table = pl.read_parquet(out / "forecast.parquet")
    assert set(table["scenario"]) == {"baseline", "close6"}
    assert table.filter(scenario="close6", state="step_6")["mean"].max() == 0
    assert "child_id" not in table.columns


def test_bad_input_is_one_clear_message(register_dir, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("closed_steps = [9]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["forecast", "run", "--months", "6", "--replicates", "2",
                                      "--register", str(register_dir), "--scenario", str(bad),
                                      "--cutoff", "2023-12-31", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "closed_steps" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["forecast", "backtest", "--cutoff", "31/12/2021",
                                      "--register", str(register_dir)])
    assert result.exit_code == 1 and "--cutoff" in result.output


def test_backtest_prints_a_row_per_step(register_dir, tmp_path):
    out = tmp_path / "bt.csv"
    result = CliRunner().invoke(app, ["forecast", "backtest", "--cutoff", "2022-12-31", "--horizon", "12",
                                      "--origins", "2", "--every", "3",
                                      "--replicates", "20", "--register", str(register_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "MAPE" in result.output and "no change" in result.output and "P5-P95" in result.output
    assert "2022-09-30, 2022-12-31" in result.output
    table = pl.read_csv(out)
    assert table["series"].to_list() == [*(f"step_{s}" for s in range(1, 7)), "mean_of_steps", "total"]
    assert "nan" not in result.output


def test_run_with_reference_period_filter_and_costs(register_dir, tmp_path):
    costs = tmp_path / "costs.toml"
    costs.write_text('currency = "DKK"\ninflation_pct_per_year = 2\ndefault_per_day = 1000\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["forecast", "run", "--months", "12", "--replicates", "5", "--window", "24",
                                      "--sex", "F", "--age-from", "6", "--age-to", "17", "--costs", str(costs),
                                      "--register", str(register_dir), "--cutoff", "2023-12-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "sex=F, age 6-17" in result.output
    by_type = pl.read_csv(out / "cost_by_type.csv")
    assert set(by_type["currency"]) == {"DKK"} and by_type["cost"].sum() > 0
    bad = CliRunner().invoke(app, ["forecast", "run", "--months", "6", "--replicates", "2", "--sex", "X",
                                   "--register", str(register_dir), "--cutoff", "2023-12-31", "--out", str(out)])
    assert bad.exit_code == 1 and "sex" in bad.output and "Traceback" not in bad.output
