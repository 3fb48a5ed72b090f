"""CLI commands: generate."""

from __future__ import annotations

from pathlib import Path

import typer


def _print_calibration(register: object) -> None:
    from rich.console import Console
    from rich.table import Table

    from trappen.synthetic import calibration_report

    report = calibration_report(register)  # type: ignore[arg-type]
    table = Table(title="Calibration (per 1,000 children 0-17, 5 years around the figure's year)")
    for column in ("figure", "target", "generated", "tolerance", "within"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for figure, target, generated, tolerance, within in report.iter_rows():
        table.add_row(figure, f"{target:.3f}", f"{generated:.3f}", f"±{tolerance:.0%}",
                      "yes" if within else "NO")
    Console(width=120).print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("generate")
    def generate_command(
        children: int = typer.Option(20_000, "--children", min=1, help="Children 0-17 living in the municipality."),
        years: int = typer.Option(10, "--years", min=1, help="Years of history, ending on --end-date."),
        end_date: str = typer.Option(
            "2025-12-31", "--end-date", help="Last day of the register, YYYY-MM-DD (fixed, so runs do not depend "
            "on today)."
        ),
        seed: int = typer.Option(1, "--seed", help="Random seed; the same seed gives the same register."),
        out: Path | None = typer.Option(
            None, "--out", help="Write the register files here instead of loading the database."
        ),
        fmt: str = typer.Option("parquet", "--format", help="File format with --out: parquet or csv."),
        districts: int = typer.Option(8, "--districts", min=1, help="Number of school districts."),
        pilot_districts: int = typer.Option(
            0, "--pilot-districts", min=0, help="Districts working by the Herning model."
        ),
        pilot_from: int | None = typer.Option(None, "--pilot-from", help="First year of the pilot."),
        calibration: bool = typer.Option(
            False, "--calibration", help="Print the calibration report (measured vs national figures)."
        ),
    ) -> None:
        """Generate a synthetic municipality (seeded) and write it to files or the database."""
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from trappen.cli._common import user_errors
        from trappen.register import FORMATS
        from trappen.synthetic import generate

        with user_errors():
            if fmt not in FORMATS:
                raise ValueError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
            from datetime import date

            try:
                end = date.fromisoformat(end_date)
            except ValueError:
                raise ValueError(f"--end-date must be a date like 2025-12-31, got {end_date!r}") from None
            typer.echo(f"Generating {children:,} children over {years} years with seed {seed}")
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} months"),
                TimeElapsedColumn(),
                transient=True,
            ) as progress:
                task = progress.add_task("simulating", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                result = generate(
                    children=children,
                    years=years,
                    seed=seed,
                    districts=districts,
                    pilot_districts=pilot_districts,
                    pilot_from=pilot_from,
                    progress=advance,
                    end_date=end,
                )
            rows = ", ".join(f"{name} {frame.height:,}" for name, frame in result.tables.items())
            typer.echo(f"Generated: {rows}")
            if calibration:
                _print_calibration(result)
            if out is not None:
                paths = result.write(out, fmt=fmt)
                typer.echo(f"Wrote {len(paths)} files to {out} (seed {seed})")
                return
            from trappen.cli._common import setup_django

            setup_django()
            from trappen.web.register.services import register_bulk_load

            counts = register_bulk_load(result, seed=seed)
            typer.echo(
                f"Loaded {counts.get('children', 0):,} children and "
                f"{counts.get('episodes', 0):,} episodes into the database (seed {seed})"
            )
