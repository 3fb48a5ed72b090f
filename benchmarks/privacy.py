"""Privacy-core throughput: CPR encryption, lookup, rotation, column validation, audit chain.

Run: /work/main/.venv/bin/python benchmarks/privacy.py [--n 100000]
Prints wall time per operation and peak RSS. Synthetic CPR numbers only.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from trappen.privacy.chain import GENESIS, entry_hash, verify_chain
from trappen.privacy.cpr import CprCipher, parse_cpr_column
from trappen.privacy.sanitize import neutralise_frame


def _synthetic_cprs(n: int, *, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    born = np.datetime64("2008-01-01") + rng.integers(0, 365 * 18, n).astype("timedelta64[D]")
    serial = rng.integers(0, 1000, n)
    # born 2008-2025 -> 7th digit 4 (YY <= 36 gives the 2000s)
    return [f"{str(d)[8:10]}{str(d)[5:7]}{str(d)[2:4]}-4{s:03d}" for d, s in zip(born, serial, strict=True)]


def _timed(label: str, n: int, fn):
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<42} {seconds:8.3f} s  {n / seconds:>12,.0f} /s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000, help="CPR numbers / audit rows")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    n = args.n
    print(f"n={n:,} seed={args.seed}")
    cprs = _synthetic_cprs(n, seed=args.seed)
    old, new_key = CprCipher(bytes(range(32))), bytes(range(32, 64))
    tokens = _timed("encrypt", n, lambda: [old.encrypt(c) for c in cprs])
    _timed("decrypt", n, lambda: [old.decrypt(t) for t in tokens])
    _timed("lookup_hash", n, lambda: [old.lookup_hash(c) for c in cprs])
    rotating = CprCipher.from_keys(new_key, previous=[bytes(range(32))])
    _timed("rotate_record (decrypt+encrypt+hash)", n,
           lambda: [rotating.rotate_record(t) for t in tokens])
    big = pl.Series("cpr", cprs * 10)
    _timed(f"parse_cpr_column ({len(big):,} rows)", len(big), lambda: parse_cpr_column(big))
    frame = pl.DataFrame({"a": big, "b": big.str.replace("^0", "="), "n": np.arange(len(big))})
    _timed(f"neutralise_frame ({len(big):,} rows x 2 text)", len(big),
           lambda: neutralise_frame(frame))

    fields = ("at", "username", "child_id", "action", "purpose")
    start_at = datetime(2026, 1, 1, tzinfo=UTC)

    def build() -> list[dict]:
        rows, previous = [], GENESIS
        for i in range(n):
            f = {"at": start_at + timedelta(seconds=i), "username": f"cw{i % 40}",
                 "child_id": i % 5000, "action": "read", "purpose": "own_case"}
            h = entry_hash(previous_hash=previous, fields=f)
            rows.append({"id": i + 1, **f, "previous_hash": previous, "entry_hash": h})
            previous = h
        return rows

    rows = _timed("audit chain append (entry_hash)", n, build)
    breaks = _timed("verify_chain", n, lambda: verify_chain(rows, fields=fields))
    assert breaks == []
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
