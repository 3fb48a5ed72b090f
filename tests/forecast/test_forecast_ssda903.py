"""SSDA903 (England): header and episodes files into a register the forecast runs on."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from trappen.errors import ConfigurationError, InvalidInput
from trappen.exchange.ssda903 import load_place_mapping, read_ssda903
from trappen.forecast import estimate, simulate

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A100,1,15/03/2010,WBRI,,,
B200,2,01/06/2008,WBRI,,,
"""
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
A100,01/02/2019,S,C2,N1,U1,PR4,01/02/2020,X1,,,,
A100,01/02/2020,P,C2,N1,K2,PR1,,,,,,
B200,10/10/2019,S,V2,N2,P1,PR0,10/10/2020,E13,,,,
"""


def write(tmp_path, header=HEADER, episodes=EPISODES):
    h, e = tmp_path / "header.csv", tmp_path / "episodes.csv"
    h.write_text(header, encoding="utf-8")
    e.write_text(episodes, encoding="utf-8")
    return h, e


def test_default_mapping():
    m = load_place_mapping()
    assert (m["U1"], m["U4"], m["K2"], m["R1"], m["P1"]) == (4, 5, 6, 6, 3)


def test_read_maps_places_to_steps(tmp_path):
    reg = read_ssda903(*write(tmp_path))
    kids = reg.children.sort("child_id")
    assert kids["child_id"].to_list() == [1, 2]  # pseudonymous ranks, not the CHILD codes
    assert kids["sex"].to_list() == ["M", "F"]
    assert kids["entry_date"].to_list() == [date(2019, 2, 1), date(2019, 10, 10)]
    ep = reg.episodes.sort("episode_id")
    assert ep["step"].to_list() == [4, 6, 3]
    assert ep["end_date"].to_list() == [date(2020, 2, 1), None, date(2020, 10, 10)]
    assert ep["end_reason"].to_list() == ["other", None, "goal_reached"]
    assert "A100" not in str(reg.tables)


def test_custom_mapping_and_bad_mapping(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text("[places]\nU1 = 5\nK2 = 6\nP1 = 2\n", encoding="utf-8")
    reg = read_ssda903(*write(tmp_path), mapping=load_place_mapping(path))
    assert reg.episodes.sort("episode_id")["step"].to_list() == [5, 6, 2]
    path.write_text("[places]\nU1 = 9\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not on the staircase"):
        load_place_mapping(path)


def test_every_bad_place_code_is_named_with_its_value(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text('[places]\nU1 = 9\nK2 = "6"\nP1 = 2\nR3 = true\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_place_mapping(path)
    got = [(p.field, p.value) for p in err.value.problems]
    assert got == [("places.U1", 9), ("places.K2", "6"), ("places.R3", True)]
    assert str(err.value).startswith(f"{path}: places.U1: step not on the staircase 1, 2, 3, 4, 5, 6 (value: 9)")
    path.write_text("[places]\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"places: needs a \[places\] table of CODE = step"):
        load_place_mapping(path)


def test_bad_rows_are_all_named(tmp_path):
    episodes = EPISODES.replace("U1,PR4", "XX,PR4").replace("10/10/2019,S", "2019-10-10,S")
    with pytest.raises(InvalidInput) as err:
        read_ssda903(*write(tmp_path, episodes=episodes))
    text = str(err.value)
    assert "row 1" in text and "PLACE" in text and "'XX'" in text
    assert "row 3" in text and "DECOM" in text


def test_forecast_runs_on_english_data(tmp_path):
    reg = read_ssda903(*write(tmp_path))
    model = estimate(reg, cutoff=date(2020, 12, 31))
    assert model.start[:, :, 6].sum() == 1  # A100 in a children's home at the cut-off
    p = simulate(model, months=6, replicates=3, seed=1)
    assert p.mean[0, 6] == 1
    np.testing.assert_allclose(p.mean.sum(axis=1)[0], 2)


def test_cli_runs_on_ssda903(tmp_path):
    from typer.testing import CliRunner

    from trappen.cli import app

    h, e = write(tmp_path)
    result = CliRunner().invoke(app, ["forecast", "run", "--ssda903", str(h), "--ssda903", str(e),
                                      "--cutoff", "2020-12-31", "--months", "3", "--replicates", "2",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "forecast.csv").exists()


def test_synthetic_return_reads_and_forecasts(tmp_path):
    """The benchmark's made-up files (trappen.synthetic.synthetic_ssda903) are a valid return:
    every row read, ids replaced, and the forecast starts from the children in care."""
    from trappen.synthetic import synthetic_ssda903

    header, episodes = synthetic_ssda903(children=2_000, seed=4)
    h, e = tmp_path / "header.csv", tmp_path / "episodes.csv"
    header.write_csv(h)
    episodes.write_csv(e)
    reg = read_ssda903(h, e)
    assert reg.children.height == 2_000 and reg.episodes.height == episodes.height
    assert reg.episodes["step"].min() >= 3 and "C17" not in str(reg.tables)
    model = estimate(reg, cutoff=date(2025, 3, 31))
    in_care = reg.episodes.filter(pl.col("end_date").is_null()).select("child_id").n_unique()
    assert model.start[:, :, 3:7].sum() == in_care
    p = simulate(model, months=12, replicates=5, seed=1)
    assert p.mean[0, 3:7].sum() == in_care
