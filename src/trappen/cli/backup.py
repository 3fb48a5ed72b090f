"""CLI commands for recoverable data: ``trappen backup --out FILE``, ``trappen backup verify
FILE`` and ``trappen restore FILE [--force]``.

A backup is the dump and ``FILE.manifest.json`` (SHA-256, rows per table, audit chain head,
Trappen version, vendor, time). A restore refuses a changed dump or a non-empty database
(without ``--force``) with one line, and afterwards checks rows per table and the audit chain;
a mismatch exits 1. Output carries table names, counts, ids and hashes only.
"""

from __future__ import annotations

from pathlib import Path

import typer


def _django() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from trappen.cli._common import setup_django

    try:
        setup_django()
    except ImproperlyConfigured as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


def _report_check(check: object, *, what: str) -> None:
    """Print a restore check; exit 1 when rows or the audit chain differ from the manifest."""
    from trappen.web.operations.services import RestoreCheck

    assert isinstance(check, RestoreCheck)
    for mismatch in check.count_mismatches:
        typer.secho(f"ROWS {mismatch}", fg=typer.colors.RED, err=True)
    for b in check.audit_breaks:
        typer.secho(f"AUDIT {b.kind}: {b.message}", fg=typer.colors.RED, err=True)
    if not check.ok:
        typer.secho(f"{what}: does NOT match its manifest ({len(check.count_mismatches)} table(s) differ, "
                    f"{len(check.audit_breaks)} audit chain break(s))", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{what}: {check.tables} tables and {check.rows:,} rows match the manifest; "
               f"audit chain intact: {check.audit_events} events, ending at the backup's head.")


def register(app: typer.Typer) -> None:
    """Add ``backup`` (with ``backup verify``) and ``restore`` to ``app``."""
    group = typer.Typer(help="Back the database up (SQLite or PostgreSQL) with a checksummed manifest; verify a "
                             "backup.", invoke_without_command=True)

    @group.callback()
    def backup(ctx: typer.Context,
               out: Path | None = typer.Option(None, "--out", help="The dump to write; the manifest goes to "
                                                                  "FILE.manifest.json beside it.")) -> None:
        """Back the configured database up to FILE (online: a running server is no problem)."""
        if ctx.invoked_subcommand is not None:
            return
        from trappen.cli._common import user_errors

        if out is None:
            typer.secho("Error: give --out FILE (or `trappen backup verify FILE`)", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=1)
        with user_errors():
            _django()
            from trappen.operations.manifest import manifest_path
            from trappen.web.operations.services import database_backup

            m = database_backup(out=out)
            head = f"audit head {m.audit_head.id}" if m.audit_head else "no audit events"
            typer.echo(f"Backed up the {m.vendor} database to {out}: {len(m.tables)} tables, {m.total_rows:,} rows, "
                       f"{head}; sha256 {m.dump_sha256}; manifest {manifest_path(out)}")

    @group.command("verify")
    def verify(file: Path = typer.Argument(..., help="The dump (its manifest beside it)."),
               quick: bool = typer.Option(False, "--quick", help="Only the checksum and that the dump is readable; "
                                                                 "no scratch restore.")) -> None:
        """Check a backup without touching the database.

        Its checksum, then a restore into a scratch database (a temporary file, or a temporary
        PostgreSQL database) compared with the manifest and dropped."""
        from trappen.cli._common import user_errors

        with user_errors():
            _django()
            from trappen.web.operations.services import backup_verify

            manifest, check = backup_verify(dump=file, quick=quick)
            if check is None:
                typer.echo(f"{file}: checksum matches and the {manifest.vendor} dump is readable "
                           f"({len(manifest.tables)} tables, {manifest.total_rows:,} rows in the manifest).")
                return
            _report_check(check, what=f"{file} (restored into a scratch database)")

    app.add_typer(group, name="backup")

    @app.command("restore")
    def restore(file: Path = typer.Argument(..., help="The dump (its manifest beside it)."),
                force: bool = typer.Option(False, "--force", help="Replace a database that already holds data.")
                ) -> None:
        """Restore a backup into the configured database (empty, or --force) and check it.

        Afterwards rows per table and the audit chain are checked against the manifest. Run
        `trappen migrate` after restoring a backup from an older version."""
        from trappen.cli._common import user_errors

        with user_errors():
            _django()
            from trappen.web.operations.services import database_restore

            _, check = database_restore(dump=file, force=force)
            _report_check(check, what=f"Restored {file}")
