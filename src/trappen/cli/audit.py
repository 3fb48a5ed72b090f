"""CLI commands for the audit trail: ``trappen audit verify`` and ``trappen audit export``.

``verify`` recomputes the hash chain over every audit event and exits 1 naming the broken rows
(ids and break kinds only, never field values). ``export`` writes every access to one child's
data as CSV, formula-neutralised, for a citizen's access request.
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


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command group to ``app``."""
    group = typer.Typer(help="The audit trail: verify its hash chain, export accesses to a child.",
                        no_args_is_help=True)

    @group.command("verify")
    def verify() -> None:
        """Check the audit hash chain; exit 1 and name the broken rows if it is broken."""
        from trappen.cli._common import user_errors

        with user_errors():
            _django()
            from trappen.web.audit.models import AuditEvent
            from trappen.web.audit.services import audit_verify

            breaks = audit_verify()
            total = AuditEvent.objects.count()
            if breaks:
                for b in breaks:
                    typer.secho(f"BROKEN {b.kind}: {b.message}", fg=typer.colors.RED, err=True)
                typer.secho(f"Audit chain BROKEN: {len(breaks)} break(s) in {total} events; rows "
                            + ", ".join(str(b.row_id) for b in breaks), fg=typer.colors.RED, err=True)
                raise typer.Exit(code=1)
            typer.echo(f"Audit chain intact: {total} events.")

    @group.command("export")
    def export(child: int = typer.Option(..., "--child", help="The child's id."),
               out: Path = typer.Option(..., "--out", help="The CSV file to write.")) -> None:
        """Write every access to one child's data (who, when, where, why) as CSV."""
        from trappen.cli._common import user_errors

        with user_errors():
            _django()
            from trappen.web.security.exports import audit_csv, audit_events

            events = audit_events(child_id=child)
            text = audit_csv(events)
            tmp = out.with_name(out.name + ".part")
            tmp.write_text(text, encoding="utf-8", newline="")
            tmp.replace(out)
            typer.echo(f"Wrote {events.count()} accesses to child {child} to {out}.")

    app.add_typer(group, name="audit")
