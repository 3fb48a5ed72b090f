"""Synthetic control output: the placebo gap paths behind the plot, and the CLI writing the plot."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from trappen.cli import app
from trappen.evaluation import synthetic_control
from trappen.evaluation._report import placebo_gaps

YEARS = list(range(2010, 2020))


def _frame() -> pl.DataFrame:
    # donors with different levels and trends; the treated one is exactly (B + C) / 2 before
    # 2016 and 2 lower from 2016 (hand-made: its synthetic control is B and C, its gap -2)
    t = np.arange(len(YEARS), dtype=float)
    donors = {"B": 10 + t, "C": 14 - 0.5 * t, "D": 20 + 0.2 * t, "E": 5 + 0.1 * t ** 1.5, "F": 8 + 0.3 * t}
    treated = (donors["B"] + donors["C"]) / 2 - 2.0 * (np.array(YEARS) >= 2016)
    rows = [(m, y, float(v)) for m, vals in {"A": treated, **donors}.items() for y, v in zip(YEARS, vals, strict=True)]
    return pl.DataFrame(rows, schema={"municipality": pl.String, "year": pl.Int64, "value": pl.Float64}, orient="row")


def test_placebo_gaps_hold_the_treated_gap_and_one_path_per_donor():
    frame = _frame()
    res = synthetic_control(frame, treated="A", first_treated_year=2016)
    gaps = placebo_gaps(frame, res)
    assert gaps.height == 6 * len(YEARS)
    assert sorted(gaps.filter(~pl.col("treated"))["unit"].unique().to_list()) == ["B", "C", "D", "E", "F"]
    mine = gaps.filter(pl.col("treated")).sort("year")
    assert mine["gap"].to_list() == pytest.approx(res.series.sort("year")["gap"].to_list())
    assert mine.filter(pl.col("year") >= 2016)["gap"].mean() == pytest.approx(-2.0, abs=0.05)
    assert mine.filter(pl.col("year") < 2016)["gap"].abs().max() == pytest.approx(0.0, abs=0.05)


def test_evaluate_municipality_writes_the_plot_with_placebo_gaps(tmp_path):
    wide = _frame().with_columns(pl.col("value").round(3).cast(pl.String)).pivot(
        on="year", index="municipality", values="value")
    lines = ['"Anbragte børn pr. 1.000 0-17-årige"', ";" + ";".join(wide.columns[1:])]
    lines += [";".join(row) for row in wide.iter_rows()]
    path = tmp_path / "statbank.csv"
    path.write_bytes("\n".join(lines).encode("cp1252"))
    res = CliRunner().invoke(app, ["evaluate-municipality", "--statbank", str(path), "--treated", "A",
                                   "--from", "2016", "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    png = tmp_path / "s" / "synthetic_control.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pl.read_csv(tmp_path / "s" / "placebo_gaps.csv")["unit"].n_unique() == 6
    assert "synthetic_control.png" in (tmp_path / "s" / "summary.md").read_text(encoding="utf-8")
