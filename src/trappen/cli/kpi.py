"""CLI commands: kpi, export."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from trappen.register import Register

OUTPUT_FORMATS = ("json", "csv", "table")


def _load_register(directory: Path | None) -> Register:
    """The register from files, or (without a directory) a snapshot of the database."""
    if directory is not None:
        from trappen.register import Register

        return Register.read(directory)
    from trappen.cli._common import setup_django

    setup_django()
    from trappen.web.register.selectors import register_snapshot

    return register_snapshot()


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option} must be a date like 2024-12-31, got {value!r}") from None


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("kpi")
    def kpi_command(
        at: str = typer.Option(..., "--at", help="Snapshot day of stock KPIs, e.g. 2024-12-31."),
        from_: str | None = typer.Option(
            None, "--from", help="First day of the period (default: 12 months up to --at)."
        ),
        to: str | None = typer.Option(None, "--to", help="Last day of the period, included (default: --at)."),
        fmt: str = typer.Option("table", "--format", help="json, csv or table."),
        register_dir: Path | None = typer.Option(
            None, "--register", help="Read the register from this directory instead of the database."
        ),
        caseload_target: float | None = typer.Option(
            None, "--caseload-target", min=1, help="Children per FTE counted as over target (default: "
            "TRAPPEN_CASELOAD_TARGET from the settings with the database, else trappen/kpi/data/caseload.toml: 25)."
        ),
    ) -> None:
        """Compute every KPI of the catalogue for one date."""
        from trappen.cli._common import user_errors

        with user_errors():
            if fmt not in OUTPUT_FORMATS:
                raise ValueError(f"--format must be one of {', '.join(OUTPUT_FORMATS)}, got {fmt!r}")
            at_day = _parse_day(at, "--at")
            assert at_day is not None
            start, last = _parse_day(from_, "--from"), _parse_day(to, "--to")
            period = None
            if start is not None or last is not None:
                from trappen.kpi import default_period

                start = start or default_period(at_day)[0]
                period = (start, (last or at_day) + timedelta(days=1))
            from trappen.kpi import compute_kpis

            register = _load_register(register_dir)
            if caseload_target is None and register_dir is None:  # the database's settings are loaded
                from django.conf import settings

                caseload_target = settings.TRAPPEN_CASELOAD_TARGET
            result = compute_kpis(register, at=at_day, period=period, caseload_target=caseload_target)
            if fmt == "json":
                typer.echo(result.write_json())
            elif fmt == "csv":
                typer.echo(result.write_csv(), nl=False)
            else:
                _print_table(result)

    @app.command("export")
    def export_command(
        out: Path = typer.Option(..., "--out", help="Directory to write one file per table into."),
        fmt: str = typer.Option("parquet", "--format", help="parquet or csv."),
        register_dir: Path | None = typer.Option(
            None, "--register", help="Read the register from this directory instead of the database."
        ),
    ) -> None:
        """Validate the analytic register and export it as files (nothing is written if invalid)."""
        from trappen.cli._common import user_errors
        from trappen.register import FORMATS, validate

        with user_errors():
            if fmt not in FORMATS:
                raise ValueError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
            reg = _load_register(register_dir)
            validate(reg)
            paths = reg.write(out, fmt=fmt)
            typer.echo(f"Wrote {len(paths)} files to {out}")


def _print_table(result: object) -> None:
    import polars as pl
    from rich.console import Console
    from rich.table import Table

    assert isinstance(result, pl.DataFrame)
    dims = [
        c
        for c in ("step", "from_step", "to_step", "district", "age_band", "placement_type", "duty")
        if result[c].null_count() < result.height
    ]
    table = Table("KPI", *dims, "value", "numerator", "denominator", "unit")
    for row in result.iter_rows(named=True):
        value = row["value"]
        table.add_row(
            row["kpi_code"],
            *[row[d] or "" for d in dims],
            "–" if value is None else f"{value:,.4g}",
            f"{row['numerator']:,.6g}",
            f"{row['denominator']:,.6g}",
            row["unit"],
        )
    Console(width=200).print(table)
