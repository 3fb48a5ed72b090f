"""CLI commands for the audit trail: ``trappen audit verify`` and ``trappen audit export``.

``verify`` recomputes the hash chain over every audit event and exits 1 naming the broken rows
(ids and break kinds only, never field values). ``export`` writes every access to one child's
data as CSV, formula-neutralised, for a citizen's access request.
"""

from __future__ import annotations

from pathlib import Path

import typer


def _django() -> None:
    from trappen.cli._common import setup_django

    setup_django()


def _configured_anchor_file() -> Path | None:
    """``TRAPPEN_AUDIT_ANCHOR_FILE``, or None when it is not set."""
    from django.conf import settings

    named = str(getattr(settings, "TRAPPEN_AUDIT_ANCHOR_FILE", "") or "")
    return Path(named) if named else None


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command group to ``app``."""
    group = typer.Typer(help="The audit trail: verify its hash chain, export accesses to a child.",
                        no_args_is_help=True)

    @group.command("anchor")
    def anchor(out: Path | None = typer.Option(None, "--out", help="Append the anchor to this file (keep it "
                                                                   "outside the database's server); default "
                                                                   "TRAPPEN_AUDIT_ANCHOR_FILE.")) -> None:
        """Print (or append to a file) the chain's head: the newest event's id and hash, as one
        JSON line. Kept elsewhere, it lets `audit verify --anchor` detect a rewritten chain."""
        from trappen.cli._common import user_errors

        with user_errors():
            _django()
            from trappen.web.audit.services import audit_anchor

            out = out if out is not None else _configured_anchor_file()

            head = audit_anchor()
            if head is None:
                typer.echo("The audit log is empty: nothing to anchor.")
                return
            if out is not None:
                with out.open("a", encoding="utf-8") as f:
                    f.write(head.to_line() + "\n")
                typer.echo(f"Anchored event {head.row_id} in {out}")
            else:
                typer.echo(head.to_line())

    @group.command("verify")
    def verify(anchor_file: Path | None = typer.Option(None, "--anchor", help="Also check the anchors in this "
                                                                              "file (from `audit anchor`); default "
                                                                              "TRAPPEN_AUDIT_ANCHOR_FILE.")) -> None:
        """Check the audit hash chain (and anchors kept outside the database); exit 1 and name
        the broken rows if it is broken. Without anchors the chain alone cannot show rows cut off
        its end, so a configured anchor file is checked by default and must exist."""
        from trappen.cli._common import user_errors

        with user_errors():
            _django()
            from trappen.privacy.chain import parse_anchors
            from trappen.web.audit.models import AuditEvent
            from trappen.web.audit.services import audit_verify

            anchor_file = anchor_file if anchor_file is not None else _configured_anchor_file()
            if anchor_file is not None and not anchor_file.is_file():
                raise ValueError(f"the audit anchor file {str(anchor_file)!r} does not exist: run `trappen audit "
                                 "anchor` first, or find out who removed it")
            anchors = ([] if anchor_file is None else
                       parse_anchors(anchor_file.read_text(encoding="utf-8"), source=str(anchor_file)))
            breaks = audit_verify(anchors)
            total = AuditEvent.objects.count()
            if breaks:
                for b in breaks:
                    typer.secho(f"BROKEN {b.kind}: {b.message}", fg=typer.colors.RED, err=True)
                typer.secho(f"Audit chain BROKEN: {len(breaks)} break(s) in {total} events; rows "
                            + ", ".join(str(b.row_id) for b in breaks), fg=typer.colors.RED, err=True)
                raise typer.Exit(code=1)
            typer.echo(
                f"Audit chain intact: {total} events" + (f", {len(anchors)} anchor(s) hold." if anchors else ".")
            )

    @group.command("export")
    def export(
        child: int = typer.Option(..., "--child", help="The child's id."),
        out: Path = typer.Option(..., "--out", help="The CSV file to write."),
    ) -> None:
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
