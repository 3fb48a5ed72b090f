"""The forecast page's computation on the 20,000-child demo municipality (10 years, three pilot
districts from 2021, as ``trappen demo``): the model fit (once, then cached) and one uncached
forecast per set of levers, as :func:`trappen.web.forecasts.selectors.forecast_run` does for the
page (replicates as on the page; a cached page load only renders). Prints figures; asserts
nothing. Target (issue #5): the page answers in about 2 s.

    .venv/bin/python benchmarks/forecast_page.py [children]
"""

from __future__ import annotations

import os
import resource
import sys
import time

from trappen.cli._common import setup_django
from trappen.synthetic import generate


def main() -> None:
    children = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    os.environ.setdefault("TRAPPEN_DEMO", "1")  # demo settings: no secret key needed to compute
    setup_django()
    from trappen.forecast import estimate
    from trappen.web.forecasts import selectors as sel

    register = generate(children=children, years=10, seed=1, pilot_districts=3, pilot_from=2021)
    t0 = time.perf_counter()
    model = estimate(register, cutoff=sel.default_cutoff(register))
    print(f"model fit (first page load only): {time.perf_counter() - t0:.2f} s")
    for levers in (sel.Levers(months=60), sel.Levers(months=60, caseload_per_caseworker=25),
                   sel.Levers(months=60, closed_steps=(6,)), sel.Levers(months=120, entrant_rate_change_pct=10),
                   sel.Levers(months=36, step_caps=((6, 20),))):
        t0 = time.perf_counter()
        result = sel.forecast_run(model, levers=levers)
        print(f"{levers.months} months, {result.simulated.replicates} replicates, {_describe(levers)}: "
              f"{time.perf_counter() - t0:.2f} s")
    print(f"children {children}; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def _describe(levers: object) -> str:
    parts = [f"{k}={v}" for k, v in vars(levers).items() if k != "months" and v not in (None, (), 0.0)]
    return ", ".join(parts) or "baseline"


if __name__ == "__main__":
    main()
