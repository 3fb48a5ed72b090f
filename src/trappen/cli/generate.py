"""CLI commands: generate."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("generate")
    def generate_command(
        children: int = typer.Option(20_000, "--children", help="Children 0-17 living in the municipality."),
        years: int = typer.Option(10, "--years", help="Years of history, ending on --end-date."),
        seed: int = typer.Option(1, "--seed", help="Random seed; the same seed gives the same register."),
        out: Path | None = typer.Option(None, "--out", help="Write the register files here instead of loading the database."),
        fmt: str = typer.Option("parquet", "--format", help="File format with --out: parquet or csv."),
        districts: int = typer.Option(8, "--districts", help="Number of school districts."),
        pilot_districts: int = typer.Option(0, "--pilot-districts", help="Districts working by the Herning model."),
        pilot_from: int | None = typer.Option(None, "--pilot-from", help="First year of the pilot."),
    ) -> None:
        """Generate a synthetic municipality (seeded) and write it to files or the database."""
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from trappen.cli._common import user_errors
        from trappen.register import FORMATS
        from trappen.synthetic import generate

        with user_errors():
            if fmt not in FORMATS:
                raise ValueError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
            typer.echo(f"Generating {children:,} children over {years} years with seed {seed}")
            with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} months"),
                          TimeElapsedColumn(), transient=True) as progress:
                task = progress.add_task("simulating", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                result = generate(children=children, years=years, seed=seed, districts=districts,
                                  pilot_districts=pilot_districts, pilot_from=pilot_from,
                                  progress=advance)
            rows = ", ".join(f"{name} {frame.height:,}" for name, frame in result.tables.items())
            typer.echo(f"Generated: {rows}")
            if out is not None:
                paths = result.write(out, fmt=fmt)
                typer.echo(f"Wrote {len(paths)} files to {out} (seed {seed})")
                return
            from trappen.cli._common import setup_django

            setup_django()
            from trappen.web.register.services import register_bulk_load

            register_bulk_load(result)
            typer.echo(f"Loaded the register into the database (seed {seed})")
