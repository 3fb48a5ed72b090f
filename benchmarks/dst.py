"""Time of building a full-year L201 delivery with the core, for a 20,000-child municipality.

Generates the synthetic municipality (trappen.synthetic, seeded), turns its episodes into
measures, gives every child a synthetic CPR number and a synthetic custody holder, and times
``build_delivery`` for the year before the register's end: the first delivery (empty ledger,
every measure of the year is new), then the same year against the ledger of that delivery
(nothing changed: no records). Build, validation, XML and checksum are all in the time. No
database, no Django. Prints the figures; asserts nothing on time (target: under 10 s).

    .venv/bin/python benchmarks/dst.py [--children 20000] [--years 10] [--seed 1] [--repeats 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import polars as pl


def _cpr(birth: pl.Expr, *, offset: int) -> pl.Expr:
    """Synthetic CPR numbers DDMMYYSSSS: the birth date and a serial unique per birth date.

    The 7th digit gives the century (CPR office's table): ``offset`` (0-3) for the 1900s,
    9 for 2000-2036. Synthetic only: never a real person's number.
    """
    seq = pl.int_range(pl.len()).over(birth)
    serial = pl.when(birth.dt.year() >= 2000).then(9000 + seq).otherwise(offset * 1000 + seq)
    return birth.dt.strftime("%d%m%y") + serial.cast(pl.String).str.zfill(4)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from trappen.exchange.dst import (
        LEDGER_SCHEMA,
        Contact,
        Period,
        Sender,
        build_delivery,
        check_xml,
        empty,
        ledger_state,
        measures_from_episodes,
    )
    from trappen.staircase import default_paragraph_codes
    from trappen.synthetic import generate

    end = dt.date(2025, 12, 31)
    t = time.perf_counter()
    register = generate(children=args.children, years=args.years, seed=args.seed, end_date=end)
    print(f"generated {register.children.height:,} children, {register.episodes.height:,} episodes up to {end} "
          f"in {time.perf_counter() - t:.1f} s (seed {args.seed})", flush=True)

    measures = measures_from_episodes(register.episodes)
    identities = register.children.select(
        pl.col("child_id").cast(pl.Int64),
        _cpr(pl.col("birth_date"), offset=0).alias("child_cpr"),
        _cpr(pl.col("birth_date").dt.offset_by("-28y"), offset=3).alias("custody_cpr"),
    ).with_columns(pl.col("child_id").cast(pl.String).alias("identity"))
    sender = Sender(municipality_code="999", cvr="00000000",
                    contacts=(Contact(role="Kvitteringsmodtager", email="dst@example.dk"),), system_version="bench")
    codes = default_paragraph_codes()
    period = Period.parse(str(end.year))
    created_at = dt.datetime(end.year + 1, 1, 5, 9, 0, 0)

    def build(ledger: pl.DataFrame):  # noqa: ANN202  (the core's Delivery)
        return build_delivery(statistic="L201", period=period, measures=measures, identities=identities,
                              ledger=ledger, codes=codes, sender=sender, created_at=created_at)

    times: list[float] = []
    delivery = None
    for _ in range(args.repeats):
        t = time.perf_counter()
        delivery = build(empty(LEDGER_SCHEMA))
        times.append(time.perf_counter() - t)
    assert delivery is not None
    report = delivery.report
    print(f"L201 {period.label} (initial, empty ledger): {delivery.records.height:,} records "
          f"({', '.join(f'{k} {v:,}' for k, v in report.counts.items())}); "
          f"{len(report.errors)} errors, {len(report.warnings)} warnings; not in L201: "
          f"{', '.join(f'{k} {v:,}' for k, v in sorted(report.excluded.items()))}")
    print(f"  file {len(delivery.xml):,} bytes, sha256 {delivery.sha256[:16]}…; "
          f"check_xml problems: {len(check_xml(delivery.xml, statistic='L201'))}")
    print(f"  build: median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s "
          f"over {len(times)} runs (target < 10 s)")

    history = delivery.records.with_columns(pl.lit(period.end).alias("period_end"), pl.lit(0).alias("seq"))
    ledger = ledger_state(history)
    t = time.perf_counter()
    again = build(ledger)
    print(f"L201 {period.label} again against the ledger of that delivery: {again.records.height:,} records "
          f"in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
