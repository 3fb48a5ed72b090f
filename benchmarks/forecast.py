"""Forecast benchmarks: microsimulation throughput against raw NumPy drawing, peak memory, and
a municipality-sized run. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/forecast.py                      # both, national with 100 replicates
    .venv/bin/python benchmarks/forecast.py --national-replicates 20 --municipality-replicates 1000

National size: a synthetic 20,000-child municipality is estimated, then its start population
and arrivals are scaled to about 1.2 million children (Denmark's 0-17 year-olds), 120 months.
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import replace
from datetime import date

import numpy as np


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _live_child_months(p, model) -> float:
    """Child-months simulated of children living in the municipality or in aftercare (those
    who left or ended are dropped yearly, so this undercounts the draws slightly)."""
    st = model.states
    live = [s for s in range(st.size) if s not in (st.left, st.ended)]
    return float(p.mean[:-1, live].sum())


def _staircase_child_months(p, model) -> float:
    """Child-months on the staircase (steps 1..N): the children the forecast is about. Most
    child-months of the whole population are children not on the staircase, who cost the
    event-driven engine almost nothing, so a rate per live child-month flatters it."""
    return float(p.mean[:-1, 1:model.states.top + 1].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--national-children", type=int, default=1_200_000)
    parser.add_argument("--national-months", type=int, default=120)
    parser.add_argument("--national-replicates", type=int, default=100)
    parser.add_argument("--national-group", type=int, default=20,
                        help="replicates per timed call (raw draws are timed after each)")
    parser.add_argument("--municipality-children", type=int, default=20_000)
    parser.add_argument("--municipality-months", type=int, default=60)
    parser.add_argument("--municipality-replicates", type=int, default=1000)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--dask", default=None, help="also time the municipality run on Dask, e.g. local:2")
    args = parser.parse_args()

    from trappen.forecast import estimate, project_expected, simulate
    from trappen.synthetic import generate

    t = time.perf_counter()
    reg = generate(children=args.municipality_children, years=6, seed=1)
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    model = estimate(reg, cutoff=date(2025, 12, 31))
    t_est = time.perf_counter() - t
    print(f"synthetic municipality: {args.municipality_children:,} children, generated in {t_gen:.2f} s, "
          f"estimated in {t_est:.2f} s ({reg.episodes.height:,} episodes)")
    t = time.perf_counter()
    project_expected(model, months=args.municipality_months)
    print(f"expected engine, {args.municipality_months} months: {time.perf_counter() - t:.3f} s")

    # municipality: N children, 60 months, 1,000 replicates
    simulate(model, months=2, replicates=1, seed=1)  # warm caches
    t = time.perf_counter()
    p = simulate(model, months=args.municipality_months, replicates=args.municipality_replicates, seed=1)
    dt = time.perf_counter() - t
    cm = _live_child_months(p, model) * args.municipality_replicates
    sc = _staircase_child_months(p, model) * args.municipality_replicates
    print(f"municipality: {model.start.sum():,.0f} children, {args.municipality_months} months, "
          f"{args.municipality_replicates:,} replicates: {dt:.2f} s "
          f"({cm / dt / 1e6:.1f} M child-months/s, {sc / dt / 1e6:.2f} M on the staircase; target < 2 s)")
    t = time.perf_counter()
    simulate(model, months=args.municipality_months, replicates=args.municipality_replicates, seed=1, threads=2)
    print(f"municipality with threads=2 (same result): {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    q = simulate(model, months=args.municipality_months, replicates=args.municipality_replicates, seed=1,
                 processes=2)
    same = np.array_equal(q.p90, p.p90) and np.array_equal(q.mean, p.mean)
    print(f"municipality with processes=2 (forked, pool start included): {time.perf_counter() - t:.2f} s "
          f"(same result as one process: {same}; target < 2 s)")
    if args.dask:
        from trappen.forecast._dask import connect

        client, cluster = connect(args.dask)
        try:
            simulate(model, months=2, replicates=2, seed=1, client=client)
            t = time.perf_counter()
            simulate(model, months=args.municipality_months, replicates=args.municipality_replicates,
                     seed=1, client=client)
            print(f"municipality on Dask {args.dask}: {time.perf_counter() - t:.2f} s")
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    if args.skip_national:
        print(f"peak memory: {_peak_mb():,.0f} MB")
        return
    factor = args.national_children / model.start.sum()
    big = replace(model, start=np.rint(model.start * factor), arrivals_per_month=model.arrivals_per_month * factor)
    n = int(big.start.sum())
    months, reps = args.national_months, args.national_replicates
    # The machine is shared: each group of replicates is timed, then raw NumPy draws the same
    # number of 32-bit integers (in blocks of the population size) right after it, so both
    # rates are measured under the same load. Each call also builds its plan (included).
    rng = np.random.default_rng(1)
    dt = dt_raw = draws = raw_count = on_steps = 0.0
    for first in range(0, reps, args.national_group):
        group = min(args.national_group, reps - first)
        t = time.perf_counter()
        p = simulate(big, months=months, replicates=group, seed=first)
        dt += time.perf_counter() - t
        cm = _live_child_months(p, big) * group
        draws += cm
        on_steps += _staircase_child_months(p, big) * group
        t = time.perf_counter()
        blocks = int(round(cm / n))
        for _ in range(blocks):
            rng.integers(0, 2**32, size=n, dtype=np.uint32)
        dt_raw += time.perf_counter() - t
        raw_count += blocks * n
    raw_rate = raw_count / dt_raw
    print(f"national: {n:,} children, {months} months, {reps} replicates: {dt:.1f} s, "
          f"{draws / dt / 1e6:.1f} M child-months/s ({draws:,.0f} child-months)")
    print(f"raw NumPy (Generator.integers, uint32), interleaved: {raw_rate / 1e6:.1f} M draws/s; "
          f"simulation at {draws / dt / raw_rate:.0%} of the raw rate (target >= 50 %)")
    print(f"per child on the staircase: {on_steps / dt / 1e6:.1f} M staircase child-months/s "
          f"({on_steps / draws:.1%} of the child-months; {on_steps / dt / raw_rate:.1%} of the raw draw rate)")
    print(f"peak memory: {_peak_mb():,.0f} MB (target < 4,096 MB)")


if __name__ == "__main__":
    main()
