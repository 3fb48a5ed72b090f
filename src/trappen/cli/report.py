"""CLI command: report (the annual goals-and-results report as PDF, HTML or Excel)."""

from __future__ import annotations

from pathlib import Path

import typer

REPORT_FORMATS = ("pdf", "html", "xlsx")
LANGUAGES = ("da", "en")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("report")
    def report_command(
        year: int = typer.Option(..., "--year", help="Calendar year reported on, e.g. 2024."),
        fmt: str = typer.Option("pdf", "--format", help="pdf, html or xlsx."),
        out: Path = typer.Option(..., "--out", help="File to write, e.g. report.pdf."),
        language: str = typer.Option("da", "--language", help="da or en."),
        register_dir: Path | None = typer.Option(
            None, "--register", help="Read the register from this directory instead of the database."),
        internal: bool = typer.Option(
            False, "--internal", help="No disclosure control (for the municipality's own case-working staff only)."),
    ) -> None:
        """Write the annual goals-and-results report for the municipal council.

        Against the database it is the web app's council report (spending at the economist's
        prices, the municipality's goals); with --register, the catalogue's prices and no goals."""
        from trappen.cli._common import user_errors

        with user_errors():
            if fmt not in REPORT_FORMATS:
                raise ValueError(f"--format must be one of {', '.join(REPORT_FORMATS)}, got {fmt!r}")
            if language not in LANGUAGES:
                raise ValueError(f"--language must be one of {', '.join(LANGUAGES)}, got {language!r}")
            if not out.parent.exists():
                raise FileNotFoundError(f"{out.parent}: no such directory")
            from trappen.reports import build_report, render_excel, render_html, render_pdf

            if register_dir is not None:
                # a register from files: the shipped catalogue's prices (the method section says so)
                from trappen.register import Register

                report = build_report(Register.read(register_dir), year=year, language=language,
                                      publish=not internal)
            else:
                # the database: the web app's report (the economist's prices, the municipality's
                # caseload rules and goals), the same function as the council report page
                import datetime as dt

                from trappen.cli._common import setup_django

                setup_django()
                from trappen.web.reports.selectors import council_report

                report = council_report(year=year, language=language, publish=not internal,
                                        today=dt.date.today())
            if fmt == "pdf":
                render_pdf(report, out)
            elif fmt == "xlsx":
                render_excel(report, out)
            else:
                tmp = out.with_name(out.name + ".part")
                tmp.write_text(render_html(report), encoding="utf-8")
                tmp.replace(out)
            typer.echo(f"Wrote {out}")
