"""StatBank CSV reading and synthetic control with placebo tests."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.evaluation import synth_weights, synthetic_control
from trappen.exchange.statbank import read_statbank_csv


def test_long_api_layout_with_danish_decimals() -> None:
    raw = "OMRÅDE;TID;INDHOLD\nHerning;2022;1.234,5\nHerning;2023;..\nAarhus;2022;7,25\n".encode()
    f = read_statbank_csv(raw)
    assert f.rows() == [("Aarhus", 2022, 7.25), ("Herning", 2022, 1234.5), ("Herning", 2023, None)]


def test_wide_download_layout_cp1252_with_title_and_point_decimals() -> None:
    raw = '"Anbragte børn pr. 1.000"\n;2021;2022\nHerning;11.9;12.3\nIkast-Brande;9;-\n'.encode("cp1252")
    f = read_statbank_csv(raw)
    assert f.rows() == [("Herning", 2021, 11.9), ("Herning", 2022, 12.3), ("Ikast-Brande", 2021, 9.0),
                        ("Ikast-Brande", 2022, None)]


def test_bad_cell_names_row_and_column(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.csv"
    path.write_text("OMRÅDE;TID;INDHOLD\nHerning;2022;12,3\nHerning;2023;lots\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"statbank, row 3, column 'INDHOLD': not a number \(value: 'lots'\)"):
        read_statbank_csv(path)
    with pytest.raises(InvalidInput, match="no header"):
        read_statbank_csv(b"just;text\n")


def _donor_table(rng: np.random.Generator, *, effect: float, years: int = 14, donors: int = 20) -> pl.DataFrame:
    t = np.arange(years)
    factors = rng.normal(size=(donors, 2))
    paths = (
        10 + factors[:, :1] + np.outer(factors[:, 1], np.sin(t / 2)) + 0.1 * t + rng.normal(0, 0.05, (donors, years))
    )
    treated = 0.5 * paths[0] + 0.3 * paths[1] + 0.2 * paths[2] + np.where(t >= 10, effect, 0.0)
    names = [f"K{j:02d}" for j in range(donors)] + ["Herning"]
    y = np.vstack([paths, treated])
    return pl.DataFrame(
        {"municipality": np.repeat(names, years), "year": np.tile(2010 + t, donors + 1), "value": y.ravel()}
    )


def test_synth_weights_recover_a_convex_combination() -> None:
    rng = np.random.default_rng(0)
    donors = rng.normal(size=(12, 6))
    true = np.array([0.6, 0.4, 0, 0, 0, 0])
    w = synth_weights(donors @ true, donors)
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
    assert w == pytest.approx(true, abs=1e-4)


def test_synthetic_control_finds_effect_and_ranks_first() -> None:
    res = synthetic_control(
        _donor_table(np.random.default_rng(1), effect=-2.0), treated="Herning", first_treated_year=2020
    )
    assert res.average_post_gap == pytest.approx(-2.0, abs=0.15)
    assert res.pre_rmspe < 0.1
    assert res.weights["weight"].sum() == pytest.approx(1.0)
    assert set(res.weights.head(3)["donor"]) == {"K00", "K01", "K02"}
    assert res.p_value == pytest.approx(1 / 21)  # the largest RMSPE ratio of 21
    assert res.placebos.height == 21


def test_synthetic_control_no_effect_is_not_significant() -> None:
    res = synthetic_control(
        _donor_table(np.random.default_rng(2), effect=0.0), treated="Herning", first_treated_year=2020
    )
    assert abs(res.average_post_gap) < 0.15 and res.p_value > 0.1
    with pytest.raises(InvalidInput, match="at least 2 years before"):
        synthetic_control(
            _donor_table(np.random.default_rng(2), effect=0.0), treated="Herning", first_treated_year=2010
        )
