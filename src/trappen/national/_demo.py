"""A synthetic nation for the demo and the benchmark: registers of synthetic municipalities
(:func:`trappen.synthetic.synthetic_municipalities`), some adopting the Herning way of working
in different years, their signed bundles, adoption years and socio-economic indicators, all
imported into a national store the way real ones are (files through the import functions).
SYNTHETIC DATA ONLY: codes 901-998, indicators drawn at random.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trappen.national._bundle import bundle_export
from trappen.national._context import adoption_import, indicators_import, statbank_import
from trappen.national._keys import keys_write
from trappen.national._store import bundles_import

ADOPTING_SHARE = 25 / 98
"""The state's programme funded about 25 of the 98 municipalities to copy Herning (issue #20)."""

INDICATORS = ("children_0_17", "low_income_share", "single_parent_share", "low_education_share",
              "inhabitants_per_km2")


@dataclass(frozen=True, kw_only=True)
class NationDemo:
    municipalities: int
    years: list[int]
    adopting: dict[str, int]
    bundle_dir: Path
    seconds_export: float


def synthetic_adoption(codes: list[str], *, years: list[int], seed: int) -> dict[str, int]:
    """About a quarter of ``codes`` adopt, spread over the later years of ``years`` (never the
    first two, so each has a pre-period)."""
    rng = np.random.default_rng(seed)
    n = max(2, round(len(codes) * ADOPTING_SHARE))
    chosen = sorted(rng.choice(len(codes), size=min(n, len(codes)), replace=False).tolist())
    candidates = years[2:] or years[-1:]
    return {codes[i]: int(candidates[k % len(candidates)]) for k, i in enumerate(chosen)}


def _indicator_rows(sizes: dict[str, int], *, seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed + 1)
    rows = []
    for code, children in sorted(sizes.items()):
        urban = float(np.clip(np.log(children) / 11 + rng.normal(0, 0.08), 0, 1))
        rows.append({"municipality_code": code, "name": f"Syntetisk kommune {code}", "children_0_17": children,
                     "low_income_share": round(float(np.clip(rng.normal(0.09 + 0.04 * urban, 0.02), 0.02, 0.3)), 3),
                     "single_parent_share": round(float(np.clip(rng.normal(0.17 + 0.05 * urban, 0.03), 0.05, 0.4)), 3),
                     "low_education_share": round(float(np.clip(rng.normal(0.22 - 0.06 * urban, 0.03), 0.05, 0.4)), 3),
                     "inhabitants_per_km2": round(float(np.exp(3.5 + 3.5 * urban + rng.normal(0, 0.3))), 1),
                     "source": "synthetic (drawn by trappen.national.nation_demo; not published figures)"})
    return rows


def _demo_key(code: str, *, seed: int) -> Ed25519PrivateKey:
    """A key derived from the seed and code: the demo is reproducible byte for byte. DEMO ONLY: a
    real municipality's key comes from ``trappen national keygen`` and is never derivable."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"trappen-demo-{seed}-{code}".encode()).digest())


def nation_demo(store_dir: Path | str, *, municipalities: int = 20, children_scale: int = 150, years: int = 5,
                seed: int = 1, end_year: int = 2025, work_dir: Path | str | None = None,
                progress: Callable[[str], None] | None = None) -> NationDemo:
    """Generate, export and import a synthetic nation into ``store_dir``; idempotent for the same
    arguments except the bundles' time stamps (fixed, so importing again changes nothing)."""
    import time

    from trappen.synthetic import generate, synthetic_municipalities

    store_dir = Path(store_dir)
    work = Path(work_dir) if work_dir else store_dir / "sources"
    (work / "bundles").mkdir(parents=True, exist_ok=True)
    year_list = list(range(end_year - years + 1, end_year + 1))
    nation = synthetic_municipalities(municipalities=municipalities, children_scale=children_scale, seed=seed)
    adopting = synthetic_adoption([m.code for m in nation], years=year_list, seed=seed)
    created = datetime(end_year + 1, 1, 15, 9, 0, tzinfo=UTC)
    keys, paths, export_s = {}, [], 0.0
    for m in nation:
        adopt = adopting.get(m.code)
        register = generate(children=m.children, years=years, seed=m.seed,
                            end_date=datetime(end_year, 12, 31).date(),
                            pilot_districts=8 if adopt else 0, pilot_from=adopt)
        keys[m.code] = _demo_key(m.code, seed=seed)
        t = time.perf_counter()
        data = bundle_export(register, municipality_code=m.code, years=year_list, private_key=keys[m.code],
                             created=created)
        export_s += time.perf_counter() - t
        path = work / "bundles" / f"{m.code}.json"
        path.write_bytes(data)
        paths.append(path)
        if progress:
            progress(f"{m.code}: {m.children} children{f', adopted {adopt}' if adopt else ''}")
    for code, key in keys.items():
        if not (work / "keys" / f"{code}.pub").exists():
            keys_write(work / "keys", municipality_code=code, private_key=key)
    bundles_import(paths, store_dir=store_dir, public_keys={c: k.public_key() for c, k in keys.items()})
    with (work / "adoption.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["municipality_code", "year", "source"])
        writer.writerows([c, y, "synthetic nation (trappen national demo)"] for c, y in sorted(adopting.items()))
    adoption_import(work / "adoption.csv", store_dir=store_dir)
    rows = _indicator_rows({m.code: m.children for m in nation}, seed=seed)
    with (work / "indicators.csv").open("w", newline="", encoding="utf-8") as f:
        table = csv.DictWriter(f, fieldnames=["municipality_code", "name", *INDICATORS, "source"])
        table.writeheader()
        table.writerows(rows)
    indicators_import(work / "indicators.csv", store_dir=store_dir)
    sample = files("trappen.national").joinpath("data", "statbank_placed_0_22.csv")
    statbank_import(Path(str(sample)), store_dir=store_dir, table="ANBAAR",
                    title="Anbragte børn og unge (0-22 år) pr. 31. december", unit="persons")
    return NationDemo(municipalities=len(nation), years=year_list, adopting=adopting, bundle_dir=work / "bundles",
                      seconds_export=export_s)
