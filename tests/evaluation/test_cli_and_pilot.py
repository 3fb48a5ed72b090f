"""`trappen evaluate` on a register directory, and the generator's pilot evaluated end to end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from trappen.cli import app
from trappen.evaluation import build_panel, staggered_did

synthetic = pytest.importorskip("trappen.synthetic")

ADOPTION = {f"D0{i}": (date(2023, 1, 1) if i <= 3 else None) for i in range(1, 9)}


@pytest.fixture(scope="module")
def pilot_register():  # type: ignore[no-untyped-def]
    return synthetic.generate(children=6000, years=6, seed=1, districts=8, pilot_districts=3, pilot_from=2023)


def test_cli_writes_tables_plot_and_summary(pilot_register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reg_dir = tmp_path / "register"
    pilot_register.write(reg_dir)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["evaluate", "--outcome", "placements_per_1000", "--out", str(out),
                                   "--register", str(reg_dir), "--freq", "quarter", "--draws", "99",
                                   "--ri-draws", "49", "--start", "2021-01-01", "--end", "2026-01-01"])
    assert res.exit_code == 0, res.output
    assert "3 treated, 5 control" in res.output
    for name in ("att_gt.csv", "event_study.csv", "cohorts.csv", "overall.csv", "bacon.csv", "event_study.png",
                 "summary.md"):
        assert (out / name).stat().st_size > 0
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "**3 treated**" in summary and "Forbehold" in summary and "flagged" in summary
    overall = pl.read_csv(out / "overall.csv")
    assert overall["treated_clusters"][0] == 3 and overall["control_clusters"][0] == 5
    assert (out / "event_study.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_refuses_unknown_outcome_without_traceback(pilot_register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pilot_register.write(tmp_path / "r")
    res = CliRunner().invoke(app, ["evaluate", "--outcome", "nonsense", "--out", str(tmp_path / "o"),
                                   "--register", str(tmp_path / "r")])
    assert res.exit_code == 1 and "not a panel outcome" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_generator_pilot_caseload_effect_recovered(pilot_register) -> None:  # type: ignore[no-untyped-def]
    # built-in effect: the same seed without the pilot is the counterfactual for the pilot districts
    counterfactual = synthetic.generate(children=6000, years=6, seed=1, districts=8)
    window = {"freq": "quarter", "start": date(2021, 1, 1), "end": date(2026, 1, 1), "adoption": ADOPTION}
    treated = build_panel(pilot_register, **window)
    cf = build_panel(counterfactual, **window)
    outcome = "caseload_per_fte"
    # the generator's caseworker table differs before the pilot between the two runs, so the
    # built-in effect is the change in the with/without difference from before to after adoption
    diff = treated.join(cf.select("district_code", "period_index", cf=outcome), on=["district_code", "period_index"]) \
        .filter(pl.col("adoption_index").is_not_null()) \
        .with_columns(d=pl.col(outcome) - pl.col("cf"), post=pl.col("period_index") >= pl.col("adoption_index"))
    built_in = diff.filter("post")["d"].mean() - diff.filter(~pl.col("post"))["d"].mean()
    result = staggered_did(treated, outcome=outcome, draws=499, seed=3)
    o = result.overall.row(0, named=True)
    assert built_in < -10  # the pilot halves caseloads (50 -> 25 children per caseworker)
    assert o["ci_low"] <= built_in <= o["ci_high"] and o["ci_high"] < 0
    assert result.clusters.treated == 3 and result.flags.few_treated


def test_cli_writes_duration_tables(pilot_register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pilot_register.write(tmp_path / "r")
    res = CliRunner().invoke(app, ["evaluate", "--out", str(tmp_path / "o"), "--register", str(tmp_path / "r"),
                                   "--draws", "49", "--ri-draws", "0"])
    assert res.exit_code == 0, res.output
    cif = pl.read_csv(tmp_path / "o" / "placement_exits_cif.csv")
    causes = [c for c in cif.columns if c.startswith("cif_")]
    assert len(causes) == 5 and (cif.select(pl.sum_horizontal(causes)) <= 1 + 1e-9).to_series().all()
    # the naive 1-KM breakdown risk is never below the Aalen-Johansen cumulative incidence
    assert (cif["naive_km_breakdown"] >= cif["cif_breakdown"] - 1e-12).all()
    years = pl.read_csv(tmp_path / "o" / "expected_years_per_step.csv")
    assert years["step"].to_list() == sorted(years["step"].to_list()) and (years["child_years"] >= 0).all()


def test_cli_synthetic_control_from_statbank_file(tmp_path: Path) -> None:
    import numpy as np
    from tests.evaluation.test_synth_statbank import _donor_table

    table = _donor_table(np.random.default_rng(1), effect=-2.0)
    wide = table.with_columns(pl.col("value").round(4).cast(pl.String).str.replace(".", ",", literal=True)) \
        .pivot(on="year", index="municipality", values="value")
    lines = ['"Anbragte børn pr. 1.000 0-17-årige"', ";" + ";".join(wide.columns[1:])]
    lines += [";".join(row) for row in wide.iter_rows()]
    path = tmp_path / "statbank.csv"
    path.write_bytes("\n".join(lines).encode("cp1252"))
    res = CliRunner().invoke(app, ["evaluate-municipality", "--statbank", str(path), "--treated", "Herning",
                                   "--from", "2020", "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "placebo p = 0.0476 over 20 donors" in res.output
    series = pl.read_csv(tmp_path / "s" / "series.csv")
    assert series.filter(pl.col("year") >= 2020)["gap"].mean() == pytest.approx(-2.0, abs=0.15)
    bad = CliRunner().invoke(app, ["evaluate-municipality", "--statbank", str(path), "--treated", "Nowhere",
                                   "--from", "2020", "--out", str(tmp_path / "s2")])
    assert bad.exit_code == 1 and "municipality not in the table" in bad.output
