"""Benchmark the synthetic generator: time and peak memory, and writing Parquet.

Usage::

    .venv/bin/python benchmarks/generate.py --children 1200000 --years 10
    .venv/bin/python benchmarks/generate.py --children 20000 --years 10

Prints the wall and CPU time of generation and of writing, the rows per table and the peak resident
memory of the process (``resource.getrusage``; Linux reports kilobytes).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from trappen.synthetic import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=1_200_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="directory (default: a temp dir)")
    args = parser.parse_args()

    c0 = time.process_time()
    t0 = time.perf_counter()
    register = generate(children=args.children, years=args.years, seed=args.seed)
    t1 = time.perf_counter()
    c1 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        paths = register.write(out, fmt="parquet")
        t2 = time.perf_counter()
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"children={args.children} years={args.years} seed={args.seed}")
    for name, frame in register.tables.items():
        print(f"  {name:<20} {frame.height:>12,} rows")
    print(f"generate: {t1 - t0:8.1f} s wall, {c1 - c0:.1f} s CPU (the machine is shared)")
    print(f"write parquet: {t2 - t1:8.1f} s ({size_mb:.0f} MB)")
    print(f"total: {t2 - t0:8.1f} s")
    print(f"peak memory (max RSS): {peak_mb:8.0f} MB")


if __name__ == "__main__":
    main()
