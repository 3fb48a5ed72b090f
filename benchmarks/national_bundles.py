"""98 municipality bundles exported and imported into a national store, timed.

Generates the synthetic nation one municipality at a time (sizes spread like Denmark's, median
``--children-scale`` children 0-17), exports a signed, disclosure-controlled bundle of the KPI
catalogue for ``--years`` calendar years each, then imports all of them in one call, and once more
(idempotent: nothing changes). Prints seconds per phase and the process's peak memory.

    .venv/bin/python benchmarks/national_bundles.py [--municipalities 98] [--children-scale 2000] [--years 3]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=98)
    parser.add_argument("--children-scale", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from trappen.national import bundle_export, bundles_import, key_generate, store_list
    from trappen.synthetic import generate, synthetic_municipalities

    municipalities = synthetic_municipalities(municipalities=args.municipalities,
                                              children_scale=args.children_scale, seed=args.seed)
    sizes = sorted(m.children for m in municipalities)
    print(f"{len(municipalities)} municipalities, children 0-17 from {sizes[0]:,} to {sizes[-1]:,} "
          f"(median {sizes[len(sizes) // 2]:,}, total {sum(sizes):,}), {args.years} years, seed {args.seed}")
    years = list(range(2026 - args.years, 2026))
    keys = {m.code: key_generate() for m in municipalities}
    out = Path(tempfile.mkdtemp(prefix="trappen-national-"))
    generate_s = export_s = 0.0
    paths, total_bytes = [], 0
    for m in municipalities:
        t = time.perf_counter()
        register = generate(children=m.children, years=args.years, seed=m.seed)
        generate_s += time.perf_counter() - t
        t = time.perf_counter()
        data = bundle_export(register, municipality_code=m.code, years=years, private_key=keys[m.code])
        export_s += time.perf_counter() - t
        path = out / "bundles" / f"{m.code}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
        total_bytes += len(data)
    public = {code: k.public_key() for code, k in keys.items()}
    t = time.perf_counter()
    results = bundles_import(paths, store_dir=out / "store", public_keys=public)
    import_s = time.perf_counter() - t
    t = time.perf_counter()
    again = bundles_import(paths, store_dir=out / "store", public_keys=public)
    reimport_s = time.perf_counter() - t
    assert {r.action for r in again} == {"unchanged"}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"generate registers: {generate_s:.1f} s (not part of the bundle work)")
    print(f"export {len(paths)} bundles: {export_s:.1f} s ({export_s / len(paths) * 1000:.0f} ms each; "
          f"{total_bytes / 1e6:.1f} MB in all)")
    print(f"import in one call: {import_s:.1f} s ({len(results)} municipality-years added; "
          f"{store_list(out / 'store').height} in the ledger)")
    print(f"import again (nothing changes): {reimport_s:.1f} s")
    print(f"peak memory (max RSS of the process): {peak_mb:.0f} MB; files under {out}")


if __name__ == "__main__":
    main()
