"""Evaluate the generator's pilot end to end over a few seeds; print effect found vs built in.

The built-in effect for a seed: the same seed is generated with and without the pilot; for the
pilot districts, the mean difference (with - without) after adoption minus the mean difference
before it. The runs' register histories agree before the pilot except the caseworker table, so
for most outcomes the second term is zero; the result is the pilot's effect on those districts
in that realisation (plus the noise of the diverging random streams).

    .venv/bin/python benchmarks/evaluation.py [children] [seeds]
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import date

import polars as pl

from trappen.evaluation import build_panel, staggered_did
from trappen.synthetic import generate

OUTCOMES = ("placements_per_1000", "on_step_1_per_1000", "new_placements_per_1000", "caseload_per_fte")


def main() -> None:
    children = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    window = {"freq": "quarter", "start": date(2019, 1, 1), "end": date(2026, 1, 1)}
    rows = []
    t_panel = t_did = 0.0
    for seed in range(1, seeds + 1):
        with_pilot = generate(children=children, years=8, seed=seed, pilot_districts=3, pilot_from=2022)
        without = generate(children=children, years=8, seed=seed)
        adoption = dict(with_pilot.districts.select("district_code", "pilot_from").iter_rows())
        t0 = time.perf_counter()
        panel = build_panel(with_pilot, **window)
        t_panel += time.perf_counter() - t0
        cf = build_panel(without, adoption=adoption, **window)
        for outcome in OUTCOMES:
            t0 = time.perf_counter()
            res = staggered_did(panel, outcome=outcome, draws=999, ri_draws=199, seed=seed)
            t_did += time.perf_counter() - t0
            diff = panel.join(cf.select("district_code", "period_index", cf=outcome),
                              on=["district_code", "period_index"]) \
                .filter(pl.col("adoption_index").is_not_null()) \
                .with_columns(d=pl.col(outcome) - pl.col("cf"), post=pl.col("period_index") >= pl.col("adoption_index"))
            built_in = diff.filter("post")["d"].mean() - diff.filter(~pl.col("post"))["d"].mean()
            o = res.overall.row(0, named=True)
            rows.append({"seed": seed, "outcome": outcome, "built_in": built_in, "att": o["att"],
                         "ci_low": o["ci_low"], "ci_high": o["ci_high"], "p_wild": o["p_wild"], "p_ri": o["p_ri"]})
    table = pl.DataFrame(rows)
    with pl.Config(tbl_rows=100, tbl_cols=10, float_precision=3):
        print(table)
        print(table.group_by("outcome").agg(
            built_in=pl.col("built_in").mean(), att=pl.col("att").mean(),
            covered=((pl.col("ci_low") <= pl.col("built_in")) & (pl.col("built_in") <= pl.col("ci_high"))).sum(),
        ).sort("outcome"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"children={children} seeds={seeds}: build_panel {t_panel / seeds:.2f} s per register, "
          f"staggered_did {t_did / (seeds * len(OUTCOMES)):.3f} s per outcome (999 draws, 199 permutations), "
          f"peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
