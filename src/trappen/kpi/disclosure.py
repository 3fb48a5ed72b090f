"""Statistical disclosure control for published tables: primary and secondary cell suppression.

Decisions (documented in docs/kpi.md):
    * Primary suppression hides counts ``1 .. threshold-1`` (default 1-4, as Danish official
      statistics practice for small counts of persons). Zero cells are shown: a zero says nothing
      about an individual, and hiding all zeros would hide most of a sparse table.
    * Secondary suppression: every row and every column (and, for a one-way table, the table)
      that contains a hidden cell must contain at least two, so that no hidden cell equals a
      published total minus published cells. The complementary cell is the smallest non-zero
      visible cell of that line (least information lost), a zero only when no other is left.
      A line whose hidden cells sum to zero also gets a non-zero complement: counts are
      non-negative, so a zero residual would reveal every hidden cell in it.
    * A final audit solves the linear system of published margins: a hidden cell that is still
      uniquely determined (e.g. a bridge between two blocks of hidden cells) makes the smallest
      visible cells in its row and column hidden too, and the passes repeat.
    * Limitation: when the margins alone pin a small cell down (e.g. a row whose only non-zero
      cell is a 2, next to a column of zeros), no cell suppression can protect it; such tables
      need their margins suppressed or rounded before publishing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from trappen.errors import InvalidInput, Problem

_IDX = "_cell"
_SUP = "_sup"


def _one_pass(frame: pl.DataFrame, value_col: str, dims: Sequence[str]) -> pl.DataFrame:
    """Hide one complementary cell in each unsafe line (group of ``dims``)."""
    over = list(dims) if dims else [pl.lit(0)]
    n_hidden = pl.col(_SUP).sum().over(over)
    hidden_total = pl.col(value_col).filter(pl.col(_SUP)).sum().over(over)
    # one hidden cell, or hidden cells that sum to 0 (non-negativity then reveals them all)
    unsafe = (n_hidden == 1) | ((n_hidden >= 1) & (hidden_total == 0))
    candidate = ~pl.col(_SUP) & unsafe
    pick = (pl.col(_IDX).filter(candidate)
            .sort_by([pl.col(value_col).filter(candidate) == 0, pl.col(value_col).filter(candidate),
                      pl.col(_IDX).filter(candidate)])
            .first().over(over))
    return frame.with_columns((pl.col(_SUP) | (pl.col(_IDX) == pick).fill_null(False)).alias(_SUP))


def _determined(frame: pl.DataFrame, row_dims: Sequence[str], col_dims: Sequence[str]) -> list[int]:
    """Hidden cells uniquely determined by the published row and column totals."""
    hidden = frame.filter(pl.col(_SUP))
    if hidden.height == 0:
        return []
    rows = hidden.select(pl.struct(list(row_dims)).rank("dense") - 1).to_series().to_numpy()
    cols = hidden.select(pl.struct(list(col_dims)).rank("dense") - 1).to_series().to_numpy()
    n = hidden.height
    a = np.zeros((int(rows.max()) + 1 + int(cols.max()) + 1, n))
    a[rows, np.arange(n)] = 1
    a[int(rows.max()) + 1 + cols, np.arange(n)] = 1
    rank = np.linalg.matrix_rank(a)
    out = []
    for j in range(n):
        e = np.zeros((1, n))
        e[0, j] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(int(hidden[_IDX][j]))
    return out


def suppress(table: pl.DataFrame, *, value_col: str, row_dims: Sequence[str],
             col_dims: Sequence[str] | None = None, threshold: int = 5) -> pl.DataFrame:
    """Hide small counts and enough other cells that none can be recovered from the totals.

    Args:
        table: long format, one row per cell, identified by ``row_dims`` + ``col_dims``.
        value_col: the count column (non-negative).
        row_dims: columns identifying a table row.
        col_dims: columns identifying a table column; None or empty for a one-way table whose
            only published margin is the grand total.
        threshold: counts ``1 .. threshold-1`` are primary-suppressed.

    Returns:
        ``table`` with ``value_col`` set to null in hidden cells and a ``suppression`` column:
        ``"primary"``, ``"secondary"`` or null.

    Raises:
        InvalidInput: a missing column, a negative count, or duplicate cells.
    """
    col_dims = list(col_dims or [])
    row_dims = list(row_dims)
    missing = [c for c in [value_col, *row_dims, *col_dims] if c not in table.columns]
    if missing:
        raise InvalidInput(Problem(field="columns", value=missing, message="column(s) not in the table"))
    if (table[value_col] < 0).any():
        raise InvalidInput(
            Problem(field=value_col, value=table[value_col].min(), message="counts must not be negative")
        )
    if table.select(pl.struct([*row_dims, *col_dims]).is_duplicated().any()).item():
        raise InvalidInput(Problem(field="cells", value=[*row_dims, *col_dims], message="duplicate cells"))
    frame = table.with_row_index(_IDX).with_columns(
        ((pl.col(value_col) > 0) & (pl.col(value_col) < threshold)).fill_null(False).alias(_SUP)
    )
    primary = frame[_SUP]
    lines = [col_dims, row_dims] if col_dims else [[]]
    for _ in range(frame.height + 1):
        before = int(frame[_SUP].sum())
        for dims in lines:
            frame = _one_pass(frame, value_col, dims)
        if col_dims and int(frame[_SUP].sum()) == before:
            for cell in _determined(frame, row_dims, col_dims):
                r = frame.filter(pl.col(_IDX) == cell)
                for dims in (row_dims, col_dims):
                    key = r.select(dims)
                    same = frame.join(key, on=list(dims), how="semi").filter(~pl.col(_SUP))
                    if same.height:
                        choice = same.sort(pl.col(value_col) == 0, value_col, _IDX)[_IDX][0]
                        frame = frame.with_columns((pl.col(_SUP) | (pl.col(_IDX) == choice)).alias(_SUP))
        if int(frame[_SUP].sum()) == before:
            break
    return (
        frame.with_columns(primary.alias("_primary"))
        .with_columns(
            pl.when(pl.col("_primary"))
            .then(pl.lit("primary"))
            .when(pl.col(_SUP))
            .then(pl.lit("secondary"))
            .otherwise(None)
            .alias("suppression"),
            pl.when(pl.col(_SUP)).then(None).otherwise(pl.col(value_col)).alias(value_col),
        )
        .drop(_IDX, _SUP, "_primary")
    )
