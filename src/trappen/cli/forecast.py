"""CLI commands: forecast (run scenarios, back-test)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import polars as pl

    from trappen.register import Register

forecast_app = typer.Typer(help="Forecast children per step and costs, with bands; back-test.",
                           no_args_is_help=True)


def _load_register(directory: Path | None, ssda903: list[Path] | None = None,
                   mapping: Path | None = None) -> Register:
    if ssda903:
        from trappen.exchange.ssda903 import load_place_mapping, read_ssda903, read_ssda903_folder

        if len(ssda903) == 1 and ssda903[0].is_dir():
            return read_ssda903_folder(ssda903[0], mapping=load_place_mapping(mapping))
        if len(ssda903) != 2:
            raise ValueError("--ssda903 takes a folder of returns (per-year folders), or two files: the header "
                             "file, then the episodes file")
        return read_ssda903(ssda903[0], ssda903[1], mapping=load_place_mapping(mapping))
    if directory is not None:
        from trappen.register import Register

        return Register.read(directory)
    from trappen.cli._common import setup_django

    setup_django()
    from trappen.web.register.selectors import register_snapshot

    return register_snapshot()


def _default_cutoff(register: Register) -> date:
    """The last day of the last full month the register has data for."""
    from datetime import timedelta

    dates = [register.episodes["start_date"].max(), register.children["entry_date"].max(),
             register.episodes["end_date"].max()]
    known = [d for d in dates if isinstance(d, date)]
    if not known:
        raise ValueError("the register is empty; give --cutoff")
    latest = max(known)
    if (latest + timedelta(days=1)).day == 1:
        return latest
    return date(latest.year, latest.month, 1) - timedelta(days=1)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option} must be a date like 2021-12-31, got {value!r}") from None


def _write_excel(path: Path, sheets: dict[str, pl.DataFrame]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            sheet.append(list(row))
    book.save(path)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(forecast_app, name="forecast")


@forecast_app.command("run")
def run_command(
    months: int = typer.Option(60, "--months", min=1, help="Horizon in months."),
    replicates: int = typer.Option(500, "--replicates", min=1, help="Monte Carlo replicates."),
    scenario: list[Path] = typer.Option([], "--scenario", help="Scenario TOML file (repeat for several)."),
    seed: int = typer.Option(1, "--seed", help="Random seed; the same seed gives the same result."),
    out: Path = typer.Option(Path("forecast"), "--out", help="Directory for CSV, Parquet and Excel output."),
    register_dir: Path | None = typer.Option(
        None, "--register", help="Read the register from files here instead of the database."
    ),
    ssda903: list[Path] = typer.Option(
        [], "--ssda903", help="English SSDA903 input: a folder of returns, or twice: header file then episodes file."
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help="TOML mapping of SSDA903 PLACE codes to steps."),
    cutoff: str | None = typer.Option(
        None, "--cutoff", help="Last day of data used (default: end of the register's last full month)."
    ),
    dask: str | None = typer.Option(None, "--dask", help="Run on Dask: local:N or tcp://HOST:PORT."),
    threads: int = typer.Option(2, "--threads", min=1, help="Threads for replicates in this process (same result)."),
    processes: int = typer.Option(
        1, "--processes", min=1, help="Forked worker processes for replicates (same result; POSIX)."
    ),
    window: int | None = typer.Option(
        None, "--window", min=1, help="Reference period: months of history up to the cut-off the rates are "
        "estimated on (default 72)."
    ),
    sex: str | None = typer.Option(None, "--sex", help="Forecast only children of this sex: F or M."),
    age_from: int | None = typer.Option(None, "--age-from", min=0, max=22,
                                        help="Forecast only children at least this old (years) on the cut-off."),
    age_to: int | None = typer.Option(None, "--age-to", min=0, max=22,
                                      help="Forecast only children at most this old (years) on the cut-off."),
    costs: Path | None = typer.Option(
        None, "--costs", help="TOML costs per placement type and provider (currency, inflation): writes "
        "cost_by_type.csv."
    ),
) -> None:
    """Forecast children per step per month and costs (baseline and scenarios), with P10-P90 bands."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from trappen.cli._common import user_errors

    with user_errors():
        import polars as pl

        from trappen.forecast import CostTable, Scenario, compare, cost_by_type, estimate, filter_register, simulate
        from trappen.forecast import type_mix as mix_of

        scenarios = [Scenario.from_toml(p) for p in scenario]
        cost_table = CostTable.from_toml(costs) if costs is not None else None
        reg = _load_register(register_dir, ssda903, mapping)
        cut = _parse_date(cutoff, "--cutoff") or _default_cutoff(reg)
        reg = filter_register(reg, sex=sex.upper() if sex else None, age_from=age_from, age_to=age_to, on=cut)
        typer.echo(f"Forecast from {cut} for {months} months, {replicates} replicates, seed {seed}"
                   + (f" ({reg.meta['filter']})" if "filter" in reg.meta else ""))
        model = estimate(reg, cutoff=cut) if window is None else estimate(reg, cutoff=cut, window_months=window)
        client = cluster = None
        if dask is not None:
            from trappen.forecast._dask import connect

            client, cluster = connect(dask)
            typer.echo(f"Running on Dask: {dask}")
        projections = []
        try:
            with Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
            ) as progress:
                for sc in [Scenario(), *scenarios]:
                    task = progress.add_task(sc.name, total=replicates)

                    def advance(done: int, task: TaskID = task) -> None:
                        progress.update(task, completed=done)

                    projections.append(
                        simulate(
                            model,
                            months=months,
                            replicates=replicates,
                            seed=seed,
                            scenario=sc,
                            progress=advance,
                            client=client,
                            threads=threads,
                            processes=processes,
                        )
                    )
        finally:
            if client is not None:
                client.close()  # type: ignore[attr-defined]
            if cluster is not None:
                cluster.close()  # type: ignore[attr-defined]
        table = compare(projections[0], projections[1:])
        per_year = pl.concat([p.cost_per_year() for p in projections])
        out.mkdir(parents=True, exist_ok=True)
        table.write_csv(out / "forecast.csv")
        table.write_parquet(out / "forecast.parquet")
        per_year.write_csv(out / "cost_per_year.csv")
        model.transition_frame().write_csv(out / "transitions.csv")
        _write_excel(out / "forecast.xlsx", {"children per month": table, "cost per year": per_year})
        if cost_table is not None:
            by_type = pl.concat([cost_by_type(p, mix=mix_of(reg, cutoff=cut), costs=cost_table).with_columns(
                pl.lit(p.scenario.name).alias("scenario")) for p in projections])
            by_type.write_csv(out / "cost_by_type.csv")
            typer.echo(f"Wrote cost_by_type.csv ({cost_table.currency}, inflation "
                       f"{cost_table.inflation_pct_per_year:g} % a year)")
        last = table.filter(pl.col("month") == months).filter(pl.col("state").str.starts_with("step_"))
        for sc_name in last["scenario"].unique(maintain_order=True):
            rows = last.filter(scenario=sc_name)
            summary = ", ".join(
                f"{s}: {m:.0f} [{lo:.0f}-{hi:.0f}]"
                for s, m, lo, hi in rows.select("state", "mean", "p10", "p90").iter_rows()
            )
            typer.echo(f"{sc_name}, month {months}: {summary}")
        typer.echo(
            f"Wrote forecast.csv, forecast.parquet, forecast.xlsx, cost_per_year.csv, "
            f"transitions.csv to {out} (seed {seed})"
        )


@forecast_app.command("backtest")
def backtest_command(
    cutoff: str | None = typer.Option(
        None, "--cutoff", help="Last origin: fit on data up to this day, e.g. 2021-12-31 (default: the latest "
        "whose horizon the register covers)."
    ),
    horizon: int = typer.Option(12, "--horizon", min=1, help="Months forecast and compared."),
    origins: int = typer.Option(8, "--origins", min=1, help="Rolling origins: this many cut-offs, --every apart."),
    every: int = typer.Option(3, "--every", min=1, help="Months between the rolling origins."),
    replicates: int = typer.Option(200, "--replicates", min=1, help="Monte Carlo replicates."),
    seed: int = typer.Option(1, "--seed", help="Random seed."),
    register_dir: Path | None = typer.Option(
        None, "--register", help="Read the register from files here instead of the database."
    ),
    ssda903: list[Path] = typer.Option(
        [], "--ssda903", help="English SSDA903 input: a folder of returns, or twice: header file then episodes file."
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help="TOML mapping of SSDA903 PLACE codes to steps."),
    out: Path | None = typer.Option(None, "--out", help="Also write the table to this CSV file."),
    window: int | None = typer.Option(
        None, "--window", min=1, help="Reference period: months of history the rates are estimated on (default 72)."
    ),
) -> None:
    """Fit up to each origin, forecast --horizon months and compare the model, no change and a trend with
    what happened, per step and in total, with the bands' coverage."""
    from trappen.cli._common import user_errors

    with user_errors():
        from trappen.forecast import backtest, rolling_cutoffs
        from trappen.forecast._estimate import add_months

        cut = _parse_date(cutoff, "--cutoff")
        reg = _load_register(register_dir, ssda903, mapping)
        last = _default_cutoff(reg)
        if cut is not None and add_months(cut, horizon) > last:
            raise ValueError(f"--cutoff {cut} plus --horizon {horizon} months runs past the register's last full "
                             f"month (ends {last}); nothing to compare with there: choose an earlier --cutoff")
        cuts = rolling_cutoffs(last=add_months(cut, horizon) if cut is not None else last, horizon_months=horizon,
                               origins=origins, every_months=every)
        typer.echo(f"Back-test from {', '.join(map(str, cuts))}: {horizon} months each, {replicates} replicates, "
                   f"seed {seed}")
        table = backtest(reg, cutoffs=cuts, horizon_months=horizon, replicates=replicates, seed=seed,
                         window_months=window).summary
        typer.echo(_backtest_text(table))
        if out is not None:
            table.write_csv(out)
            typer.echo(f"Wrote {out}")


def _backtest_text(table: pl.DataFrame) -> str:
    """The summary as a fixed-width table: MAPE of the model and both baselines, coverage with
    its binomial band."""

    def pct(v: float | None, digits: int = 2) -> str:
        return "-" if v is None else f"{v:.{digits}f}"

    def share(v: float | None) -> str:
        return "-" if v is None else f"{v:.0%}"

    def band(lo: float | None, hi: float | None) -> str:
        return "-" if lo is None or hi is None else f"{share(lo)}-{share(hi)}"

    lines = [f"{'series':<14} {'months':>6} {'MAPE %':>7} {'no change':>9} {'trend':>6} {'in P10-P90':>10} "
             f"{'(band)':>10} {'in P5-P95':>9} {'(band)':>10}"]
    for r in table.iter_rows(named=True):
        lines.append(
            f"{r['series']:<14} {r['compared_months']:>6} {pct(r['mape_pct']):>7} {pct(r['no_change_mape_pct']):>9} "
            f"{pct(r['trend_mape_pct']):>6} {share(r['coverage_p10_p90']):>10} "
            f"{band(r['p10_p90_low'], r['p10_p90_high']):>10} {share(r['coverage_p5_p95']):>9} "
            f"{band(r['p5_p95_low'], r['p5_p95_high']):>10}")
    lines.append("MAPE over months 1..horizon where the series had children; empty steps are left out. "
                 "Band: where 95 % of calibrated runs would fall if months were independent.")
    return "\n".join(lines)
