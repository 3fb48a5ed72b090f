"""Back-test of the forecast against no change and a trend, on the demo municipality and on
synthetic SSDA903 returns of a council and of England (#19 "Done means"). Prints one table per
data set, as ``trappen forecast backtest`` prints it; asserts nothing.

    .venv/bin/python benchmarks/forecast_backtest.py                       # all three
    .venv/bin/python benchmarks/forecast_backtest.py --only demo --replicates 100

Data (written once to --dir, default /tmp/trappen-backtest):
  demo:     ``trappen generate --children 20000 --years 10 --seed 1 --out DIR/demo`` (ends 2025-12-31)
  council:  ``synthetic_ssda903(children=5000, seed=1)`` -> DIR/council/{header,episodes}.csv
  england:  ``synthetic_ssda903(children=884353, seed=1)`` -> DIR/england/... (2.6 M episode rows,
            the file of benchmarks/forecast_ssda903.py)
Each: eight rolling origins three months apart, 12 months ahead, the last horizon ending on the
data's last full month, seed 1. The same table comes from, e.g.,
``trappen forecast backtest --register DIR/demo --horizon 12 --origins 8 --every 3 --replicates 200``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

SETS = {"demo": None, "council": 5_000, "england": 884_353}


def load(name: str, directory: Path):  # noqa: ANN201 (a Register)
    from trappen.exchange.ssda903 import read_ssda903
    from trappen.register import Register

    where = directory / name
    if name == "demo":
        if not (where / "children.parquet").exists():
            from trappen.synthetic import generate

            generate(children=20_000, years=10, seed=1).write(where)
        return Register.read(where)
    if not (where / "episodes.csv").exists():
        from trappen.synthetic import synthetic_ssda903

        where.mkdir(parents=True, exist_ok=True)
        header, episodes = synthetic_ssda903(children=SETS[name], seed=1)
        header.write_csv(where / "header.csv")
        episodes.write_csv(where / "episodes.csv")
    return read_ssda903(where / "header.csv", where / "episodes.csv")


def main() -> None:
    from trappen.cli.forecast import _backtest_text, _default_cutoff
    from trappen.forecast import backtest, rolling_cutoffs

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/trappen-backtest"))
    parser.add_argument("--only", choices=list(SETS), action="append")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--window", type=int, default=None, help="reference period in months (default 48)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument("--every", type=int, default=3)
    args = parser.parse_args()
    for name in args.only or list(SETS):
        reg = load(name, args.dir)
        t = time.perf_counter()
        cuts = rolling_cutoffs(last=_default_cutoff(reg), horizon_months=12, origins=args.origins,
                               every_months=args.every)
        bt = backtest(reg, cutoffs=cuts, horizon_months=12, replicates=args.replicates, seed=args.seed,
                      window_months=args.window)
        print(f"\n== {name}: {reg.children.height:,} children, origins {', '.join(map(str, cuts))}, "
              f"12 months ahead, {args.replicates} replicates, seed {args.seed} ({time.perf_counter() - t:.1f} s)")
        print(_backtest_text(bt.summary))


if __name__ == "__main__":
    main()
