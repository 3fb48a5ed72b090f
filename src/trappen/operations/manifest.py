"""The manifest written beside every backup, and the checks a restore makes against it.

A backup is two files: the dump (a SQLite database file, or a ``pg_dump`` custom-format
archive) and ``<dump>.manifest.json``, which records the dump's SHA-256, its size, rows per
table, the audit chain's head, the Trappen version, the database vendor and when it was taken.
The manifest holds table names, counts, ids and hashes only: never personal data.

Exceptions::

    TrappenError
     └── BackupError                 a backup cannot be taken, checked or restored
          ├── ManifestInvalid        the manifest is missing or malformed (names the file)
          ├── ChecksumMismatch       the dump's SHA-256 differs from the manifest's
          ├── BackupIncompatible     the dump is for another database vendor
          ├── DatabaseNotEmpty       the restore target holds data and --force was not given
          └── RestoreFailed          the database tool failed, or a restored database differs
                                     from its manifest (counts or audit chain)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trappen.errors import TrappenError

__all__ = ["FORMAT", "AuditHead", "BackupError", "BackupIncompatible", "BackupManifest", "ChecksumMismatch",
           "CountMismatch", "DatabaseNotEmpty", "ManifestInvalid", "RestoreFailed", "check_checksum",
           "count_mismatches", "file_sha256", "manifest_path", "read_manifest", "write_manifest"]

FORMAT: Final = "trappen-backup/1"
"""The manifest's format tag; a restore refuses any other."""

Vendor = Literal["sqlite", "postgresql"]


class BackupError(TrappenError):
    """A backup cannot be taken, checked or restored."""


class ManifestInvalid(BackupError):
    """The manifest beside a dump is missing or malformed."""


class ChecksumMismatch(BackupError):
    """The dump's SHA-256 differs from the one in its manifest (corrupt or changed file)."""


class BackupIncompatible(BackupError):
    """The dump was taken from another database vendor than the restore target."""


class DatabaseNotEmpty(BackupError):
    """The restore target already holds data and ``force`` was not given."""


class RestoreFailed(BackupError):
    """The database tool failed, or the restored database differs from its manifest."""


class AuditHead(BaseModel):
    """The newest audit event in the dump: a restore's chain must end exactly here."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: int
    entry_hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class BackupManifest(BaseModel):
    """What a backup holds, written as JSON beside the dump."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    format: Literal["trappen-backup/1"] = "trappen-backup/1"
    trappen_version: str
    vendor: Vendor
    server_version: str
    """SQLite library version, or the PostgreSQL server version the dump was taken from."""
    created_at: datetime
    dump_file: str
    """The dump's file name (no directory: the pair may be moved together)."""
    dump_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    dump_bytes: int = Field(ge=0)
    tables: dict[str, int]
    """Rows per table, counted in the same snapshot as the dump."""
    audit_head: AuditHead | None
    migrations: dict[str, str] = Field(default_factory=dict)
    """The newest applied migration per app, to tell which code version the dump belongs to."""

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def manifest_path(dump: Path) -> Path:
    """Where the manifest of ``dump`` lives: ``<dump>.manifest.json``."""
    return dump.with_name(dump.name + ".manifest.json")


def file_sha256(path: Path, *, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 (hex) of a file, read in chunks so a large dump is never held in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(manifest: BackupManifest, dump: Path) -> Path:
    """Write the manifest beside ``dump`` (via a temporary file, so it is never half-written)."""
    target = manifest_path(dump)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target


def read_manifest(dump: Path) -> BackupManifest:
    """The manifest beside ``dump``.

    Raises:
        ManifestInvalid: it is missing, not JSON, or not a Trappen backup manifest.
    """
    path = manifest_path(dump)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestInvalid(f"{path}: manifest not found (a backup is the dump and this file)") from None
    except (OSError, ValueError) as exc:
        raise ManifestInvalid(f"{path}: not a readable JSON manifest ({exc})") from None
    try:
        return BackupManifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ManifestInvalid(f"{path}: not a Trappen backup manifest: field '{where}': {first['msg']}") from None


def check_checksum(dump: Path, manifest: BackupManifest) -> None:
    """Refuse a dump whose size or SHA-256 differs from its manifest.

    Raises:
        ChecksumMismatch: one line naming the file and both digests' first characters.
        FileNotFoundError: the dump is missing.
    """
    size = dump.stat().st_size
    digest = file_sha256(dump)
    if digest != manifest.dump_sha256 or size != manifest.dump_bytes:
        raise ChecksumMismatch(
            f"{dump}: checksum does not match its manifest (sha256 {digest[:12]}…, expected "
            f"{manifest.dump_sha256[:12]}…): the file is corrupt or was changed; refusing it")


@dataclass(frozen=True, kw_only=True)
class CountMismatch:
    """A table whose row count differs from the manifest (``found`` is None if it is absent)."""

    table: str
    expected: int
    found: int | None

    def __str__(self) -> str:
        found = "missing" if self.found is None else f"{self.found} rows"
        return f"{self.table}: {found}, manifest says {self.expected}"


def count_mismatches(expected: dict[str, int], found: dict[str, int]) -> list[CountMismatch]:
    """Tables of ``expected`` whose count in ``found`` differs or is absent, by table name.

    Tables only in ``found`` are not mismatches: a restore into a migrated database may carry
    bookkeeping tables of a newer code version.
    """
    return [CountMismatch(table=t, expected=n, found=found.get(t))
            for t, n in sorted(expected.items()) if found.get(t) != n]


def utc_now() -> datetime:
    """The current time in UTC (one place, so a test can pass its own ``created_at``)."""
    return datetime.now(UTC)
