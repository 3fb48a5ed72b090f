"""End to end on English input: read an SSDA903 header and episodes file, estimate, and forecast
24 months with 100 replicates. Prints each phase's time and the peak memory; asserts nothing.

    .venv/bin/python benchmarks/forecast_ssda903.py                    # 2.6 million episode rows
    .venv/bin/python benchmarks/forecast_ssda903.py --episodes 200000

The files are synthetic (trappen.synthetic.synthetic_ssda903) and written once to --dir; the
run itself happens in a fresh process, so its peak memory is the pipeline's alone. Target
(issue #5): under 10 s and under 1 GB, against about 47 s and 2.5 GB for England's Children's
Social Care Demand Model on the same size.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

EPISODES_PER_CHILD = 2.94  # what the generator gives on average (rows per child)


def write_files(directory: Path, episodes: int, seed: int) -> tuple[Path, Path]:
    from trappen.synthetic import synthetic_ssda903

    header, eps = synthetic_ssda903(children=int(episodes / EPISODES_PER_CHILD), seed=seed)
    h, e = directory / "header.csv", directory / "episodes.csv"
    header.write_csv(h)
    eps.write_csv(e)
    return h, e


def run(header: Path, episodes: Path, months: int, replicates: int) -> None:
    from trappen.exchange.ssda903 import read_ssda903
    from trappen.forecast import estimate, simulate

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # wall time and this process's CPU time: the machine is shared, and CPU time is what a
    # change of code changes (compare two versions back to back on the same files)
    t0, c0 = time.perf_counter(), time.process_time()
    reg = read_ssda903(header, episodes)
    t1, c1 = time.perf_counter(), time.process_time()
    print(f"read {reg.episodes.height:,} episodes of {reg.children.height:,} children: {t1 - t0:.2f} s, "
          f"CPU {c1 - c0:.2f} s (peak so far {peak():,.0f} MB)")
    model = estimate(reg, cutoff=date(2025, 3, 31))
    t2, c2 = time.perf_counter(), time.process_time()
    print(f"estimate: {t2 - t1:.2f} s, CPU {c2 - c1:.2f} s ({model.start.sum():,.0f} children at the cut-off; "
          f"peak so far {peak():,.0f} MB)")
    p = simulate(model, months=months, replicates=replicates, seed=1)
    t3, c3 = time.perf_counter(), time.process_time()
    print(f"simulate {months} months, {replicates} replicates: {t3 - t2:.2f} s, CPU {c3 - c2:.2f} s "
          f"(step 6 at month {months}: P50 {p.p50[-1, 6]:,.0f})")
    print(f"end to end: {t3 - t0:.2f} s, CPU {c3 - c0:.2f} s, peak memory {peak():,.0f} MB "
          f"(target < 10 s, < 1,024 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=2_600_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="keep the files here (default: a temporary folder)")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", nargs=2, type=Path, metavar=("HEADER", "EPISODES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        t = time.perf_counter()
        h, e = write_files(args.write, args.episodes, args.seed)
        print(f"wrote synthetic SSDA903 files in {time.perf_counter() - t:.1f} s "
              f"({e.stat().st_size / 1e6:,.0f} MB of episodes)")
        return
    if args.run:
        run(*args.run, args.months, args.replicates)
        return
    # Each step in its own process, started from this lean one: Linux carries a process's peak
    # memory (ru_maxrss) over fork and exec, so the run must not start from a big parent.
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.dir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        me = [sys.executable, __file__, "--episodes", str(args.episodes), "--seed", str(args.seed)]
        subprocess.run([*me, "--write", str(directory)], check=True)
        subprocess.run([*me, "--run", str(directory / "header.csv"), str(directory / "episodes.csv"),
                        "--months", str(args.months), "--replicates", str(args.replicates)], check=True)


if __name__ == "__main__":
    main()
