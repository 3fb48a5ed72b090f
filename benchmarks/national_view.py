"""98 municipality bundles imported into a national store and the national view rendered, timed.

Builds a synthetic nation (``trappen.national.nation_demo``: sizes spread like Denmark's, median
``--children-scale`` children 0-17, about a quarter adopting the model in different years) once,
untimed; then, timed: importing the 98 signed bundles into an empty store in one call (plus the
adoption years, the indicators and the StatBank sample), importing them again (nothing
changes), and rendering the national analyst's pages through Django (the national view, one
municipality against its peers and the country, the evaluation across municipalities) on a
fresh SQLite database. The first page read of the store is cold (no cache).

    .venv/bin/python benchmarks/national_view.py [--municipalities 98] [--children-scale 2000] [--years 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=98)
    parser.add_argument("--children-scale", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="trappen-national-view-"))

    from trappen.national import (
        adoption_import,
        bundles_import,
        indicators_import,
        nation_demo,
        public_keys_read,
        statbank_import,
        store_list,
    )

    t = time.perf_counter()
    made = nation_demo(work / "build", municipalities=args.municipalities, children_scale=args.children_scale,
                       years=args.years, seed=args.seed, work_dir=work / "sources")
    build_s = time.perf_counter() - t
    print(f"{made.municipalities} municipalities, years {made.years[0]}-{made.years[-1]}, {len(made.adopting)} "
          f"adopting; generated and exported in {build_s:.1f} s (export {made.seconds_export:.1f} s; not timed below)")

    store = work / "data" / "national"
    bundles = sorted((work / "sources" / "bundles").glob("*.json"))
    keys = public_keys_read(work / "sources" / "keys")
    t = time.perf_counter()
    results = bundles_import(bundles, store_dir=store, public_keys=keys)
    adoption_import(work / "sources" / "adoption.csv", store_dir=store)
    indicators_import(work / "sources" / "indicators.csv", store_dir=store)
    sample = Path(__file__).resolve().parent.parent / "src/trappen/national/data/statbank_placed_0_22.csv"
    statbank_import(sample, store_dir=store, table="ANBAAR", title="placed 0-22", unit="persons")
    import_s = time.perf_counter() - t
    t = time.perf_counter()
    again = bundles_import(bundles, store_dir=store, public_keys=keys)
    again_s = time.perf_counter() - t
    assert {r.action for r in again} == {"unchanged"}
    print(f"import {len(bundles)} bundles ({len(results)} municipality-years, "
          f"{sum(p.stat().st_size for p in bundles) / 1e6:.1f} MB) + adoption, indicators, StatBank: {import_s:.1f} s")
    print(f"import again (nothing changes): {again_s:.1f} s; {store_list(store).height} municipality-years stored")

    os.environ.update({"TRAPPEN_DATA_DIR": str(work / "data"), "TRAPPEN_DEMO": "1",
                       "DJANGO_SETTINGS_MODULE": "trappen.web.settings"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from trappen.web.accounts.services import user_create

    call_command("migrate", verbosity=0)
    user = user_create(username="bench_national", role="national_analyst", password="x", validate=False)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    year = made.years[-1]
    code = sorted(made.adopting)[0]
    pages = [("national view (cold: reads the store)", f"/national/?year={year}"),
             ("national view (warm)", f"/national/?year={year}"),
             ("one municipality vs peers and country", f"/national/{code}/?year={year}"),
             ("download Excel", f"/national/?year={year}&format=xlsx"),
             ("evaluation (staggered DiD, 199 draws)", "/national/evaluation/?kpi=SPEND_PER_CHILD")]
    total = 0.0
    for what, url in pages:
        t = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - t
        assert response.status_code == 200, (url, response.status_code)
        total += seconds
        print(f"render {what}: {seconds:.2f} s ({len(response.content) / 1e3:.0f} kB)")
    print(f"import {len(bundles)} bundles and render the pages above: {import_s:.1f} s + {total:.1f} s = "
          f"{import_s + total:.1f} s (target under 30 s)")
    print(f"peak memory (max RSS of the process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"files under {work}")


if __name__ == "__main__":
    main()
