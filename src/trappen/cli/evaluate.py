"""CLI commands: evaluate (staggered difference-in-differences on a district panel)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

WINDOW_YEARS = 5
"""Default window length, when the data and the adoption dates do not ask for a longer one."""
PRE_YEARS = 3
"""Years before the first adoption the default window reaches back to (when the data has them):
a district that adopted in the window's first period has no pre-period and cannot be evaluated
(it counts as treated before the window), and the event study needs pre-periods to check trends."""


def _period_start(day: date, freq: str) -> date:
    return date(day.year, day.month if freq == "month" else 3 * ((day.month - 1) // 3) + 1, 1)


def _default_window(register: object, freq: str) -> tuple[date, date]:
    """The default window: from ``PRE_YEARS`` before the first adoption (``districts.pilot_from``)
    or ``WINDOW_YEARS`` before the end, whichever is earlier, but not before the register's first
    notification; to the first period after its last event."""
    import polars as pl

    reg = register
    dates = [reg.episodes["start_date"].max(),  # type: ignore[attr-defined]
             reg.notifications.select(pl.col("received_at").dt.date().max()).item()]  # type: ignore[attr-defined]
    last = max((d for d in dates if d is not None), default=None)
    if last is None:
        raise ValueError("the register has no episodes or notifications to evaluate")
    month = last.month + 1 if freq == "month" else 3 * ((last.month - 1) // 3) + 4
    end = date(last.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    start = date(end.year - WINDOW_YEARS, end.month, 1)
    adopted = reg.districts["pilot_from"].drop_nulls()  # type: ignore[attr-defined]
    adopted = adopted.filter(adopted < end)
    if adopted.len():
        first = _period_start(adopted.min(), freq)
        start = min(start, date(first.year - PRE_YEARS, first.month, 1))
    # the first notification marks where the register's history starts (episodes running then
    # have earlier start dates, but the flows before it are not recorded)
    first_seen = reg.notifications.select(pl.col("received_at").dt.date().min()).item()  # type: ignore[attr-defined]
    if first_seen is not None:
        start = max(start, _period_start(first_seen, freq))
    return start, end


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("evaluate")
    def evaluate_command(
        outcome: str = typer.Option("placements_per_1000", "--outcome", help="Panel outcome column to evaluate."),
        out: Path = typer.Option(..., "--out", help="Directory for tables (CSV), plot (PNG) and summary.md."),
        register_dir: Path | None = typer.Option(
            None, "--register", help="Analytic register directory (Parquet/CSV); default: the database."
        ),
        freq: str = typer.Option("quarter", "--freq", help="Period: month or quarter."),
        start: str | None = typer.Option(None, "--start", help="First day of the window (YYYY-MM-DD)."),
        end: str | None = typer.Option(None, "--end", help="First day after the window (YYYY-MM-DD)."),
        control: str = typer.Option("not_yet_treated", "--control", help="not_yet_treated or never_treated."),
        draws: int = typer.Option(999, "--draws", min=1, help="Wild bootstrap draws."),
        ri_draws: int = typer.Option(499, "--ri-draws", min=0, help="Randomisation-inference permutations."),
        weights: str = typer.Option("webb", "--weights", help="Bootstrap weights: webb, rademacher or mammen."),
        seed: int = typer.Option(1, "--seed", help="Seed of the bootstrap and permutations."),
    ) -> None:
        """Staggered DiD (Callaway-Sant'Anna) of the districts' adoption; TWFE as a diagnostic."""
        from trappen.cli._common import fail, user_errors

        with user_errors():
            import polars as pl

            from trappen.errors import InvalidInput, Problem
            from trappen.evaluation import (
                bacon_decomposition,
                build_panel,
                competing_exits,
                panel_arrays,
                staggered_did,
                twfe,
            )
            from trappen.evaluation._report import durations_tables, write_evaluation
            from trappen.register import Register

            if register_dir is not None:
                reg = Register.read(register_dir)
            else:
                from django.db import DatabaseError

                from trappen.cli._common import setup_django

                setup_django()
                from trappen.web.register.selectors import register_snapshot

                try:
                    reg = register_snapshot()
                except DatabaseError as exc:
                    raise fail(f"cannot read the database ({' '.join(str(exc).split())}); run `trappen demo` or "
                               "`trappen migrate`, or pass --register DIR") from None
            from trappen.cli.forecast import _parse_date

            given_start, given_end = _parse_date(start, "--start"), _parse_date(end, "--end")
            if given_start is None or given_end is None:
                w_start, w_end = _default_window(reg, freq)
                d_start, d_end = given_start or w_start, given_end or w_end
            else:
                d_start, d_end = given_start, given_end
            panel = build_panel(reg, freq=freq, start=d_start, end=d_end)
            if outcome not in panel.columns or outcome in ("district_code", "period", "period_index"):
                raise InvalidInput(
                    Problem(
                        field="outcome",
                        value=outcome,
                        message="not a panel outcome; choose one of "
                        + ", ".join(c for c in panel.columns if c.endswith(("_per_1000", "_per_fte"))),
                    )
                )
            result = staggered_did(
                panel, outcome=outcome, control=control, draws=draws, ri_draws=ri_draws, weights=weights, seed=seed
            )
            c = result.clusters
            if not c.treated:
                before = f"; {c.always_treated} adopted before the window's first period" if c.always_treated else ""
                raise fail(f"no treated districts to evaluate from {d_start} to {d_end} (no district adopts within "
                           f"the window after a pre-period{before}); give an earlier --start or check "
                           "districts.pilot_from")
            arrays = panel_arrays(panel, outcome=outcome)
            tw = twfe(arrays.y, arrays.cohort) if result.clusters.treated else None
            bacon = bacon_decomposition(arrays.y, arrays.cohort) if result.clusters.treated else None
            command = (
                f"trappen evaluate --outcome {outcome} --freq {freq} --start {d_start} --end {d_end} "
                f"--draws {draws} --ri-draws {ri_draws} --seed {seed}"
            )
            paths = write_evaluation(result, out, twfe_result=tw, bacon=bacon, command=command)
            # episodes starting in the window: entry rates per year and durations on each step
            exits = competing_exits(reg, as_of=d_end).filter(pl.col("start_date") >= d_start)
            if exits.filter(pl.col("placement")).height:
                cif, expected = durations_tables(exits, span_years=(d_end - d_start).days / 365.25)
                cif.write_csv(out / "placement_exits_cif.csv")
                expected.write_csv(out / "expected_years_per_step.csv")
                paths += [out / "placement_exits_cif.csv", out / "expected_years_per_step.csv"]
            o = result.overall.row(0, named=True)
            estimate = (
                "ATT n/a (not estimable in this window)" if o["att"] != o["att"]
                else f"ATT {o['att']:.3g} (95% CI {o['ci_low']:.3g} to {o['ci_high']:.3g})"
            )
            typer.echo(f"{outcome}: {estimate}; clusters: {c.treated} treated, {c.control} control")
            for caveat in result.caveats("en")[1:]:
                typer.echo(f"Caveat: {caveat}")
            typer.echo(f"Wrote {len(paths)} files to {out}")

    @app.command("evaluate-municipality")
    def evaluate_municipality_command(
        statbank: Path = typer.Option(..., "--statbank", help="Danmarks Statistik StatBank CSV (municipality x year)."),
        treated: str = typer.Option(..., "--treated", help="Municipality that changed, as named in the file."),
        first_year: int = typer.Option(..., "--from", help="First year with the change."),
        out: Path = typer.Option(
            ...,
            "--out",
            help="Directory for weights.csv, series.csv, placebos.csv, placebo_gaps.csv, synthetic_control.png, "
            "summary.md.",
        ),
    ) -> None:
        """Synthetic control against other municipalities, with placebo tests over the donors."""
        from trappen.cli._common import user_errors

        with user_errors():
            from trappen.evaluation import synthetic_control
            from trappen.exchange.statbank import read_statbank_csv

            res = synthetic_control(read_statbank_csv(statbank), treated=treated, first_treated_year=first_year)
            out.mkdir(parents=True, exist_ok=True)
            res.weights.write_csv(out / "weights.csv")
            res.series.write_csv(out / "series.csv")
            res.placebos.write_csv(out / "placebos.csv")
            from trappen.evaluation._report import placebo_gaps, synthetic_control_plot

            gaps = placebo_gaps(read_statbank_csv(statbank), res)
            gaps.write_csv(out / "placebo_gaps.csv")
            synthetic_control_plot(res, gaps, out / "synthetic_control.png")
            top = ", ".join(f"{d} {w:.2f}" for d, w in res.weights.head(5).iter_rows())
            (out / "summary.md").write_text(
                f"# Synthetic control: {treated} from {first_year}\n\n"
                f"- Average gap after the change: {res.average_post_gap:.3g}\n"
                f"- Pre-period RMSPE {res.pre_rmspe:.3g}, post-period RMSPE {res.post_rmspe:.3g}\n"
                f"- Placebo rank p-value over {res.placebos.height - 1} donor municipalities: {res.p_value:.3g}\n"
                f"- Largest weights: {top}\n\n![synthetic control with placebo gaps](synthetic_control.png)\n",
                encoding="utf-8",
            )
            typer.echo(
                f"{treated}: average gap {res.average_post_gap:.3g} after {first_year}; "
                f"placebo p = {res.p_value:.3g} over {res.placebos.height - 1} donors; wrote 6 files to {out}"
            )
