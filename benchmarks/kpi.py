"""Benchmark: the whole KPI catalogue on a national-size synthetic register.

Usage::

    .venv/bin/python benchmarks/kpi.py                 # generates and caches on first run
    .venv/bin/python benchmarks/kpi.py --children 1200000 --years 10 --seed 1

The register is generated once with ``trappen.synthetic.generate`` and cached as Parquet under
/tmp; run the script a second time to measure the KPI engine without the generator's memory.
Prints wall time and peak RSS (resource.getrusage) for: reading, one date, a 10-year monthly
series. Targets: one date < 5 s and < 4 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=1_200_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--at", type=date.fromisoformat, default=date(2025, 12, 31))
    args = parser.parse_args()

    from trappen.kpi import compute_kpis, kpi_series
    from trappen.register import Register

    cache = Path(f"/tmp/trappen-bench-{args.children}-{args.years}-{args.seed}")
    if not (cache / "episodes.parquet").exists():
        from trappen.synthetic import generate

        t0 = time.perf_counter()
        reg = generate(children=args.children, years=args.years, seed=args.seed, end_date=args.at)
        reg.write(cache)
        print(f"generated and cached in {time.perf_counter() - t0:.1f} s (peak RSS {_peak_gb():.2f} GB); "
              f"run again to measure the KPI engine alone")
        return

    t0 = time.perf_counter()
    reg = Register.read(cache)
    print(f"read {cache}: " + ", ".join(f"{n} {f.height:,}" for n, f in reg.tables.items() if f.height))
    print(f"read: {time.perf_counter() - t0:.2f} s, peak RSS {_peak_gb():.2f} GB")

    from trappen.kpi import kpi_catalogue
    from trappen.register import validate

    t0 = time.perf_counter()
    validate(reg)
    print(f"validate: {time.perf_counter() - t0:.2f} s, peak RSS {_peak_gb():.2f} GB")

    codes = [k.code for k in kpi_catalogue() if k.code != "DEADLINE_COMPLIANCE"]
    t0 = time.perf_counter()
    one = compute_kpis(reg, at=args.at, kpis=codes)
    print(f"one date ({args.at}), {one['kpi_code'].n_unique()} KPIs without deadline compliance, "
          f"{one.height} rows: {time.perf_counter() - t0:.2f} s, peak RSS {_peak_gb():.2f} GB")
    t0 = time.perf_counter()
    try:
        dl = compute_kpis(reg, at=args.at, kpis=["DEADLINE_COMPLIANCE"])
        print(f"deadline compliance alone (trappen.deadlines.deadline_items), {dl.height} rows: "
              f"{time.perf_counter() - t0:.2f} s, peak RSS {_peak_gb():.2f} GB")
    except Exception as exc:  # report, do not hide: the deadlines engine is another module
        print(f"deadline compliance failed after {time.perf_counter() - t0:.2f} s: {type(exc).__name__}: {exc}"[:300])

    t0 = time.perf_counter()
    whole = compute_kpis(reg, at=args.at)
    print(f"one date ({args.at}), the whole catalogue ({whole['kpi_code'].n_unique()} KPIs), "
          f"{whole.height} rows: {time.perf_counter() - t0:.2f} s, peak RSS {_peak_gb():.2f} GB")

    first = date(args.at.year - args.years + 1, 1, 1)
    months = [date(first.year + i // 12, i % 12 + 1, 1) for i in range(args.years * 12)]
    t0 = time.perf_counter()
    series = kpi_series(reg, months=months, kpis=codes)
    print(f"monthly series ({len(months)} months, without deadline compliance), {series.height:,} rows: "
          f"{time.perf_counter() - t0:.2f} s, peak RSS {_peak_gb():.2f} GB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
