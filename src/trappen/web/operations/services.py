"""Backup, restore and verify of the operational database (SQLite or PostgreSQL).

* SQLite: Python's online backup API copies the live database page by page, so a running
  server is no problem; the copy is switched to a rollback journal so it is one self-contained
  file. Restore copies it back the same way into the target connection.
* PostgreSQL: ``pg_dump --format=custom`` of a snapshot exported by a REPEATABLE READ
  transaction, in which the manifest's row counts are taken too, so counts and dump agree to
  the row while the server keeps writing. Restore is ``pg_restore --single-transaction``.

Every restore first checks the dump's SHA-256 against its manifest and refuses a non-empty
target unless ``force``; afterwards it counts rows per table against the manifest and verifies
the audit hash chain up to the manifest's head (:func:`restored_check`).
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from trappen.operations.manifest import (
    AuditHead,
    BackupIncompatible,
    BackupManifest,
    CountMismatch,
    DatabaseNotEmpty,
    RestoreFailed,
    check_checksum,
    count_mismatches,
    file_sha256,
    read_manifest,
    utc_now,
    write_manifest,
)
from trappen.privacy.chain import ChainBreak
from trappen.web.operations import _databases as dbs
from trappen.web.operations.selectors import audit_chain_breaks, database_table_counts

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RestoreCheck:
    """A restored (or scratch-restored) database compared with its manifest."""

    tables: int
    rows: int
    count_mismatches: list[CountMismatch]
    audit_events: int
    audit_breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.count_mismatches and not self.audit_breaks


def _version() -> str:
    from trappen import __version__

    return __version__


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _backup_sqlite(alias: str, out: Path) -> BackupManifest:
    conn = connections[alias]
    conn.ensure_connection()
    tmp = _part(out)
    tmp.unlink(missing_ok=True)
    target = sqlite3.connect(tmp)
    try:
        conn.connection.backup(target)  # the online backup API: consistent, live server or not
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        cursor = target.cursor()
        if cursor.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RestoreFailed(f"{out}: the copy fails SQLite's integrity check")
        counts = dbs.table_counts(cursor, "sqlite")
        head = dbs.audit_head(cursor, counts)
        migrations = dbs.applied_migrations(cursor, counts)
    finally:
        target.close()
    tmp.replace(out)
    return BackupManifest(trappen_version=_version(), vendor="sqlite", server_version=sqlite3.sqlite_version,
                          created_at=utc_now(), dump_file=out.name, dump_sha256=file_sha256(out),
                          dump_bytes=out.stat().st_size, tables=counts,
                          audit_head=None if head is None else AuditHead(id=head[0], entry_hash=head[1]),
                          migrations=migrations)


def _backup_postgresql(alias: str, out: Path) -> BackupManifest:
    settings_dict = connections[alias].settings_dict
    tmp = _part(out)
    tmp.unlink(missing_ok=True)
    with dbs.pg_connect(settings_dict) as pg:
        server = pg.info.server_version
        pg_dump = dbs.pg_tool("pg_dump", server_major=server // 10000)
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]
        cursor = pg.cursor()
        counts = dbs.table_counts(cursor, "postgresql")
        head = dbs.audit_head(cursor, counts)
        migrations = dbs.applied_migrations(cursor, counts)
        # the dump reads the very snapshot the counts were taken in (held open until it ends)
        dbs.run_tool([str(pg_dump), "--format=custom", f"--snapshot={snapshot}", "--no-password",
                      f"--file={tmp}", str(settings_dict["NAME"])],
                     env=dbs.pg_env(settings_dict), what="pg_dump")
        pg.execute("COMMIT")
    tmp.replace(out)
    version = f"{server // 10000}.{server % 10000}"
    return BackupManifest(trappen_version=_version(), vendor="postgresql", server_version=version,
                          created_at=utc_now(), dump_file=out.name, dump_sha256=file_sha256(out),
                          dump_bytes=out.stat().st_size, tables=counts,
                          audit_head=None if head is None else AuditHead(id=head[0], entry_hash=head[1]),
                          migrations=migrations)


def database_backup(*, out: Path, alias: str = "default") -> BackupManifest:
    """Back the database up to ``out`` and write ``<out>.manifest.json`` beside it.

    Both files are written under a temporary name and renamed, so a failed backup never leaves
    a half-written dump that looks complete.

    Raises:
        BackupError: the database tool is missing or failed.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        manifest = _backup_sqlite(alias, out)
    elif vendor == "postgresql":
        manifest = _backup_postgresql(alias, out)
    else:
        raise BackupIncompatible(f"backups support SQLite and PostgreSQL, not {vendor}")
    write_manifest(manifest, out)
    logger.info("database backed up", extra={"vendor": vendor, "tables": len(manifest.tables),
                                             "rows": manifest.total_rows, "sha256": manifest.dump_sha256})
    return manifest


def restored_check(manifest: BackupManifest, *, alias: str = "default") -> RestoreCheck:
    """Compare the database ``alias`` with ``manifest``: rows per table, and the audit chain
    intact and ending at the manifest's head (so no event was lost or added)."""
    counts = database_table_counts(alias=alias)
    expected_head = manifest.audit_head.entry_hash if manifest.audit_head else None
    events, breaks = audit_chain_breaks(alias=alias, expected_head=expected_head)
    return RestoreCheck(tables=len(manifest.tables), rows=manifest.total_rows,
                        count_mismatches=count_mismatches(manifest.tables, counts),
                        audit_events=events, audit_breaks=breaks)


def _restore_sqlite(dump: Path, alias: str) -> None:
    source = sqlite3.connect(f"file:{dump.resolve()}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RestoreFailed(f"{dump}: fails SQLite's integrity check")
        conn = connections[alias]
        conn.ensure_connection()
        if conn.in_atomic_block:
            raise RestoreFailed("a restore cannot run inside a transaction")
        source.backup(conn.connection)  # replaces the target database as a whole
    except sqlite3.DatabaseError as exc:
        raise RestoreFailed(f"{dump}: not a readable SQLite database ({exc})") from None
    finally:
        source.close()


def _restore_postgresql(dump: Path, alias: str, *, clean: bool) -> None:
    conn = connections[alias]
    settings_dict = conn.settings_dict
    conn.close()  # no cached statement of ours may outlive the tables pg_restore replaces
    with dbs.pg_connect(settings_dict) as pg:
        server_major = pg.info.server_version // 10000
    pg_restore = dbs.pg_tool("pg_restore", server_major=server_major)
    cmd = [str(pg_restore), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
           "--no-password", f"--dbname={settings_dict['NAME']}"]
    if clean:
        cmd += ["--clean", "--if-exists"]
    dbs.run_tool([*cmd, str(dump)], env=dbs.pg_env(settings_dict), what="pg_restore")


def database_restore(*, dump: Path, alias: str = "default", force: bool = False) -> tuple[BackupManifest,
                                                                                         RestoreCheck]:
    """Restore ``dump`` into the database ``alias``, then check it against the manifest.

    Raises:
        ManifestInvalid: the manifest beside the dump is missing or malformed.
        ChecksumMismatch: the dump differs from its manifest; nothing is written.
        BackupIncompatible: the dump is for another database vendor.
        DatabaseNotEmpty: the target holds data and ``force`` is off; nothing is written.
        RestoreFailed: the restore tool failed (PostgreSQL: nothing is written).
    """
    manifest = read_manifest(dump)
    check_checksum(dump, manifest)
    vendor = connections[alias].vendor
    if manifest.vendor != vendor:
        raise BackupIncompatible(f"{dump} is a {manifest.vendor} backup; the target database is {vendor}")
    name = str(connections[alias].settings_dict["NAME"])
    if vendor == "sqlite" and name and not name.startswith(("file:", ":memory:")):
        Path(name).parent.mkdir(parents=True, exist_ok=True)  # a fresh SQLite file: its folder may be new
    existing = database_table_counts(alias=alias)
    non_empty = dbs.holds_data(existing)
    if non_empty and not force:
        rows = sum(n for t, n in existing.items() if t not in dbs.BOOKKEEPING_TABLES)
        raise DatabaseNotEmpty(f"the target database holds {rows} rows; restore into an empty database, "
                               "or give --force to replace it")
    if vendor == "sqlite":
        _restore_sqlite(dump, alias)
    else:
        _restore_postgresql(dump, alias, clean=bool(existing))
    check = restored_check(manifest, alias=alias)
    logger.info("database restored", extra={"vendor": vendor, "ok": check.ok, "rows": check.rows,
                                            "sha256": manifest.dump_sha256})
    return manifest, check


def backup_verify(*, dump: Path, quick: bool = False, like: str = "default") -> tuple[BackupManifest,
                                                                                     RestoreCheck | None]:
    """Check a backup without touching the database: the checksum, then (unless ``quick``) a
    restore into a scratch database that is compared with the manifest and dropped.

    ``quick`` only checks the checksum and that the dump is readable (SQLite integrity check,
    or ``pg_restore --list``); it returns no :class:`RestoreCheck`.

    Raises:
        ManifestInvalid, ChecksumMismatch, BackupIncompatible, RestoreFailed: as for a restore.
    """
    manifest = read_manifest(dump)
    check_checksum(dump, manifest)
    vendor = connections[like].vendor
    if quick:
        if manifest.vendor == "sqlite":
            try:
                with closing(sqlite3.connect(f"file:{dump.resolve()}?mode=ro", uri=True)) as source:
                    ok = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                ok = False
            if not ok:
                raise RestoreFailed(f"{dump}: fails SQLite's integrity check")
        else:
            major = int(manifest.server_version.split(".")[0])
            tool = dbs.pg_tool("pg_restore", server_major=major)
            listed = subprocess.run([str(tool), "--list", str(dump)], capture_output=True, check=False)
            if listed.returncode != 0:
                raise RestoreFailed(f"{dump}: pg_restore cannot read its table of contents")
        return manifest, None
    if manifest.vendor != vendor:
        raise BackupIncompatible(f"{dump} is a {manifest.vendor} backup; a scratch restore needs a {manifest.vendor} "
                                 f"database, this configuration is {vendor} (use --quick)")
    with dbs.scratch_database(like=like) as scratch:
        _, check = database_restore(dump=dump, alias=scratch)
    return manifest, check
