"""CLI for the offer catalogue: ``trappen offers export|validate|import|migrate-providers``.

Files in, files out (CSV with its ``.prices.csv``, or Excel); ``import`` writes to the database
(all or nothing) unless ``--out`` asks for a normalised copy only; ``migrate-providers`` links
episodes' free-text providers to offers and reports the names no offer matched (docs/offers.md).
"""

from __future__ import annotations

from pathlib import Path

import typer

FILE_HELP = "An offer catalogue: FILE.csv (with FILE.prices.csv next to it) or FILE.xlsx."


def _print_problems(exc: object) -> None:
    problems = getattr(exc, "problems", [])
    for problem in problems:
        typer.secho(f"ERROR {problem}", fg=typer.colors.RED, err=True)
    typer.secho(f"{len(problems)} problem(s); nothing was written.", fg=typer.colors.RED, err=True)


def _read(file: Path) -> object:
    """The validated catalogue; on bad content every problem is printed and exit code 1."""
    from trappen.errors import InvalidInput
    from trappen.offers import read_offers

    try:
        return read_offers(file)
    except InvalidInput as exc:
        _print_problems(exc)
        raise typer.Exit(code=1) from None


def register(app: typer.Typer) -> None:
    """Add the ``offers`` command group to ``app``."""
    group = typer.Typer(help="The offer catalogue (tilbud): export, validate and import CSV or Excel files.",
                        no_args_is_help=True)

    @group.command("export")
    def export(
        out: Path = typer.Option(..., "--out", help="Where to write: FILE.csv (plus FILE.prices.csv) or FILE.xlsx."),
        synthetic: bool = typer.Option(False, "--synthetic", help="Export a synthetic catalogue (30-60 offers)."),
        from_db: bool = typer.Option(False, "--from-db", help="Export the catalogue in the database."),
        seed: int = typer.Option(1, "--seed", help="Random seed of --synthetic; the same seed, the same offers."),
        offers: int | None = typer.Option(None, "--offers", min=30, max=60,
                                          help="How many synthetic offers (30-60; drawn from the seed by default)."),
    ) -> None:
        """Write an offer catalogue: the synthetic one, or the database's."""
        from trappen.cli._common import fail, setup_django, user_errors

        if synthetic == from_db:
            raise fail("choose one source: --synthetic (a generated catalogue) or --from-db (the database's)")
        if from_db:
            setup_django()
            with user_errors():
                from trappen.offers import write_offers
                from trappen.web.offers.selectors import catalogue as db_catalogue

                catalogue = db_catalogue()
                for path in write_offers(catalogue, out):
                    typer.echo(f"wrote {path}")
                typer.echo(f"{len(catalogue)} offers")
            return
        with user_errors():
            from trappen.offers import write_offers
            from trappen.synthetic import synthetic_offers

            typer.echo(f"seed {seed}")
            catalogue = synthetic_offers(seed=seed, offers=offers)
            for path in write_offers(catalogue, out):
                typer.echo(f"wrote {path}")
            typer.echo(f"{len(catalogue)} offers")

    @group.command("validate")
    def validate(file: Path = typer.Argument(..., help=FILE_HELP)) -> None:
        """Check a catalogue file: every problem with its table, row and column (exit 1 on any)."""
        from trappen.cli._common import user_errors

        with user_errors():
            catalogue = _read(file)
            typer.echo(f"{len(catalogue)} offers: valid")  # type: ignore[arg-type]

    @group.command("import")
    def import_(
        file: Path = typer.Argument(..., help=FILE_HELP),
        out: Path | None = typer.Option(None, "--out", help=(
            "Only write a normalised copy into this folder (offers.csv and .prices.csv), not the database.")),
        fmt: str = typer.Option("csv", "--format", help="Format of the copy: csv or xlsx."),
    ) -> None:
        """Validate a catalogue and write it to the database, all or nothing (new offers created,
        changed ones updated with their earlier version kept); with --out, a normalised copy only."""
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            if fmt not in ("csv", "xlsx"):
                raise ValueError(f"--format must be csv or xlsx, got {fmt!r}")
            if out is not None and out.exists() and not out.is_dir():
                raise ValueError(f"--out must be a folder, and {out} is a file")
            catalogue = _read(file)
            if out is None:
                setup_django()
                from trappen.errors import InvalidInput
                from trappen.web.offers.services import SYSTEM, catalogue_import

                try:
                    result = catalogue_import(user=SYSTEM, catalogue=catalogue)  # type: ignore[arg-type]
                except InvalidInput as exc:
                    _print_problems(exc)
                    raise typer.Exit(code=1) from None
                typer.echo(f"{result.created} new, {result.updated} changed, {result.unchanged} unchanged offers")
                if result.not_in_file:
                    typer.echo(f"kept, not in the file: {', '.join(result.not_in_file)}")
                return
            from trappen.offers import write_offers

            out.mkdir(parents=True, exist_ok=True)
            for path in write_offers(catalogue, out / f"offers.{fmt}"):  # type: ignore[arg-type]
                typer.echo(f"wrote {path}")
            typer.echo(f"{len(catalogue)} offers")  # type: ignore[arg-type]

    @group.command("migrate-providers")
    def migrate_providers(
        dry_run: bool = typer.Option(False, "--dry-run", help="Report what would be linked; change nothing."),
        report: Path | None = typer.Option(None, "--report", help="Write the unmatched names as CSV (name,episodes)."),
    ) -> None:
        """Link episodes whose free-text provider names an offer (its name or provider) to it; the
        text stays on every episode, and the names no single offer matched are reported."""
        from trappen.cli._common import setup_django, user_errors

        setup_django()
        with user_errors():
            from trappen.web.offers.services import providers_migrate

            result = providers_migrate(dry_run=dry_run)
            verb = "would link" if dry_run else "linked"
            typer.echo(f"{verb} {result.matched} episodes to offers; {result.already} had an offer already")
            typer.echo(f"{len(result.unmatched)} provider names not matched "
                       f"({sum(result.unmatched.values())} episodes keep their text):")
            for name, count in result.unmatched.items():
                typer.echo(f"  {count:6d}  {name}")
            if report is not None:
                import csv

                with report.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["provider", "episodes"])
                    writer.writerows(result.unmatched.items())
                typer.echo(f"wrote {report}")

    app.add_typer(group, name="offers")
