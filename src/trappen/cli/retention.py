"""CLI command for retention: ``trappen retention report --at DATE [--format json]``.

A dry run: counts per kind and rule of what the retention rules would archive or delete on
DATE (with ``--format json`` the ids too). Nothing is archived or deleted.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the ``retention`` command group to ``app``."""
    group = typer.Typer(help="Retention rules: what would be archived or deleted (dry run).", no_args_is_help=True)

    @group.command("report")
    def report(at: str = typer.Option(..., "--at", help="The date to report for (YYYY-MM-DD)."),
               fmt: str = typer.Option("text", "--format", help="text or json (json lists the ids)."),
               rules_file: Path | None = typer.Option(None, "--rules", help="The municipality's own retention.toml "
                                                                           "(default: the shipped rules).")) -> None:
        """Print what each retention rule would archive or delete on DATE: counts per kind and
        rule (ids with --format json), never personal data. Nothing is changed."""
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            if fmt not in ("text", "json"):
                raise ValueError(f"--format must be text or json, not {fmt!r}")
            try:
                on = dt.date.fromisoformat(at)
            except ValueError:
                raise ValueError(f"--at must be a date YYYY-MM-DD, not {at!r}") from None
            from trappen.privacy.retention import load_retention_rules, retention_due

            rules = load_retention_rules(rules_file)
            setup_django()
            from trappen.web.operations.selectors import retention_records

            result = retention_due(retention_records(), rules=rules, at=on)
            if fmt == "json":
                typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
                return
            typer.echo(f"Retention report for {on.isoformat()} (dry run: nothing is archived or deleted)")
            typer.echo(f"{'rule':<24} {'kind':<16} {'action':<8} {'after':<6} {'records':>8} {'open':>8} "
                       f"{'not due':>8} {'due':>8}")
            for o in result.outcomes:
                r = o.rule
                after = r.after + ("*" if r.municipality_sets else "")
                typer.echo(f"{r.code:<24} {r.kind:<16} {r.action:<8} {after:<6} {o.records:>8,} {o.open:>8,} "
                           f"{o.not_yet_due:>8,} {o.due:>8,}")
            totals = result.due_by_action()
            typer.echo(f"Would archive {totals['archive']:,} and delete {totals['delete']:,} records.")
            if any(o.rule.municipality_sets for o in result.outcomes):
                typer.echo("* a placeholder period: the municipality must set its own (see docs/privacy.md).")

    app.add_typer(group, name="retention")
