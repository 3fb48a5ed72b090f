"""The generator's built-in Herning pilot effect, measured: pilot against no pilot, same seed.

Usage::

    .venv/bin/python benchmarks/pilot_effect.py

Generates ``children=200_000, years=10, seed=1`` without and with a pilot in D01-D03 from 2019
and prints, in the pilot districts from 2020: placement episodes started, placement days, the
mean age at case opening and the caseworkers (the table in docs/calibration.md).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from trappen.synthetic import generate

PILOT = ["D01", "D02", "D03"]
START, END = date(2020, 1, 1), date(2025, 12, 31)


def measure(**pilot: int) -> tuple[int, int, float, int]:
    r = generate(children=200_000, years=10, seed=1, **pilot)
    where = r.residences.select("child_id", "district_code")
    ep = r.episodes.join(where, on="child_id").filter(
        pl.col("district_code").is_in(PILOT) & pl.col("step").is_in([4, 5, 6]))
    started = ep.filter(pl.col("start_date") >= START).height
    first = pl.max_horizontal(pl.col("start_date"), pl.lit(START))
    last = pl.min_horizontal(pl.col("end_date").fill_null(END), pl.lit(END))
    days = int(ep.select((last - first).dt.total_days().clip(lower_bound=0).sum()).item())
    cases = r.cases.join(r.children.select("child_id", "birth_date"), on="child_id").join(
        where, on="child_id").filter(pl.col("district_code").is_in(PILOT) & (pl.col("opened_on") >= START))
    age = float(cases.select(((pl.col("opened_on") - pl.col("birth_date")).dt.total_days() / 365.25).mean()).item())
    return started, days, age, r.caseworkers.filter(pl.col("district_code").is_in(PILOT)).height


def main() -> None:
    a = measure()
    b = measure(pilot_districts=3, pilot_from=2019)
    print("figure | no pilot | pilot | change")
    print(f"placement episodes started | {a[0]:,} | {b[0]:,} | {100 * (b[0] / a[0] - 1):+.1f} %")
    print(f"placement days | {a[1]:,} | {b[1]:,} | {100 * (b[1] / a[1] - 1):+.1f} %")
    print(f"mean age at case opening | {a[2]:.2f} | {b[2]:.2f} | {b[2] - a[2]:+.2f} years")
    print(f"caseworkers | {a[3]} | {b[3]} | x{b[3] / a[3]:.1f}")


if __name__ == "__main__":
    main()
