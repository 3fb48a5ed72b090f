"""The evaluation page's computation on the 20,000-child demo municipality (10 years, three pilot
districts from 2021, as ``trappen demo``): time and peak memory of
:func:`trappen.web.evaluation.selectors.compute_evaluation` (uncached; a cached page load only
renders). Run: .venv/bin/python benchmarks/evaluation_page.py [children]
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
    from trappen.web.evaluation.selectors import compute_evaluation

    register = generate(children=children, years=10, seed=1, pilot_districts=3, pilot_from=2021)
    for outcome in ("placements_per_1000", "new_placements_per_1000"):
        t0 = time.perf_counter()
        ev = compute_evaluation(register, outcome=outcome, publish=True, language="en")
        seconds = time.perf_counter() - t0
        o = ev.result.overall.row(0, named=True) if ev.result is not None else {}
        c = ev.result.clusters if ev.result is not None else None
        print(f"{outcome}: {seconds:.2f} s; window {ev.start} to {ev.end}; ATT {o.get('att', float('nan')):.3g} "
              f"(95% CI {o.get('ci_low', float('nan')):.3g} to {o.get('ci_high', float('nan')):.3g}); "
              f"clusters {c.treated if c else 0} treated, {c.control if c else 0} control")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"children {children}; peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
