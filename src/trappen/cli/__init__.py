"""The ``trappen`` command line (Typer). One module per command group; heavy imports stay
inside the commands so ``trappen --help`` is fast."""

from __future__ import annotations

import typer

from trappen.cli import api, evaluate, forecast, generate, invest, kpi, report, web

app = typer.Typer(
    name="trappen",
    help="Trappen: casework, KPIs, economics, forecasts and evaluation on the intervention staircase.",
    no_args_is_help=True,
    add_completion=False,
)



@app.callback()
def _root() -> None:
    """Trappen: casework, KPIs, economics, forecasts and evaluation on the intervention staircase."""


@app.command()
def version() -> None:
    """Print Trappen's version."""
    from trappen import __version__

    typer.echo(__version__)


for module in (generate, web, kpi, forecast, invest, evaluate, report, api):
    module.register(app)
__import__("trappen.cli.audit", fromlist=["register"]).register(app)  # audit verify/export
__import__("trappen.cli.backup", fromlist=["register"]).register(app)  # backup, restore
__import__("trappen.cli.retention", fromlist=["register"]).register(app)  # retention report
__import__("trappen.cli.dst", fromlist=["register"]).register(app)  # deliveries to Danmarks Statistik
__import__("trappen.cli.offers", fromlist=["register"]).register(app)  # the offer catalogue (tilbud)
__import__("trappen.cli.national", fromlist=["register"]).register(app)  # national KPI bundles


def main() -> None:
    app()
