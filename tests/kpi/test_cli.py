"""CLI: `trappen kpi` and `trappen export` on a register directory."""

import json

import polars as pl
from typer.testing import CliRunner

from trappen.cli import app
from trappen.register import Register

from .conftest import hand_register

runner = CliRunner()


def _dir(tmp_path, reg=None):
    path = tmp_path / "reg"
    (reg or hand_register()).write(path)
    return path


def test_kpi_json(tmp_path):
    res = runner.invoke(app, ["kpi", "--at", "2024-12-31", "--format", "json", "--register", str(_dir(tmp_path))])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    ss01 = [r for r in rows if r["kpi_code"] == "SS01_RESIDENTIAL_SHARE"][0]
    assert abs(ss01["value"] - 1 / 3) < 1e-12


def test_kpi_csv_with_period_and_table(tmp_path):
    d = str(_dir(tmp_path))
    # --to is inclusive: February 2024 has cases 1 and 5
    res = runner.invoke(app, ["kpi", "--at", "2024-02-29", "--from", "2024-02-01", "--to", "2024-02-29",
                              "--format", "csv", "--register", d])
    assert res.exit_code == 0, res.output
    frame = pl.read_csv(res.output.encode())
    assert frame.filter(pl.col("kpi_code") == "NEW_CASES")["value"].to_list() == [2.0]
    res = runner.invoke(app, ["kpi", "--at", "2024-12-31", "--register", d])
    assert res.exit_code == 0 and "SS12_FOLLOW_UP" in res.output


def test_kpi_bad_input_is_a_message_not_a_traceback(tmp_path):
    res = runner.invoke(app, ["kpi", "--at", "31-12-2024", "--register", str(_dir(tmp_path))])
    assert res.exit_code == 1 and "--at must be a date" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["kpi", "--at", "2024-12-31", "--register", str(tmp_path / "nope")])
    assert res.exit_code == 1


def test_export_round_trip_and_refuses_invalid(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["export", "--format", "csv", "--out", str(out), "--register", str(_dir(tmp_path))])
    assert res.exit_code == 0, res.output
    back = Register.read(out)
    assert back.episodes.equals(hand_register().episodes)
    reg = hand_register()
    bad = reg.replace(episodes=reg.episodes.with_columns(pl.col("step").replace(6, 5).alias("step")))
    out2 = tmp_path / "out2"
    bad_dir = tmp_path / "bad"
    bad.write(bad_dir)
    res = runner.invoke(app, ["export", "--format", "parquet", "--out", str(out2), "--register", str(bad_dir)])
    assert res.exit_code == 1
    assert "episodes, row 1, column 'step'" in res.output
    assert not out2.exists()
