"""Aggregate bundles: the KPI catalogue by year, disclosure-controlled and signed with Ed25519.

A bundle is one UTF-8 JSON document (see docs/national.md)::

    {"format": "trappen-national-bundle/1",
     "manifest": {municipality_code, years, kpi_catalogue_version, created, disclosure_threshold,
                  columns, rows, content_sha256},
     "content": [[year, kpi_code, step, ..., value, numerator, denominator, unit, suppressed], ...],
     "signature": base64(Ed25519 over the canonical manifest bytes)}

Canonical bytes are ``json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False,
allow_nan=False)`` in UTF-8. The manifest carries the SHA-256 of the canonical content, so the
signature over the manifest covers the content too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.resources import files
from typing import Any

import polars as pl
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trappen.errors import InvalidInput, Problem
from trappen.kpi import DIMENSIONS, compute_kpis
from trappen.kpi.disclosure import suppress
from trappen.national._errors import BadSignature, ManifestMismatch, UnknownMunicipalityKey
from trappen.national._keys import municipality_code_check
from trappen.register import Register

FORMAT = "trappen-national-bundle/1"
DISCLOSURE_THRESHOLD = 5
"""Counts 1-4 of persons are hidden: the practice of Danmarks Statistik for small counts (as the dashboards)."""

COLUMNS: tuple[str, ...] = ("year", "kpi_code", *DIMENSIONS, "value", "numerator", "denominator", "unit",
                            "suppressed")
"""The only columns a bundle holds: aggregates, never a child id, name, CPR number or date of birth."""

PERSON_COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "SS02_RESIDENTIAL_DURATION": ("denominator",),  # numerator: days
    "AGE_AT_OPENING": ("denominator",),  # numerator: years
    "CASELOAD_MEAN": ("numerator",),  # denominator: FTE
    "CASELOAD_WEIGHTED_MEAN": ("numerator",),  # denominator: FTE
    "CASELOAD_MAX": (),  # a caseworker's own caseload, not a count in a cell
    "STEP_FLOWS": ("numerator",),  # denominator: monthly intervals
    "BREAKDOWN_RATE": ("numerator",),  # denominator: placement-years
    "SS11_PREVENTIVE_SPEND_SHARE": (),  # DKK
    "SPEND_PER_STEP": (),  # DKK
    "SPEND_PER_CHILD": ("denominator",),  # numerator: DKK
    "NEW_CASES": ("numerator",),  # denominator: the constant 1 (a count, not a ratio)
    "COMPLAINTS": ("numerator",),  # denominator: the constant 1
}
"""Columns holding counts of persons (children, cases, caseworkers) per KPI; every other KPI counts
persons in both ``numerator`` and ``denominator``. Stricter than the dashboards (which protect one
column): a share of 0 of 3 placed children also tells about those three."""


def person_count_columns(kpi_code: str) -> tuple[str, ...]:
    """The columns of ``kpi_code`` whose values count persons."""
    return PERSON_COUNT_COLUMNS.get(kpi_code, ("numerator", "denominator"))


def kpi_catalogue_version() -> str:
    """The KPI catalogue's version: SHA-256 (first 16 hex digits) of the shipped kpis.toml."""
    data = files("trappen.kpi").joinpath("data", "kpis.toml").read_bytes()
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


def canonical_bytes(obj: object) -> bytes:
    """The canonical JSON bytes that are hashed and signed."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _year_table(register: Register, year: int) -> pl.DataFrame:
    """The whole catalogue for calendar ``year``: stock on 31 December, flows over the year."""
    frame = compute_kpis(register, at=date(year, 12, 31), period=(date(year, 1, 1), date(year + 1, 1, 1)))
    return frame.with_columns(year=pl.lit(year, dtype=pl.Int32))


def disclosure_controlled(frame: pl.DataFrame) -> pl.DataFrame:
    """KPI rows with every count 1-4 of persons hidden, as the dashboards do per KPI (its cells as
    one table, primary and secondary suppression through :func:`trappen.kpi.disclosure.suppress`),
    protecting the smallest non-zero person count of a cell. Adds ``suppressed``."""
    parts = []
    for (code, _year), part in frame.with_row_index("_row").group_by(["kpi_code", "year"], maintain_order=True):
        columns = person_count_columns(str(code))
        counts = [pl.when(pl.col(c).abs() > 0).then(pl.col(c).abs()) for c in columns]
        part = part.with_columns(_count=pl.min_horizontal(counts).fill_null(0) if counts else pl.lit(0.0))
        if not ((part["_count"] > 0) & (part["_count"] < DISCLOSURE_THRESHOLD)).any():
            # nothing to hide: suppress() would return the table unchanged (no primary, so no secondary)
            parts.append(part.with_columns(suppressed=pl.lit(False)).drop("_count"))
            continue
        dims = [d for d in DIMENSIONS if d in part.columns]
        hidden = suppress(part, value_col="_count", row_dims=["_row", *dims], col_dims=None,
                          threshold=DISCLOSURE_THRESHOLD)
        shown = pl.col("suppression").is_null()
        parts.append(hidden.with_columns(
            *[pl.when(shown).then(pl.col(c)).alias(c) for c in ("value", "numerator", "denominator")],
            suppressed=~shown).drop("suppression", "_count"))
    return pl.concat(parts, how="vertical").sort("_row").drop("_row")


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def bundle_export(register: Register, *, municipality_code: str, years: Sequence[int],
                  private_key: Ed25519PrivateKey, created: datetime | None = None) -> bytes:
    """A signed aggregate bundle of the KPI catalogue for each of ``years``.

    Args:
        register: the municipality's analytic register.
        municipality_code: three digits (kommunekode).
        years: calendar years (stock on 31 December, flows over the year).
        private_key: the municipality's Ed25519 key.
        created: time stamp in the manifest (UTC; default now): a later bundle replaces an earlier one.

    Returns:
        The bundle's bytes (UTF-8 JSON).

    Raises:
        InvalidInput: a bad municipality code or no years.
    """
    municipality_code_check(municipality_code)
    years = sorted({int(y) for y in years})
    if not years:
        raise InvalidInput("give at least one year", field="years", value=years)
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    table = pl.concat([_year_table(register, y) for y in years], how="vertical")
    # the engine's row order within a KPI can vary between runs: sort, so the same inputs give the same bytes
    table = disclosure_controlled(table.sort(["year", "kpi_code", *DIMENSIONS], nulls_last=False))
    table = table.select(COLUMNS)
    content = [[_plain(v) for v in row] for row in table.iter_rows()]
    manifest = {
        "municipality_code": municipality_code, "years": years, "kpi_catalogue_version": kpi_catalogue_version(),
        "created": created.isoformat().replace("+00:00", "Z"), "disclosure_threshold": DISCLOSURE_THRESHOLD,
        "columns": list(COLUMNS), "rows": len(content),
        "content_sha256": hashlib.sha256(canonical_bytes(content)).hexdigest(),
    }
    signature = private_key.sign(canonical_bytes(manifest))
    return canonical_bytes({"format": FORMAT, "manifest": manifest, "content": content,
                            "signature": _b64(signature)}) + b"\n"


@dataclass(frozen=True, kw_only=True)
class Bundle:
    """A verified bundle: its manifest and the KPI table (``COLUMNS`` plus ``municipality_code``)."""

    manifest: Mapping[str, Any]
    table: pl.DataFrame

    @property
    def municipality_code(self) -> str:
        return str(self.manifest["municipality_code"])

    @property
    def created(self) -> str:
        return str(self.manifest["created"])


_SCHEMA: dict[str, Any] = {"year": pl.Int32, "kpi_code": pl.String, **{d: pl.String for d in DIMENSIONS},
                           "value": pl.Float64, "numerator": pl.Float64, "denominator": pl.Float64,
                           "unit": pl.String, "suppressed": pl.Boolean}


def _mismatch(field: str, value: object, message: str) -> ManifestMismatch:
    return ManifestMismatch(Problem(field=field, value=value, message=message, table="bundle"))


def bundle_verify(data: bytes, *, public_keys: Mapping[str, Ed25519PublicKey]) -> Bundle:
    """Check a bundle and return it.

    Raises:
        ManifestMismatch: not a bundle, a malformed manifest, or content that the manifest does
            not describe (hash, row count, columns, years, catalogue of the rows).
        UnknownMunicipalityKey: no public key for the bundle's municipality.
        BadSignature: the signature does not verify over the manifest.
    """
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _mismatch("bundle", f"{len(data)} bytes", f"not a JSON bundle ({exc.__class__.__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _mismatch("format", doc.get("format") if isinstance(doc, dict) else None, f"expected {FORMAT}")
    manifest, content, signature = doc.get("manifest"), doc.get("content"), doc.get("signature")
    if not isinstance(manifest, dict):
        raise _mismatch("manifest", type(manifest).__name__, "the manifest must be an object")
    required = {"municipality_code", "years", "kpi_catalogue_version", "created", "disclosure_threshold",
                "columns", "rows", "content_sha256"}
    problems = [Problem(field=k, value=None, message="missing from the manifest", table="bundle")
                for k in sorted(required - manifest.keys())]
    problems += [Problem(field=k, value=manifest[k], message="not a manifest field", table="bundle")
                 for k in sorted(manifest.keys() - required)]
    if problems:
        raise ManifestMismatch(problems)
    code = manifest["municipality_code"]
    if not isinstance(code, str):
        raise _mismatch("municipality_code", code, "the municipality code must be a string of three digits")
    if code not in public_keys:
        raise UnknownMunicipalityKey(Problem(field="municipality_code", value=code, table="bundle",
                                            message="no public key held for this municipality"))
    try:
        public_keys[code].verify(base64.b64decode(str(signature), validate=True), canonical_bytes(manifest))
    except (InvalidSignature, binascii.Error, ValueError):
        raise BadSignature(Problem(field="signature", value=code, table="bundle",
                                   message="the signature does not verify with the municipality's key")) from None
    if not isinstance(content, list) or hashlib.sha256(canonical_bytes(content)).hexdigest() != manifest[
            "content_sha256"]:
        raise _mismatch("content_sha256", manifest["content_sha256"], "the content does not match the manifest")
    if manifest["columns"] != list(COLUMNS):
        raise _mismatch("columns", manifest["columns"], f"expected {list(COLUMNS)}")
    if manifest["rows"] != len(content):
        raise _mismatch("rows", manifest["rows"], f"the content has {len(content)} rows")
    try:
        table = pl.DataFrame(content, schema=_SCHEMA, orient="row")
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise _mismatch("content", len(content), f"rows do not fit the columns ({exc.__class__.__name__})") from None
    years = sorted(set(table["year"].to_list()))
    if years != manifest["years"]:
        raise _mismatch("years", manifest["years"], f"the content holds years {years}")
    return Bundle(manifest=manifest, table=table.with_columns(municipality_code=pl.lit(code)))
