"""Benchmark: spending per step and month from N synthetic episodes, with a mid-year price change.

Prints wall time and peak memory (RSS). Usage:
    .venv/bin/python benchmarks/economics_spending.py [N_EPISODES]   # default 1,000,000
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import date

import numpy as np
import polars as pl

from trappen.economics import default_rates, herning_pilot_path, load_case, simulate_case, spending
from trappen.register import Register
from trappen.staircase import default_catalogue


def main(n: int) -> None:
    rng = np.random.default_rng(1)
    cat = default_catalogue()
    codes = np.array(cat.codes)
    steps = np.array([cat.get(c).steps[0] for c in codes], dtype=np.int8)
    pick = rng.integers(0, len(codes), n)
    start = np.datetime64("2018-01-01") + rng.integers(0, 6 * 365, n).astype("timedelta64[D]")
    length = rng.integers(30, 3 * 365, n).astype("timedelta64[D]")
    end = start + length
    ongoing = rng.random(n) < 0.2
    n_children = max(1, n // 3)
    child = rng.integers(0, n_children, n)
    episodes = pl.DataFrame({
        "episode_id": np.arange(n), "child_id": child, "intervention_code": codes[pick],
        "step": steps[pick], "start_date": start, "end_date": end, "end_reason": [None] * n,
    }).with_columns(pl.when(pl.Series(ongoing)).then(None).otherwise(pl.col("end_date")).alias("end_date"))
    children = pl.DataFrame({
        "child_id": np.arange(n_children), "birth_date": [date(2012, 1, 1)] * n_children,
        "sex": ["F"] * n_children, "district_code": rng.choice(["D1", "D2", "D3", "D4"], n_children),
        "entry_date": [date(2012, 1, 1)] * n_children, "exit_date": [None] * n_children})
    reg = Register.from_frames(episodes=episodes, children=children)
    rates = default_rates()
    for code in codes[:10]:  # a price change inside many episodes
        rates = rates.with_new_price(str(code), valid_from=date(2021, 7, 1),
                                     cost_dkk_per_day=rates.rate_on(str(code), date(2021, 1, 1)) * 1.05,
                                     price_year=2024)
    t0 = time.perf_counter()
    out = spending(reg, rates=rates, start=date(2019, 1, 1), end=date(2025, 1, 1),
                   by=["step", "district_code", "month"], price_year=2024)
    t1 = time.perf_counter()
    per_child = spending(reg, rates=rates, start=date(2024, 1, 1), end=date(2025, 1, 1),
                         by=["child_id"], price_year=2024)
    t2 = time.perf_counter()
    case = load_case(herning_pilot_path())
    t3 = time.perf_counter()
    sim = simulate_case(case, draws=100_000, seed=1)
    t4 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"episodes: {n:,}")
    print(f"spending by step x district x month, 2019-2024: {t1 - t0:.2f} s, {out.height:,} rows, "
          f"total {out['amount_dkk'].sum() / 1e9:.2f} bn DKK")
    print(f"spending by child, 2024: {t2 - t1:.2f} s, {per_child.height:,} children")
    print(f"Herning Monte Carlo, 100,000 draws: {t4 - t3:.2f} s, P(rule met) {sim.summary['p_rule_met']:.3f}")
    print(f"peak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
