"""CLI commands: evaluate (staggered difference-in-differences on a district panel)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer


def _default_window(register: object, freq: str) -> tuple[date, date]:
    """The window covered by the register's data: from 5 years before its last month to it."""
    import polars as pl

    dates = [register.episodes["start_date"].max(),  # type: ignore[attr-defined]
             register.notifications.select(pl.col("received_at").dt.date().max()).item()]  # type: ignore[attr-defined]
    last = max((d for d in dates if d is not None), default=None)
    if last is None:
        raise ValueError("the register has no episodes or notifications to evaluate")
    month = last.month + 1 if freq == "month" else 3 * ((last.month - 1) // 3) + 4
    end = date(last.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return date(end.year - 5, end.month, 1), end


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("evaluate")
    def evaluate_command(
        outcome: str = typer.Option("placements_per_1000", "--outcome", help="Panel outcome column to evaluate."),
        out: Path = typer.Option(..., "--out", help="Directory for tables (CSV), plot (PNG) and summary.md."),
        register_dir: Path | None = typer.Option(None, "--register", help="Analytic register directory (Parquet/CSV); default: the database."),
        freq: str = typer.Option("quarter", "--freq", help="Period: month or quarter."),
        start: str | None = typer.Option(None, "--start", help="First day of the window (YYYY-MM-DD)."),
        end: str | None = typer.Option(None, "--end", help="First day after the window (YYYY-MM-DD)."),
        control: str = typer.Option("not_yet_treated", "--control", help="not_yet_treated or never_treated."),
        draws: int = typer.Option(999, "--draws", help="Wild bootstrap draws."),
        ri_draws: int = typer.Option(499, "--ri-draws", help="Randomisation-inference permutations."),
        weights: str = typer.Option("webb", "--weights", help="Bootstrap weights: webb, rademacher or mammen."),
        seed: int = typer.Option(1, "--seed", help="Seed of the bootstrap and permutations."),
    ) -> None:
        """Staggered DiD (Callaway-Sant'Anna) of the districts' adoption; TWFE as a diagnostic."""
        from trappen.cli._common import user_errors

        with user_errors():
            from trappen.errors import InvalidInput, Problem
            from trappen.evaluation import (
                bacon_decomposition,
                build_panel,
                panel_arrays,
                staggered_did,
                twfe,
            )
            from trappen.evaluation._report import write_evaluation
            from trappen.register import Register

            if register_dir is not None:
                reg = Register.read(register_dir)
            else:
                from trappen.cli._common import setup_django

                setup_django()
                from trappen.web.register.selectors import register_snapshot

                reg = register_snapshot()
            w_start, w_end = _default_window(reg, freq) if start is None or end is None else (None, None)
            d_start = date.fromisoformat(start) if start else w_start
            d_end = date.fromisoformat(end) if end else w_end
            panel = build_panel(reg, freq=freq, start=d_start, end=d_end)
            if outcome not in panel.columns or outcome in ("district_code", "period", "period_index"):
                raise InvalidInput(Problem(field="outcome", value=outcome, message="not a panel outcome; choose one of "
                                           + ", ".join(c for c in panel.columns if c.endswith(("_per_1000", "_per_fte")))))
            result = staggered_did(panel, outcome=outcome, control=control, draws=draws, ri_draws=ri_draws,
                                   weights=weights, seed=seed)
            arrays = panel_arrays(panel, outcome=outcome)
            tw = twfe(arrays.y, arrays.cohort) if result.clusters.treated else None
            bacon = bacon_decomposition(arrays.y, arrays.cohort) if result.clusters.treated else None
            command = (f"trappen evaluate --outcome {outcome} --freq {freq} --start {d_start} --end {d_end} "
                       f"--draws {draws} --ri-draws {ri_draws} --seed {seed}")
            paths = write_evaluation(result, out, twfe_result=tw, bacon=bacon, command=command)
            o = result.overall.row(0, named=True)
            c = result.clusters
            typer.echo(f"{outcome}: ATT {o['att']:.3g} (95% CI {o['ci_low']:.3g} to {o['ci_high']:.3g}); "
                       f"clusters: {c.treated} treated, {c.control} control")
            for caveat in result.caveats("en")[1:]:
                typer.echo(f"Caveat: {caveat}")
            typer.echo(f"Wrote {len(paths)} files to {out}")
