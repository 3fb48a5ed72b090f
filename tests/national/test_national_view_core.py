"""The national store's context tables (adoption, indicators, StatBank), peer groups, the
figures across municipalities and the evaluation panel built from the adoption years."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.national import (
    adoption_import,
    adoption_read,
    aggregate,
    comparison,
    evaluation_panel,
    indicators_read,
    nation_demo,
    national_did,
    national_synth,
    peer_groups,
    staircase_profile,
    statbank_import,
    statbank_read,
    store_list,
    store_read,
    top_cells,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nation") / "national"
    nation_demo(root, municipalities=8, children_scale=300, years=4, seed=3)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_demo_nation_has_bundles_adoption_indicators_and_statbank(demo_store):
    assert store_list(demo_store)["municipality_code"].n_unique() == 8
    adoption = adoption_read(demo_store)
    assert adoption.height >= 2 and set(adoption["year"].to_list()) <= {2024, 2025}
    assert indicators_read(demo_store).height == 8
    assert statbank_read(demo_store)["value"].to_list() == [14978.0, 14261.0, 13823.0, 13959.0]


def test_the_demo_again_changes_nothing(demo_store, tmp_path):
    copy = tmp_path / "national"
    shutil.copytree(demo_store, copy)
    before = _files(copy)
    nation_demo(copy, municipalities=8, children_scale=300, years=4, seed=3)
    assert _files(copy) == before


def test_statbank_files_in_both_published_layouts(tmp_path):
    wide = Path(str(files("trappen.national").joinpath("data", "statbank_placed_0_22.csv")))
    rows, changed = statbank_import(wide, store_dir=tmp_path, table="ANBAAR", title="placed", unit="persons")
    assert (rows, changed) == (4, True)
    assert statbank_import(wide, store_dir=tmp_path, table="ANBAAR", title="placed", unit="persons") == (4, False)
    statbank_import(DATA / "statbank_long_sample.csv", store_dir=tmp_path, table="ANBLONG", title="placed")
    frame = statbank_read(tmp_path)
    by_table = {t: part.sort("year")["value"].to_list() for (t,), part in frame.group_by(["table"])}
    assert by_table["ANBAAR"] == by_table["ANBLONG"] == [14978.0, 14261.0, 13823.0, 13959.0]
    with pytest.raises(InvalidInput, match="table id"):
        statbank_import(wide, store_dir=tmp_path, table="bad id", title="x")


def test_a_bad_adoption_file_names_row_and_column_and_writes_nothing(tmp_path):
    bad = tmp_path / "adoption.csv"
    bad.write_text("municipality_code,year,source\n657,2013,Herning\n661,20x5,KL\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        adoption_import(bad, store_dir=tmp_path / "store")
    problem = caught.value.problems[0]
    assert (problem.field, problem.row, problem.value) == ("year", 3, "20x5")
    assert not (tmp_path / "store").exists()
    good = tmp_path / "good.csv"
    good.write_text("municipality_code,year,source\n657,2013,Herning\n", encoding="utf-8")
    assert adoption_import(good, store_dir=tmp_path / "store") == (1, True)
    assert adoption_import(good, store_dir=tmp_path / "store") == (1, False)


def test_peers_are_the_nearest_on_standardised_indicators():
    table = pl.DataFrame({"municipality_code": ["901", "902", "903", "904"], "name": list("abcd"),
                          "x": [0.0, 1.0, 10.0, 11.0], "y": [0.0, 0.0, 100.0, 100.0], "source": ["t"] * 4})
    peers = peer_groups(table, k=1)
    assert peers == {"901": ["902"], "902": ["901"], "903": ["904"], "904": ["903"]}
    assert all(code not in group for code, group in peer_groups(table, k=3).items())


def test_totals_add_only_published_cells(demo_store):
    cells = top_cells(store_read(demo_store))
    year = int(cells["year"].max())
    country = aggregate(cells, codes=None, year=year)
    part = cells.filter((pl.col("year") == year) & (pl.col("kpi_code") == "STEP_PER_1000"))
    assert part["suppressed"].any(), "the test needs a hidden cell"
    for step in ("3", "4"):
        shown = part.filter((pl.col("step") == step) & ~pl.col("suppressed"))
        row = country.filter((pl.col("kpi_code") == "STEP_PER_1000") & (pl.col("step") == step)).row(0, named=True)
        assert row["numerator"] == shown["numerator"].sum()
        assert row["municipalities"] == shown.height


def test_a_municipalitys_own_figures_are_its_bundle_values(demo_store):
    cells = top_cells(store_read(demo_store))
    year = int(cells["year"].max())
    code = "901"
    own = cells.filter((pl.col("year") == year) & (pl.col("municipality_code") == code))
    for row in comparison(cells, code=code, year=year, peers=["902", "903"]):
        cell = own.filter((pl.col("kpi_code") == row["kpi_code"]) & pl.col("step").is_null()).row(0, named=True)
        assert row["municipality"] == (None if cell["suppressed"] else cell["value"])
        assert row["suppressed"] == cell["suppressed"]
    profile = staircase_profile(cells, codes=None, year=year)
    shares = [r["share"] for r in profile]
    if all(s is not None for s in shares):
        assert sum(shares) == pytest.approx(1.0)


def test_adoption_years_feed_staggered_did_and_synthetic_control(demo_store):
    rows = store_read(demo_store)
    adoption = dict(adoption_read(demo_store).select("municipality_code", "year").iter_rows())
    panel, dropped = evaluation_panel(rows, adoption=adoption, kpi="SS05_HOME_BASED_PER_1000")
    first = int(panel["year"].min())
    cohorts = dict(panel.select("municipality_code", "adoption_index").unique().iter_rows())
    for code, year in adoption.items():
        if code in cohorts:
            assert cohorts[code] == year - first
    assert all(cohorts[c] is None for c in cohorts if c not in adoption)
    result, _dropped = national_did(rows, adoption=adoption, kpi="SS05_HOME_BASED_PER_1000", draws=49)
    assert set(result.units) == set(cohorts) and result.overall.height == 1
    treated = next(c for c in sorted(adoption) if c in cohorts)
    synth = national_synth(rows, adoption=adoption, kpi="SS05_HOME_BASED_PER_1000", treated=treated)
    assert synth.first_treated_year == adoption[treated]
    assert set(synth.weights["donor"].to_list()) <= {c for c in cohorts if c not in adoption} | set(dropped)
    with pytest.raises(InvalidInput, match="KPI"):
        evaluation_panel(rows, adoption=adoption, kpi="NO_SUCH_KPI")
