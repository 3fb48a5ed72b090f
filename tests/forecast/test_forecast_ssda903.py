"""SSDA903 (England): header and episodes files into a register the forecast runs on."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from trappen.errors import ConfigurationError, InvalidInput
from trappen.exchange.ssda903 import load_place_mapping, read_ssda903, read_ssda903_folder
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
    episodes = EPISODES.replace("U1,PR4", "XX,PR4").replace("10/10/2019,S", "2019/10/10,S")
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


def _in_care(reg, day):
    active = (pl.col("start_date") <= day) & (pl.col("end_date").is_null() | (pl.col("end_date") > day))
    eps = reg.episodes.filter(active)
    return eps.select("child_id").n_unique()


def test_iso_dates_read_like_the_returns_own(tmp_path):
    iso = EPISODES
    for dmy, ymd in (("01/02/2019", "2019-02-01"), ("01/02/2020", "2020-02-01"), ("10/10/2019", "2019-10-10"),
                     ("10/10/2020", "2020-10-10")):
        iso = iso.replace(dmy, ymd)
    header = HEADER.replace("15/03/2010", "2010-03-15")
    (tmp_path / "iso").mkdir()
    a = read_ssda903(*write(tmp_path, episodes=EPISODES))
    b = read_ssda903(*write(tmp_path / "iso", header=header, episodes=iso))
    assert a.episodes.equals(b.episodes) and a.children.equals(b.children)


@pytest.fixture(scope="module")
def returns():
    """Two overlapping annual returns cut from one synthetic collection: the 2024 return has
    the episodes begun by 31 March 2024, those still open then without DEC; the 2025 return
    has everything (what a council keeps when it stacks its returns)."""
    from trappen.synthetic import synthetic_ssda903

    header, episodes = synthetic_ssda903(children=1_500, seed=8)
    year_end = "2024-03-31"
    start = pl.col("DECOM").str.strptime(pl.Date, "%d/%m/%Y")
    end = pl.col("DEC").str.strptime(pl.Date, "%d/%m/%Y")
    later = end > pl.lit(year_end).str.to_date()
    old = (episodes.filter(start <= pl.lit(year_end).str.to_date())
           .with_columns(pl.when(later).then(None).otherwise(pl.col("DEC")).alias("DEC"),
                         pl.when(later).then(None).otherwise(pl.col("REC")).alias("REC")))
    old_header = header.filter(pl.col("CHILD").is_in(old["CHILD"].implode()))
    return (old_header, old), (header, episodes)


def test_overlapping_annual_returns_give_the_children_in_care_of_the_deduplicated_file(tmp_path, returns):
    """Stacked returns (one file per kind, with the second return's CSV header line inside it,
    as `cat` makes it) give exactly the register of the latest return. The old reader refused
    the header file as duplicates and, given the episodes, counted children in care still open
    in the old copy as in care for ever."""
    (oh, oe), (h, e) = returns
    whole = read_ssda903(*_write_frames(tmp_path / "whole", h, e))
    stacked_h, stacked_e = tmp_path / "stacked_header.csv", tmp_path / "stacked_episodes.csv"
    stacked_h.write_text(oh.write_csv() + h.write_csv(), encoding="utf-8")
    stacked_e.write_text(oe.write_csv() + e.write_csv(), encoding="utf-8")
    stacked = read_ssda903(stacked_h, stacked_e)
    for day in (date(2023, 3, 31), date(2024, 3, 31), date(2025, 3, 31)):
        assert _in_care(stacked, day) == _in_care(whole, day)
    assert stacked.children.height == whole.children.height
    assert stacked.episodes.drop("episode_id").sort("child_id", "start_date").equals(
        whole.episodes.drop("episode_id").sort("child_id", "start_date"))
    assert int(stacked.meta["episode_rows_superseded"]) == oe.height
    assert int(stacked.meta["repeated_header_lines"]) == 2
    m1, m2 = estimate(stacked, cutoff=date(2025, 3, 31)), estimate(whole, cutoff=date(2025, 3, 31))
    np.testing.assert_array_equal(m1.start, m2.start)


def test_per_year_folders(tmp_path, returns):
    (oh, oe), (h, e) = returns
    for year, (hh, ee) in (("2024", (oh, oe)), ("2025", (h, e))):
        _write_frames(tmp_path / "returns" / year, hh, ee)
    by_folder = read_ssda903_folder(tmp_path / "returns")
    whole = read_ssda903(*_write_frames(tmp_path / "whole", h, e))
    assert _in_care(by_folder, date(2025, 3, 31)) == _in_care(whole, date(2025, 3, 31))
    assert by_folder.episodes.height == whole.episodes.height
    with pytest.raises(InvalidInput, match="header"):
        read_ssda903_folder(tmp_path / "returns" / "nothing-here")


def test_an_old_open_copy_is_closed_by_the_next_episode(tmp_path):
    """An episode left open in an old return whose corrected copy starts on another day: the
    child's next episode ends it, so the child is not in two placements (nor in care twice)."""
    old = "CHILD,DECOM,PLACE,DEC,REC\nA100,01/02/2019,U1,,\n"
    new = "CHILD,DECOM,PLACE,DEC,REC\nA100,03/02/2019,U1,01/02/2020,X1\nA100,01/02/2020,K2,,\n"
    h = tmp_path / "header.csv"
    h.write_text(HEADER, encoding="utf-8")
    (tmp_path / "e1.csv").write_text(old, encoding="utf-8")
    (tmp_path / "e2.csv").write_text(new, encoding="utf-8")
    reg = read_ssda903(h, [tmp_path / "e1.csv", tmp_path / "e2.csv"])
    assert reg.meta["open_episodes_closed"] == "1"
    assert reg.episodes.filter(pl.col("end_date").is_null()).height == 1


def test_every_bad_row_is_counted(tmp_path):
    rows = "".join(f"A100,{i % 28 + 1:02d}/{i // 28 + 1:02d}/2019,Q{i},,\n" for i in range(120))
    e = tmp_path / "episodes.csv"
    e.write_text("CHILD,DECOM,PLACE,DEC,REC\n" + rows, encoding="utf-8")
    h = tmp_path / "header.csv"
    h.write_text(HEADER, encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        read_ssda903(h, e)
    first = err.value.problems[0]
    assert first.field == "PLACE" and first.value == 120 and "120 rows in all" in first.message
    assert len([p for p in err.value.problems if p.field == "PLACE"]) == 51
    assert "episodes.csv rows 1-120 " in first.message  # every row's line, not only the 50 listed


def test_bad_rows_are_named_as_runs(tmp_path):
    from trappen.exchange.ssda903 import row_ranges

    assert row_ranges(np.array([3, 4, 5, 9, 11, 12])) == "3-5, 9, 11-12"
    good = "A100,01/01/2019,U1,,\n"
    rows = "".join("A100,xx/01/2019,U1,,\n" if i % 3 == 0 else good.replace("01/01", f"{i % 28 + 1:02d}/02")
                   for i in range(200))
    e = tmp_path / "episodes.csv"
    e.write_text("CHILD,DECOM,PLACE,DEC,REC\n" + rows, encoding="utf-8")
    h = tmp_path / "header.csv"
    h.write_text(HEADER, encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        read_ssda903(h, e)
    first = err.value.problems[0]
    assert first.field == "DECOM" and first.value == 67
    assert ", ".join(str(i + 1) for i in range(0, 200, 3)) in first.message


def test_several_local_authorities_in_one_file(tmp_path):
    header = "LA,CHILD,SEX,DOB\n301,A1,1,15/03/2010\n302,A1,2,01/06/2008\n"
    episodes = "LA,CHILD,DECOM,PLACE,DEC,REC\n301,A1,01/02/2019,U1,,\n302,A1,01/03/2019,K2,,\n"
    reg = read_ssda903(*write(tmp_path, header=header, episodes=episodes))
    assert reg.children.height == 2  # the same CHILD code in two LAs is two children
    assert sorted(reg.children["district_code"].to_list()) == ["301", "302"]
    assert sorted(reg.districts["district_code"].to_list()) == ["301", "302"]
    assert sorted(reg.episodes["step"].to_list()) == [4, 6]


def _write_frames(directory, header, episodes):
    directory.mkdir(parents=True, exist_ok=True)
    h, e = directory / "header.csv", directory / "episodes.csv"
    header.write_csv(h)
    episodes.write_csv(e)
    return h, e
