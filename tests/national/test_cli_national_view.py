"""trappen national demo|adoption|indicators|statbank|evaluate: real files, one error line on a bad one."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from typer.testing import CliRunner

from trappen.cli import app

runner = CliRunner()


def test_demo_statbank_adoption_and_evaluate(tmp_path):
    store = tmp_path / "national"
    out = runner.invoke(app, ["national", "demo", "--municipalities", "6", "--children-scale", "300", "--years", "4",
                              "--store", str(store)])
    assert out.exit_code == 0, out.output
    assert "6 synthetic municipalities" in out.output
    sample = Path(str(files("trappen.national").joinpath("data", "statbank_placed_0_22.csv")))
    out = runner.invoke(app, ["national", "statbank", str(sample), "--table", "ANBAAR", "--title",
                              "Anbragte børn og unge (0-22 år) pr. 31. december", "--unit", "persons",
                              "--store", str(store)])
    assert out.exit_code == 0 and "unchanged" in out.output, out.output  # the demo imported the same file
    out = runner.invoke(app, ["national", "evaluate", "--kpi", "SPEND_PER_CHILD", "--store", str(store)])
    assert out.exit_code == 0, out.output
    assert "municipalities" in out.output and "after adoption" in out.output

    bad = tmp_path / "adoption.csv"
    bad.write_text("municipality_code,year,source\n9x1,2024,x\n", encoding="utf-8")
    before = (store / "adoption.parquet").read_bytes()
    out = runner.invoke(app, ["national", "adoption", str(bad), "--store", str(store)])
    assert out.exit_code == 1 and "9x1" in out.output and "Traceback" not in out.output, out.output
    assert (store / "adoption.parquet").read_bytes() == before

    indicators = tmp_path / "indicators.csv"
    indicators.write_text("municipality_code,name,income,source\n901,A,1.5,test\n902,B,abc,test\n", encoding="utf-8")
    out = runner.invoke(app, ["national", "indicators", str(indicators), "--store", str(store)])
    assert out.exit_code == 1 and "abc" in out.output, out.output
