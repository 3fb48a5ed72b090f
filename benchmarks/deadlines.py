"""Benchmark the deadline engine on a synthetic municipality. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/deadlines.py --children 20000 --years 10 --seed 1

Figures: time to compute every deadline item of the register, time for one caseworker's
caseload of 25 children ("My day"), rows, and the process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, date, datetime

import numpy as np
import polars as pl

from trappen.deadlines import deadline_items, deadline_items_for_children
from trappen.synthetic import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    end = date(2025, 12, 31)
    now = datetime(2025, 12, 31, 12, tzinfo=UTC)
    since = date(end.year - args.years + 1, 1, 1)

    t0 = time.perf_counter()
    register = generate(children=args.children, years=args.years, seed=args.seed, end_date=end)
    print(f"generate: {time.perf_counter() - t0:.2f} s (children={args.children}, years={args.years}, "
          f"seed={args.seed})")
    for name in ("notifications", "investigations", "episodes", "plans", "follow_ups",
                 "supervision_visits", "complaints"):
        print(f"  {name}: {register.tables[name].height:,} rows")

    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        items = deadline_items(register, now=now, since=since)
        best = min(best, time.perf_counter() - t0)
    print(f"deadline_items (whole register): {best * 1000:.0f} ms best of {args.repeat}, {items.height:,} items")
    print(items.group_by("status").len().sort("status"))

    # "My day": 25 children with open cases, chosen with a seeded generator.
    rng = np.random.default_rng(args.seed)
    with_measures = register.episodes.filter(pl.col("end_date").is_null())["child_id"].unique().sort()
    caseload = rng.choice(with_measures.to_numpy(), size=min(25, len(with_measures)), replace=False)
    best = float("inf")
    for _ in range(args.repeat * 3):
        t0 = time.perf_counter()
        mine = deadline_items_for_children(register, child_ids=caseload.tolist(), now=now, since=since)
        best = min(best, time.perf_counter() - t0)
    print(f"deadline_items_for_children (25 children): {best * 1000:.1f} ms best of {args.repeat * 3}, "
          f"{mine.height} items")
    print(f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
