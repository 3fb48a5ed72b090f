"""calibration_by_year: every published figure, given or not, with its deviation per year."""

import polars as pl
import pytest

from trappen.synthetic import calibration_by_year, generated_series
from trappen.synthetic._trend import PUBLISHED


def test_every_published_figure_has_a_row(register20k):
    table = calibration_by_year(register20k)
    assert table.height == len(PUBLISHED) == 30
    # a figure the register cannot hold says why; one in a year it does not hold says so too
    missing = table.filter(pl.col("generated").is_null())
    assert (missing["note"].str.len_chars() > 0).all()
    assert "year not in the register" in table.filter(
        (pl.col("figure") == "Children and young people 0-22 placed outside home (31 Dec)")
        & (pl.col("year") == "2011"))["note"].item()


def test_generated_values_are_national_equivalents_near_the_published(register20k):
    table = calibration_by_year(register20k)
    notes = table.filter((pl.col("figure") == "Notifications received") & (pl.col("year") == "2019"))
    assert notes["generated"].item() == pytest.approx(138_000, rel=0.15)
    assert notes["deviation"].item() == pytest.approx(notes["generated"].item() / 138_000 - 1)
    # every generated figure within 30 % at 20,000 children (one year, small-sample noise)
    got = table.filter(pl.col("deviation").is_not_null())
    assert got.height >= 15
    assert (got["deviation"].abs() < 0.30).all(), got


def test_series_names_placed_0_17_and_0_22(register20k):
    s = generated_series(register20k)
    wide = s.pivot(on="measure", index="year", values="value")
    assert (wide["placed"] > wide["placed_0_17"]).all()
    assert ((wide["placed"] - wide["placed_0_17"] - wide["continued"]).abs() < 1e-6 * wide["placed"]).all()
