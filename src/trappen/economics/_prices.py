"""Prices with history, the price index, and spending from the analytic register.

Rates are date-ranged per intervention code, half-open like the register:
``[valid_from, valid_to)``, ``valid_to`` null = still valid. A new price from a date closes
the old one at that date; history is kept. Every amount states its price year.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from trappen.errors import InvalidInput, Problem, ProblemCollector

RATE_SCHEMA = {
    "intervention_code": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "cost_dkk_per_day": pl.Float64,
    "price_year": pl.Int64,
    "source": pl.String,
}

SPENDING_KEYS = ("child_id", "episode_id", "step", "intervention_code", "district_code", "month")
EARLIEST = date(1900, 1, 1)


# ----------------------------------------------------------------------------- price index
@cache
def _default_index() -> tuple[tuple[int, float], ...]:
    text = (resources.files("trappen.economics") / "data" / "price_index.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple((int(r["year"]), float(r["index"])) for r in rows)


def default_price_index() -> dict[int, float]:
    """The shipped price index by year (ILLUSTRATIVE values, about 2 % a year; see the CSV).

    Replace it with the municipal price and wage index (PL-index) before real use.
    """
    return dict(_default_index())


def load_price_index(path: Path | str) -> dict[int, float]:
    """Read a price index CSV with columns ``year`` and ``index``.

    Raises:
        InvalidInput: a missing column, a non-numeric or non-positive index, a duplicate year.
    """
    frame = pl.read_csv(path, infer_schema_length=0)
    bad = ProblemCollector()
    for col in ("year", "index"):
        if col not in frame.columns:
            bad.add(field=col, value=None, message="missing column", table=str(path))
    bad.raise_if_any()
    out: dict[int, float] = {}
    for i, (y, v) in enumerate(zip(frame["year"], frame["index"], strict=True), start=1):
        try:
            year, value = int(y), float(v)
        except (TypeError, ValueError):
            bad.add(field="index", value=(y, v), message="year and index must be numbers", row=i, table=str(path))
            continue
        if value <= 0 or year in out:
            bad.add(field="index", value=(y, v), message="index must be > 0, one row per year",
                    row=i, table=str(path))
        out[year] = value
    bad.raise_if_any()
    return out


def convert_price_year(amount_dkk: float, *, from_year: int, to_year: int,
                       index: Mapping[int, float] | None = None) -> float:
    """Convert an amount from ``from_year`` prices to ``to_year`` prices.

    ``amount × index[to_year] / index[from_year]``.

    Raises:
        InvalidInput: the index has no value for one of the years.
    """
    idx = index if index is not None else default_price_index()
    for key, year in (("from_year", from_year), ("to_year", to_year)):
        if year not in idx:
            raise InvalidInput(Problem(field=key, value=year, message=(
                f"the price index has no value for {year} (it covers {min(idx)}-{max(idx)})")))
    return amount_dkk * idx[to_year] / idx[from_year]


def _index_frame(index: Mapping[int, float]) -> pl.DataFrame:
    return pl.DataFrame({"price_year": list(index), "_index": list(index.values())},
                        schema={"price_year": pl.Int64, "_index": pl.Float64})


# ----------------------------------------------------------------------------- rates
@dataclass(frozen=True)
class RateTable:
    """Date-ranged rates per intervention code; see the module docstring.

    ``frame`` has the columns of :data:`RATE_SCHEMA`. Construct with :meth:`from_frame`
    (validates) or :func:`default_rates`.
    """

    frame: pl.DataFrame

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> RateTable:
        """Validate and wrap a rates frame.

        Raises:
            InvalidInput: a missing column, a negative rate, a missing price year, an empty
                period, or two periods of one code that overlap (row numbers are 1-based).
        """
        missing = [c for c in RATE_SCHEMA if c not in frame.columns and c != "source"]
        if missing:
            raise InvalidInput([Problem(field=c, value=None, message="missing column", table="rates")
                                for c in missing])
        if "source" not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias("source"))
        f = frame.select([pl.col(c).cast(t) for c, t in RATE_SCHEMA.items()]).with_row_index("_row", offset=1)
        bad = ProblemCollector()
        checks = [
            (pl.col("cost_dkk_per_day").is_null() | (pl.col("cost_dkk_per_day") < 0)
             | ~pl.col("cost_dkk_per_day").is_finite(),  # nan/inf would be stored as such on PostgreSQL
             "cost_dkk_per_day", "a rate must be a finite number >= 0"),
            (pl.col("price_year").is_null(), "price_year", "every rate needs its price year"),
            (pl.col("valid_from").is_null(), "valid_from", "every rate needs a start date"),
            (pl.col("valid_to").is_not_null() & (pl.col("valid_to") <= pl.col("valid_from")),
             "valid_to", "must be after valid_from"),
        ]
        for cond, col, msg in checks:
            for row in f.filter(cond).select("_row", col).iter_rows():
                bad.add(field=col, value=row[1], message=msg, row=row[0], table="rates")
        ordered = f.sort("intervention_code", "valid_from").with_columns(
            pl.col("valid_to").shift(1).over("intervention_code").alias("_prev_to"),
            pl.col("valid_from").shift(1).over("intervention_code").alias("_prev_from"))
        overlap = ordered.filter(pl.col("_prev_from").is_not_null()
                                 & (pl.col("_prev_to").is_null() | (pl.col("_prev_to") > pl.col("valid_from"))))
        for row in overlap.select("_row", "intervention_code", "valid_from").iter_rows():
            bad.add(field="valid_from", value=f"{row[1]} from {row[2]}",
                    message="overlaps the previous rate of this code", row=row[0], table="rates")
        bad.raise_if_any()
        return cls(frame.select([pl.col(c).cast(t) for c, t in RATE_SCHEMA.items()])
                   .sort("intervention_code", "valid_from"))

    def with_new_price(self, code: str, *, valid_from: date, cost_dkk_per_day: float,
                       price_year: int, source: str = "") -> RateTable:
        """A new table where ``code`` costs ``cost_dkk_per_day`` from ``valid_from`` on.

        The rate valid on that day is closed at ``valid_from``; earlier history is kept.

        Raises:
            InvalidInput: a later rate of the code already starts on or after ``valid_from``.
        """
        f = self.frame
        later = f.filter((pl.col("intervention_code") == code) & (pl.col("valid_from") >= valid_from))
        if later.height:
            raise InvalidInput(Problem(field="valid_from", value=str(valid_from), message=(
                f"{code} already has a rate from {later['valid_from'][0]}; change that one instead")))
        covering = (pl.col("intervention_code") == code) & (pl.col("valid_from") < valid_from) & (
            pl.col("valid_to").is_null() | (pl.col("valid_to") > valid_from))
        old_to = f.filter(covering)["valid_to"]
        new_to = old_to[0] if old_to.len() else None
        closed = f.with_columns(pl.when(covering).then(pl.lit(valid_from)).otherwise(pl.col("valid_to"))
                                .alias("valid_to"))
        new = pl.DataFrame([{"intervention_code": code, "valid_from": valid_from, "valid_to": new_to,
                             "cost_dkk_per_day": float(cost_dkk_per_day), "price_year": price_year,
                             "source": source}], schema=RATE_SCHEMA)
        return RateTable.from_frame(pl.concat([closed, new]))

    def rate_on(self, code: str, day: date) -> float | None:
        """The rate of ``code`` valid on ``day`` (None if none)."""
        hit = self.frame.filter((pl.col("intervention_code") == code) & (pl.col("valid_from") <= day)
                                & (pl.col("valid_to").is_null() | (pl.col("valid_to") > day)))
        return float(hit["cost_dkk_per_day"][0]) if hit.height else None


def default_rates(catalogue: object | None = None, *, valid_from: date = EARLIEST) -> RateTable:
    """One open-ended rate per catalogue code: ``cost_dkk_per_day`` at its ``price_year``."""
    from trappen.staircase import default_catalogue

    cat = catalogue if catalogue is not None else default_catalogue()
    types = cat.types  # type: ignore[attr-defined]
    return RateTable.from_frame(pl.DataFrame({
        "intervention_code": [t.code for t in types],
        "valid_from": [valid_from] * len(types),
        "valid_to": pl.Series([None] * len(types), dtype=pl.Date),
        "cost_dkk_per_day": [float(t.cost_dkk_per_day) for t in types],
        "price_year": [t.price_year for t in types],
        "source": [t.price_source for t in types],
    }, schema=RATE_SCHEMA))


# ----------------------------------------------------------------------------- spending
def _split_by_month(frame: pl.LazyFrame, start: str, end: str) -> pl.LazyFrame:
    """One row per (row, calendar month) with ``month`` (first day) and ``days`` in it.

    Periods are half-open ``[start, end)`` and ``end > start``. Months are exploded as
    integer month numbers and day counts computed on integer day numbers (a lookup of each
    month's first day), which is several times faster than exploding date ranges.
    """
    def month_number(expr: pl.Expr) -> pl.Expr:
        return expr.dt.year().cast(pl.Int32) * 12 + expr.dt.month().cast(pl.Int32) - 1

    bounds = frame.select(month_number(pl.col(start)).min().alias("lo"),
                          month_number(pl.col(end)).max().alias("hi")).collect()
    if bounds.height == 0 or bounds["lo"][0] is None:
        return frame.with_columns(pl.lit(None, dtype=pl.Date).alias("month"),
                                  pl.lit(None, dtype=pl.Int64).alias("days")).clear()
    lo, hi = int(bounds["lo"][0]), int(bounds["hi"][0]) + 1
    firsts = pl.Series([date(m // 12, m % 12 + 1, 1) for m in range(lo, hi + 1)], dtype=pl.Date)
    first_days = firsts.cast(pl.Int32)
    return (frame
            .with_columns(pl.int_ranges(month_number(pl.col(start)),
                                        month_number(pl.col(end) - pl.duration(days=1)) + 1,
                                        dtype=pl.Int32).alias("_m"))
            .explode("_m")
            .with_columns((pl.col("_m") - lo).alias("_i"))
            .with_columns(
                pl.lit(firsts).gather(pl.col("_i")).alias("month"),
                (pl.min_horizontal(pl.col(end).cast(pl.Int32), pl.lit(first_days).gather(pl.col("_i") + 1))
                 - pl.max_horizontal(pl.col(start).cast(pl.Int32), pl.lit(first_days).gather(pl.col("_i"))))
                .cast(pl.Int64).alias("days"))
            .drop("_m", "_i"))


def _check_by(by: Sequence[str], allowed: Sequence[str]) -> None:
    unknown = [b for b in by if b not in allowed]
    if unknown:
        raise InvalidInput(Problem(field="by", value=unknown, message=f"group by any of {list(allowed)}"))


def spending(register: object, *, rates: RateTable, start: date, end: date,
             by: Sequence[str] = ("step", "month"), price_year: int | None = None,
             index: Mapping[int, float] | None = None) -> pl.DataFrame:
    """Spending on interventions in ``[start, end)``, grouped by ``by``.

    Each episode is clipped to the window, joined to the rates of its code and cut at rate
    boundaries (so a price change inside an episode is honoured), then cut at month
    boundaries; amount = days × rate valid on those days. All vectorised in Polars.
    ``district_code`` is the child's district in the children table (latest).

    Args:
        register: a :class:`trappen.register.Register`.
        rates: the rates to apply.
        start: first day counted. end: first day not counted.
        by: any of :data:`SPENDING_KEYS`.
        price_year: convert every amount to these prices with ``index``; None keeps the
            rates' price year (then all rates used must share one).
        index: price index by year (default the shipped illustrative index).

    Returns:
        Columns ``*by, days, amount_dkk, price_year``, sorted by ``by``.

    Raises:
        InvalidInput: an unknown ``by``, an episode whose code has no rate on some of its
            days, or mixed price years with ``price_year`` None.
    """
    _check_by(by, SPENDING_KEYS)
    if end <= start:
        raise InvalidInput(Problem(field="end", value=str(end), message="must be after start"))
    episodes = register.episodes.lazy()  # type: ignore[attr-defined]
    clipped = (episodes
               .with_columns(pl.max_horizontal(pl.col("start_date"), pl.lit(start)).alias("_s"),
                             pl.min_horizontal(pl.col("end_date").fill_null(end), pl.lit(end)).alias("_e"))
               .filter(pl.col("_s") < pl.col("_e")))
    segments = (clipped
                .join(rates.frame.lazy(), on="intervention_code", how="inner")
                .with_columns(pl.max_horizontal("_s", "valid_from").alias("_s2"),
                              pl.min_horizontal("_e", pl.col("valid_to").fill_null(end)).alias("_e2"))
                .filter(pl.col("_s2") < pl.col("_e2"))
                .collect().lazy())  # materialise once: used for the checks and the amounts
    covered = segments.group_by("episode_id").agg(((pl.col("_e2") - pl.col("_s2")).dt.total_days().sum()).alias("_cov"))
    gaps = (clipped.join(covered, on="episode_id", how="left")
            .filter(pl.col("_cov").fill_null(0) != (pl.col("_e") - pl.col("_s")).dt.total_days())
            .select("episode_id", "intervention_code", "_s", "_e").collect())
    if gaps.height:
        raise InvalidInput([Problem(field="intervention_code", value=r[1], table="episodes",
                                    message=f"episode {r[0]} has days between {r[2]} and {r[3]} with no rate")
                            for r in gaps.head(20).iter_rows()])
    if price_year is None:
        years = segments.select(pl.col("price_year").unique()).collect()["price_year"].to_list()
        if len(years) > 1:
            raise InvalidInput(Problem(field="price_year", value=sorted(years),
                                       message="rates have several price years; pass price_year= to convert"))
        target_factor = pl.lit(1.0)
        out_year = years[0] if years else None
    else:
        idx = index if index is not None else default_price_index()
        used = segments.select(pl.col("price_year").unique()).collect()["price_year"].to_list()
        for y in used + [price_year]:
            convert_price_year(1.0, from_year=y, to_year=price_year, index=idx)  # raises if missing
        segments = segments.join(_index_frame(idx).lazy(), on="price_year", how="left")
        target_factor = idx[price_year] / pl.col("_index")
        out_year = price_year
    if "district_code" in by:
        segments = segments.join(register.children.lazy().select("child_id", "district_code"),  # type: ignore[attr-defined]
                                 on="child_id", how="left")
    if "month" in by:
        pieces = _split_by_month(segments, "_s2", "_e2")
    else:  # no month split needed: days of the whole segment
        pieces = segments.with_columns((pl.col("_e2") - pl.col("_s2")).dt.total_days().alias("days"))
    monthly = pieces.with_columns(
        (pl.col("days") * pl.col("cost_dkk_per_day") * target_factor).alias("amount_dkk"))
    keys = list(by)
    agg = monthly.group_by(keys) if keys else monthly.select(pl.all())
    result = (agg.agg(pl.col("days").sum(), pl.col("amount_dkk").sum()) if keys
              else monthly.select(pl.col("days").sum(), pl.col("amount_dkk").sum()))
    result = result.collect()
    if keys:
        result = result.sort(keys)
    return result.with_columns(pl.lit(out_year, dtype=pl.Int64).alias("price_year"))


def caseworker_costs(register: object, *, dkk_per_fte_per_year: float, start: date, end: date,
                     by: Sequence[str] = ("district_code", "month"), price_year: int | None = None
                     ) -> pl.DataFrame:
    """Caseworker costs (FTE × annual cost, pro rata by day) in ``[start, end)``.

    Kept apart from intervention spending: municipalities book caseworkers as
    administration, not on the placement accounts. A day costs
    ``fte × dkk_per_fte_per_year / days in that year``, so a full year costs exactly the
    annual cost.

    Returns:
        Columns ``*by, fte_days, amount_dkk, price_year`` (price_year as given, may be null).
    """
    allowed = ("caseworker_id", "district_code", "team_code", "month")
    _check_by(by, allowed)
    if dkk_per_fte_per_year < 0:
        raise InvalidInput(Problem(field="dkk_per_fte_per_year", value=dkk_per_fte_per_year,
                                   message="must not be negative"))
    cw = (register.caseworkers.lazy()  # type: ignore[attr-defined]
          .with_columns(pl.max_horizontal(pl.col("start_date"), pl.lit(start)).alias("_s"),
                        pl.min_horizontal(pl.col("end_date").fill_null(end), pl.lit(end)).alias("_e"))
          .filter(pl.col("_s") < pl.col("_e")))
    monthly = _split_by_month(cw, "_s", "_e").with_columns(
        (pl.col("days") * pl.col("fte")).alias("fte_days"),
        (pl.col("days") * pl.col("fte") * dkk_per_fte_per_year
         / pl.when(pl.col("month").dt.is_leap_year()).then(366).otherwise(365)).alias("amount_dkk"))
    keys = list(by)
    result = (monthly.group_by(keys).agg(pl.col("fte_days").sum(), pl.col("amount_dkk").sum()).collect().sort(keys)
              if keys else monthly.select(pl.col("fte_days").sum(), pl.col("amount_dkk").sum()).collect())
    return result.with_columns(pl.lit(price_year, dtype=pl.Int64).alias("price_year"))
