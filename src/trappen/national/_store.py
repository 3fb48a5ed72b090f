"""The national store: one Parquet file per municipality and year, and a JSON ledger.

Layout::

    STORE/ledger.json                       {code: {year: {created, content_sha256, kpi_catalogue_version}}}
    STORE/<code>/<year>.parquet             that municipality's KPI rows for the year

Importing is idempotent (a bundle already recorded changes nothing, byte for byte); a bundle
created later than the recorded one replaces the municipality's years it holds; one created no
later (but different) is skipped. Every bundle is verified before anything is written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trappen.errors import InvalidInput, Problem
from trappen.national._bundle import Bundle, bundle_verify

LEDGER = "ledger.json"


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    """What happened to one municipality-year: ``added``, ``replaced``, ``unchanged`` or ``not_newer``
    (a different bundle created no later than the stored one: skipped)."""

    municipality_code: str
    year: int
    action: str
    source: str


def _ledger_read(store_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    path = store_dir / LEDGER
    if not path.exists():
        return {}
    try:
        ledger = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the store's ledger is not JSON ({exc.msg})", field="store", value=str(path)) from None
    if not isinstance(ledger, dict):
        raise InvalidInput("the store's ledger must be an object", field="store", value=str(path))
    return ledger


def _write_atomic(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def bundles_import(paths: Sequence[Path | str], *, store_dir: Path | str,
                   public_keys: Mapping[str, Ed25519PublicKey]) -> list[ImportResult]:
    """Verify every bundle, then import them into the store (all verified before any write).

    Raises:
        BundleRefused: a bundle is refused (the first, named with its file); nothing is written.
        FileNotFoundError: a bundle file is missing.
    """
    store_dir = Path(store_dir)
    bundles: list[tuple[str, Bundle]] = []
    for path in paths:
        path = Path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise
        except OSError as exc:  # a directory, no permission: one clear message, not a traceback
            raise InvalidInput(f"cannot read the bundle ({exc.strerror})", field="bundle", value=str(path)) from None
        try:
            bundles.append((path.name, bundle_verify(data, public_keys=public_keys)))
        except InvalidInput as exc:
            raise type(exc)([Problem(field=p.field, value=p.value, message=p.message, table=path.name)
                             for p in exc.problems]) from None
    ledger = _ledger_read(store_dir)
    results, changed = [], False
    for source, bundle in bundles:
        code = bundle.municipality_code
        for (year,), rows in bundle.table.group_by(["year"], maintain_order=True):
            entry = {"created": bundle.created, "content_sha256": bundle.manifest["content_sha256"],
                     "kpi_catalogue_version": bundle.manifest["kpi_catalogue_version"]}
            old = ledger.get(code, {}).get(str(year))
            if old == entry:
                action = "unchanged"
            elif old is not None and str(old.get("created", "")) >= bundle.created:
                action = "not_newer"
            else:
                action = "added" if old is None else "replaced"
                frame = rows.select("municipality_code", *[c for c in rows.columns if c != "municipality_code"])
                _write_atomic(store_dir / code / f"{year}.parquet", frame.write_parquet)
                ledger.setdefault(code, {})[str(year)] = entry
                changed = True
            results.append(ImportResult(municipality_code=code, year=int(str(year)), action=action, source=source))
    if changed:
        text = json.dumps(ledger, sort_keys=True, indent=1) + "\n"
        _write_atomic(store_dir / LEDGER, lambda p: p.write_text(text, encoding="utf-8"))
    return results


def store_list(store_dir: Path | str) -> pl.DataFrame:
    """The store's ledger as a table: municipality_code, year, created, kpi_catalogue_version, content_sha256."""
    store_dir = Path(store_dir)
    if not store_dir.is_dir():
        raise FileNotFoundError(f"no national store at {store_dir}")
    rows = [{"municipality_code": code, "year": int(year), **entry}
            for code, years in sorted(_ledger_read(store_dir).items()) for year, entry in sorted(years.items())]
    schema = {"municipality_code": pl.String, "year": pl.Int32, "created": pl.String,
              "content_sha256": pl.String, "kpi_catalogue_version": pl.String}
    return pl.DataFrame(rows, schema=schema).select(list(schema))


def store_read(store_dir: Path | str) -> pl.DataFrame:
    """Every KPI row in the store (all municipalities and years)."""
    files = sorted(Path(store_dir).glob("*/*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical") if files else pl.DataFrame()
