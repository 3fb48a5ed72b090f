"""CLI commands: invest (investment cases)."""

from __future__ import annotations

from pathlib import Path

import typer

from trappen.cli._common import user_errors

invest_app = typer.Typer(help="Investment cases: NPV, payback, decision rule and uncertainty.",
                         no_args_is_help=True)


@invest_app.command("run")
def run(
    case_file: Path = typer.Argument(..., help="Investment case TOML (see docs/economics.md)."),
    out: Path = typer.Option(..., "--out", help="Directory for the results (created if missing)."),
    draws: int = typer.Option(2000, "--draws", min=0, help="Monte Carlo draws (0 = none)."),
    seed: int = typer.Option(1, "--seed", help="Seed of the Monte Carlo."),
) -> None:
    """Evaluate CASE_FILE and write result.json, yearly.csv, who_pays.csv, tornado.csv,
    draws.csv and case.xlsx (with the calculation as formulas) into --out."""
    with user_errors():
        import json
        import shutil
        import tempfile

        from trappen.economics import evaluate_case, load_case, simulate_case, tornado
        from trappen.economics._excel import write_workbook
        from trappen.errors import InvalidInput, Problem

        if draws < 0:
            raise InvalidInput(Problem(field="--draws", value=draws, message="must be >= 0"))
        case = load_case(case_file)
        result = evaluate_case(case)
        sim = simulate_case(case, draws=draws, seed=seed) if draws > 0 else None
        tor = tornado(case)
        # Write into a temporary directory first so nothing partial is left on error.
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            t = Path(tmp)
            payload = {"case_file": str(case_file), "result": result.summary(),
                       "simulation": sim.summary if sim else None,
                       "tornado": tor.to_dicts()}
            (t / "result.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
            result.yearly().write_csv(t / "yearly.csv")
            result.who_pays_who_saves().write_csv(t / "who_pays.csv")
            tor.write_csv(t / "tornado.csv")
            if sim:
                sim.draws.write_csv(t / "draws.csv")
            write_workbook(result, t / "case.xlsx", simulation_summary=sim.summary if sim else None,
                           tornado=tor)
            out.mkdir(parents=True, exist_ok=True)
            for f in t.iterdir():
                shutil.move(str(f), out / f.name)
        typer.echo(f"{case.name} (DKK, {case.price_year} prices, {case.horizon_years} years)")
        typer.echo(f"  NPV: {result.npv_dkk:,.0f}")
        typer.echo(f"  benefit-cost ratio: {_fmt(result.benefit_cost_ratio)}")
        typer.echo(f"  payback year (discounted): {_year(result.payback_year, case.start_year)}")
        if result.break_even_success_rate_with is not None:
            typer.echo(f"  break-even success rate (with): {result.break_even_success_rate_with:.4f}")
        elif result.break_even_effect is not None:
            typer.echo(f"  break-even effect scale: {result.break_even_effect:.4f}")
        if case.decision_rule:
            typer.echo(f"  decision rule '{case.decision_rule.name}': "
                       f"{'met' if result.rule_met else 'NOT met'}")
        if sim:
            s = sim.summary
            typer.echo(f"  Monte Carlo: {draws} draws, seed {seed}")
            typer.echo(f"    P(NPV > 0): {s['p_npv_positive']:.3f}")
            if s["p_rule_met"] is not None:
                typer.echo(f"    P(rule met): {s['p_rule_met']:.3f}")
            typer.echo(f"    NPV 5/50/95 %: {s['npv_p5_dkk']:,.0f} / {s['npv_p50_dkk']:,.0f} / "
                       f"{s['npv_p95_dkk']:,.0f}")
        typer.echo(f"Wrote {out}")


@invest_app.command("compare-published")
def compare_published_cmd(
    case_file: Path | None = typer.Option(None, "--case",
                                          help="Investment case TOML (default: the Herning example)."),
    draws: int = typer.Option(2000, "--draws", min=1, help="Monte Carlo draws for P(rule met)."),
    seed: int = typer.Option(1, "--seed", help="Seed of the Monte Carlo."),
) -> None:
    """Print the Herning pilot's published figures next to what the case (--case) gives for them, the
    difference, and the decision rule's verdict with its uncertainty."""
    with user_errors():
        from trappen.economics import (
            PUBLISHED_TOLERANCE_DKK,
            compare_published,
            evaluate_case,
            herning_pilot_path,
            load_case,
            simulate_case,
        )
        from trappen.economics._herning import NOT_REPRODUCED, pilot_flows_by_draw

        path = case_file if case_file is not None else Path(herning_pilot_path())
        case = load_case(path)
        result = evaluate_case(case)
        table = compare_published(result, draws=pilot_flows_by_draw(case, draws=draws, seed=seed))
        typer.echo(f"{case.name} (DKK, {case.price_year} prices) against the published evaluation")
        typer.echo(f"  tolerance: {PUBLISHED_TOLERANCE_DKK:,.0f} DKK per figure; "
                   f"Monte Carlo: {draws} draws, seed {seed}")
        typer.echo(f"  {'figure':<48} {'period':<10} {'published':>11} {'case':>11} "
                   f"{'difference':>20}    {'case 5-95 %':>23}")
        for row in table.iter_rows(named=True):
            mark = "ok" if row["within_tolerance"] else "OUTSIDE"
            diff = f"{row['difference_dkk']:+,.0f} ({row['difference_pct']:+.1f} %)"
            typer.echo(f"  {row['figure']:<48} {row['period']:<10} {row['published_dkk']:>11,.0f} "
                       f"{row['case_dkk']:>11,.0f} {diff:>20} {mark:<3} "
                       f"{row['case_p5_dkk']:>11,.0f} {row['case_p95_dkk']:>11,.0f}")
        if case.decision_rule:
            parts = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in result.rule_parts.items())
            typer.echo(f"  decision rule '{case.decision_rule.name}': "
                       f"{'met' if result.rule_met else 'NOT met'} ({parts})")
            sim = simulate_case(case, draws=draws, seed=seed)
            typer.echo(f"    P(rule met): {sim.summary['p_rule_met']:.3f} (same draws)")
        typer.echo("  not reproduced:")
        for note in NOT_REPRODUCED:
            typer.echo(f"    - {note}")


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _year(t: int | None, start: int) -> str:
    return "not within the horizon" if t is None else f"year index {t} ({start + t})"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(invest_app, name="invest")
