"""CLI for the offer catalogue: ``trappen offers export|validate|import``.

Core only: files in, files out (CSV with its ``.prices.csv``, or Excel). The database import
comes later (docs/offers.md).
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
        seed: int = typer.Option(1, "--seed", help="Random seed of --synthetic; the same seed, the same offers."),
        offers: int | None = typer.Option(None, "--offers", min=30, max=60,
                                          help="How many synthetic offers (30-60; drawn from the seed by default)."),
    ) -> None:
        """Write an offer catalogue (today: the synthetic one; the database's comes with its import)."""
        from trappen.cli._common import fail, user_errors

        if not synthetic:
            raise fail("only --synthetic exists yet: the offers in the database come with the database import")
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
        out: Path = typer.Option(..., "--out", help="A folder for the normalised copy (offers.csv and .prices.csv)."),
        fmt: str = typer.Option("csv", "--format", help="Format of the copy: csv or xlsx."),
    ) -> None:
        """Validate a catalogue and write a normalised copy into a folder (the database import comes later)."""
        from trappen.cli._common import user_errors

        with user_errors():
            if fmt not in ("csv", "xlsx"):
                raise ValueError(f"--format must be csv or xlsx, got {fmt!r}")
            if out.exists() and not out.is_dir():
                raise ValueError(f"--out must be a folder, and {out} is a file")
            catalogue = _read(file)
            from trappen.offers import write_offers

            out.mkdir(parents=True, exist_ok=True)
            for path in write_offers(catalogue, out / f"offers.{fmt}"):  # type: ignore[arg-type]
                typer.echo(f"wrote {path}")
            typer.echo(f"{len(catalogue)} offers")  # type: ignore[arg-type]

    app.add_typer(group, name="offers")
