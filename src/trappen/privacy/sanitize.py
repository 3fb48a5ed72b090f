"""CSV/Excel formula-injection protection for exports.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return may be run as a
formula by a spreadsheet (``=HYPERLINK(...)`` exfiltrating data, ``=cmd|...`` DDE). Following the
OWASP "CSV Injection" cheat sheet, such cells get a leading apostrophe, which spreadsheets
treat as "this is text" and do not display. Numbers, dates and other non-text values are left
alone: ``-5`` as a number is a number, ``"-5"`` as text is prefixed. The CSV writer must still
quote fields (Polars and the csv module do), which handles embedded separators and quotes.
"""

from __future__ import annotations

import polars as pl

__all__ = ["FORMULA_PREFIXES", "neutralise_formula", "neutralise_frame"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a cell a formula. Source: OWASP Cheat Sheet Series,
"CSV Injection" (owasp.org/www-community/attacks/CSV_Injection)."""

_PATTERN = r"^[=+\-@\t\r]"


def neutralise_formula(value: object) -> object:
    """Prefix an apostrophe to text that a spreadsheet would read as a formula.

    Args:
        value: any cell value.

    Returns:
        ``"'" + value`` for a string starting with one of :data:`FORMULA_PREFIXES`; anything
        else unchanged (non-strings included).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Neutralise every text column of a frame in one vectorised pass.

    String columns are rewritten; Categorical and Enum columns become String (an apostrophe
    would not be a valid category); other columns and nulls are unchanged. Nested (list/struct)
    columns are not inspected: flatten them before export.

    Args:
        df: the frame to export.

    Returns:
        A new frame with the same columns in the same order.
    """
    exprs = []
    for name, dtype in df.schema.items():
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
            col = pl.col(name).cast(pl.String)
            exprs.append(pl.when(col.str.contains(_PATTERN))
                         .then(pl.lit("'") + col).otherwise(col).alias(name))
    return df.with_columns(exprs) if exprs else df
