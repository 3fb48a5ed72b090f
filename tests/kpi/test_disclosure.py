"""Disclosure control: small counts hidden, and no hidden cell recoverable from the totals."""

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from trappen.errors import InvalidInput
from trappen.kpi.disclosure import suppress


def _table(matrix: list[list[int]]) -> pl.DataFrame:
    return pl.DataFrame([(f"r{i}", f"c{j}", v) for i, row in enumerate(matrix) for j, v in enumerate(row)],
                        schema={"row": pl.String, "col": pl.String, "n": pl.Int64}, orient="row")


def _bounds(original: pl.DataFrame, published: pl.DataFrame) -> list[tuple[float, float, int]]:
    """An attacker's best bounds on each hidden cell: LP min/max subject to the published row,
    column and grand totals and non-negativity."""
    merged = original.join(published.rename({"n": "pub"}), on=["row", "col"])
    hidden = merged.filter(pl.col("pub").is_null())
    if hidden.is_empty():
        return []
    rows, cols = hidden["row"].to_list(), hidden["col"].to_list()
    a_eq, b_eq = [], []
    for dim, keys in (("row", rows), ("col", cols)):
        for key in sorted(set(keys)):
            line = merged.filter(pl.col(dim) == key)
            a_eq.append([1.0 if k == key else 0.0 for k in keys])
            b_eq.append(float(line["n"].sum() - line["pub"].fill_null(0).sum()))
    out = []
    for j in range(hidden.height):
        c = np.zeros(hidden.height)
        c[j] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        hi = -linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        out.append((lo, hi, int(hidden["n"][j])))
    return out


def _check_safe(original: pl.DataFrame, published: pl.DataFrame, threshold: int = 5) -> None:
    merged = original.join(published.rename({"n": "pub"}), on=["row", "col"])
    # every small non-zero count is hidden; zeros and large counts published unless secondary
    small = merged.filter((pl.col("n") > 0) & (pl.col("n") < threshold))
    assert small["pub"].null_count() == small.height
    assert (merged.filter(pl.col("suppression").is_null())["pub"] == merged.filter(
        pl.col("suppression").is_null())["n"]).all()
    for dim in ("row", "col"):
        per_line = merged.group_by(dim).agg(pl.col("pub").null_count().alias("h"))
        assert not (per_line["h"] == 1).any(), per_line
    for lo, hi, true in _bounds(original, published):
        assert lo <= true + 1e-9 and hi >= true - 1e-9
        assert hi - lo > 0.5, "a hidden cell can be derived from the totals"


def test_hand_example_2x3():
    # r0: 3 10 20 / r1: 15 12 30 / r2: 8 9 40. 3 is primary. Column c0 needs a second: the
    # smallest other in c0 is 8 (r2); row r0 needs a second: 10 (c1). Then row r2 (8 hidden)
    # and column c1 (10 hidden) each have one more: row r2 -> 9 (c1) closes both.
    t = _table([[3, 10, 20], [15, 12, 30], [8, 9, 40]])
    out = suppress(t, value_col="n", row_dims=["row"], col_dims=["col"])
    hidden = {(r["row"], r["col"]): r["suppression"] for r in out.filter(pl.col("n").is_null()).to_dicts()}
    assert hidden == {("r0", "c0"): "primary", ("r0", "c1"): "secondary", ("r2", "c0"): "secondary",
                      ("r2", "c1"): "secondary"}
    # subtraction attack: r0 total 33 minus 20 leaves 13 = c0 + c1, not c0 alone
    _check_safe(t, out)


def test_one_way_table_hides_a_second_cell():
    t = pl.DataFrame({"step": ["1", "2", "3", "4"], "n": [2, 10, 7, 30]})
    out = suppress(t, value_col="n", row_dims=["step"])
    assert out["n"].to_list() == [None, 10, None, 30]
    assert out["suppression"].to_list() == ["primary", None, "secondary", None]


def test_zero_cells_are_published_and_nothing_hidden_when_all_large_or_zero():
    t = _table([[0, 10], [12, 30]])
    out = suppress(t, value_col="n", row_dims=["row"], col_dims=["col"])
    assert out["n"].to_list() == [0, 10, 12, 30]
    assert out["suppression"].null_count() == 4


def test_bridge_between_hidden_blocks_is_closed():
    # two 2x2 blocks of small counts joined only through row r1/col c2 must not leave a
    # determinable cell
    t = _table([[1, 2, 50, 60, 70], [3, 4, 1, 80, 90], [70, 80, 2, 3, 60], [90, 60, 70, 4, 1]])
    out = suppress(t, value_col="n", row_dims=["row"], col_dims=["col"])
    _check_safe(t, out)


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_are_safe(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
    matrix = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40], size=shape).tolist()
    t = _table(matrix)
    _check_safe(t, suppress(t, value_col="n", row_dims=["row"], col_dims=["col"]))


def test_bad_input():
    with pytest.raises(InvalidInput, match="negative"):
        suppress(pl.DataFrame({"a": ["x"], "n": [-1]}), value_col="n", row_dims=["a"])
    with pytest.raises(InvalidInput, match="not in the table"):
        suppress(pl.DataFrame({"a": ["x"], "n": [1]}), value_col="m", row_dims=["a"])
