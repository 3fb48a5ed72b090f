"""Writing an evaluation: effect tables (CSV), the event-study plot (PNG) and a markdown summary."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from trappen.evaluation._did import DidResult
from trappen.evaluation._synth import SyntheticControlResult, synthetic_control
from trappen.evaluation._twfe import TwfeResult


def event_study_plot(result: DidResult, path: Path | str, *, title: str | None = None) -> Path:
    """Save the event-study plot: ATT by event time, pointwise intervals and sup-t band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    es = result.event_study.sort("event_time")
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    x = es["event_time"].to_numpy()
    ax.fill_between(x, es["band_low"].to_numpy(), es["band_high"].to_numpy(), color="tab:blue", alpha=0.15,
                    label="simultaneous 95% band (sup-t)")
    ax.errorbar(x, es["att"].to_numpy(), yerr=[es["att"].to_numpy() - es["ci_low"].to_numpy(),
                                               es["ci_high"].to_numpy() - es["att"].to_numpy()],
                fmt="o", color="tab:blue", ms=4, capsize=2, label="ATT, pointwise 95% interval")
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("periods since adoption (base period -1)")
    ax.set_ylabel(result.outcome)
    c = result.clusters
    ax.set_title(title or f"{result.outcome}: {c.treated} treated, {c.control} control districts")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path


def _fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.3g}"  # NaN check without numpy


def summary_markdown(result: DidResult, *, twfe_result: TwfeResult | None = None,
                     bacon: pl.DataFrame | None = None, command: str | None = None) -> str:
    """A short markdown summary: overall effect, cluster counts, inference flags and caveats."""
    o = result.overall.row(0, named=True)
    c, f = result.clusters, result.flags
    lines = [f"# Evaluation of `{result.outcome}`", ""]
    if command:
        lines += [f"Command: `{command}`", ""]
    lines += [
        f"- Clusters (districts): **{c.treated} treated**, {c.never_treated} never treated, "
        f"{c.not_yet_treated} not-yet-treated used as controls, {c.always_treated} treated before the window "
        f"(not used); {c.cohorts} adoption cohort(s).",
        f"- Overall ATT (Callaway–Sant'Anna, {result.control.replace('_', '-')} controls): **{_fmt(o['att'])}** "
        f"(SE {_fmt(o['se'])}, 95% CI {_fmt(o['ci_low'])} to {_fmt(o['ci_high'])}).",
        f"- p-values: wild bootstrap ({result.weights}, {result.draws} draws) "
        # no estimate, no p-value: a bootstrap over NaN statistics would read as "< 1/draws"
        f"{'n/a' if o['att'] != o['att'] else _fmt(o['p_wild']) if o['p_wild'] > 0 else f'< {1 / result.draws:.2g}'}; "
        f"randomisation inference {_fmt(o['p_ri'])}; analytic {_fmt(o['p_analytic'])}"
        + (" **(flagged: too few treated clusters)**" if o["analytic_flagged"] else "") + ".",
    ]
    if result.pretrend is not None:
        p = result.pretrend
        lines.append(f"- Pre-trend check: sum of squared t-statistics {_fmt(p.statistic)} over {p.df} pre-periods, "
                     f"bootstrap p = {_fmt(p.p_value)}; "
                     f"any pre-period outside the simultaneous band: {'yes' if p.sup_t_reject else 'no'}.")
    if twfe_result is not None:
        lines.append(f"- Two-way fixed effects (diagnostic only): {_fmt(twfe_result.coefficient)} "
                     f"(cluster-robust SE {_fmt(twfe_result.se)}).")
    if bacon is not None and bacon.height:
        forbidden = bacon.filter(pl.col("kind") == "later_vs_earlier")["weight"].sum()
        lines.append(f"- Goodman-Bacon: {forbidden:.0%} of the TWFE weight is on comparisons that use "
                     "already-treated districts as controls.")
    flags = [name for name, on in (("single_treated (placebo-only inference)", f.single_treated),
                                   ("few_treated", f.few_treated), ("no_never_treated", f.no_never_treated),
                                   ("no_controls", f.no_controls)) if on]
    lines += [f"- Flags: {', '.join(flags) if flags else 'none'}.", "", "## Caveats", ""]
    lines += [f"- {t}" for t in result.caveats("en")]
    lines += ["", "## Forbehold", ""]
    lines += [f"- {t}" for t in result.caveats("da")]
    lines += ["", "![event study](event_study.png)", ""]
    return "\n".join(lines)


def write_evaluation(result: DidResult, out: Path | str, *, twfe_result: TwfeResult | None = None,
                     bacon: pl.DataFrame | None = None, command: str | None = None) -> list[Path]:
    """Write att_gt.csv, event_study.csv, cohorts.csv, overall.csv, (bacon.csv), event_study.png
    and summary.md into ``out``; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in (("att_gt", result.att_gt), ("event_study", result.event_study),
                        ("cohorts", result.cohorts), ("overall", result.overall.with_columns(
                            treated_clusters=pl.lit(result.clusters.treated),
                            control_clusters=pl.lit(result.clusters.control)))):
        path = out / f"{name}.csv"
        frame.write_csv(path)
        paths.append(path)
    if bacon is not None:
        bacon.write_csv(out / "bacon.csv")
        paths.append(out / "bacon.csv")
    if result.event_study.height:
        paths.append(event_study_plot(result, out / "event_study.png"))
    md = out / "summary.md"
    md.write_text(summary_markdown(result, twfe_result=twfe_result, bacon=bacon, command=command), encoding="utf-8")
    paths.append(md)
    return paths


def durations_tables(exits: pl.DataFrame, *, horizon_years: float = 5.0, span_years: float,
                     grid_years: tuple[float, ...] = (0.5, 1.0, 2.0, 3.0, 5.0)) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cumulative incidence of each exit from placements at a few horizons (Aalen–Johansen, with
    the naive 1-KM breakdown risk next to it), and expected child-years on each step.

    Returns:
        ``(cif, expected_years)``: cif has ``years``, ``at_risk``, ``cif_<cause>`` per exit and
        ``naive_km_breakdown``; expected_years is :func:`expected_years_on_steps`.
    """
    import numpy as np

    from trappen.evaluation._durations import (
        DAYS_PER_YEAR,
        EXIT_CAUSES,
        aalen_johansen,
        expected_years_on_steps,
        naive_km_risk,
    )

    placed = exits.filter(pl.col("placement"))
    years = placed["duration_days"].to_numpy() / DAYS_PER_YEAR
    codes = placed["cause_code"].to_numpy()
    aj = aalen_johansen(years, codes, n_causes=len(EXIT_CAUSES))
    km = naive_km_risk(years, codes, cause=1)
    grid = np.asarray(grid_years)
    idx = np.searchsorted(aj["time"].to_numpy(), grid, side="right") - 1
    ok = idx >= 0
    pick = np.where(ok, idx, 0)
    cif = pl.DataFrame({
        "years": grid,
        "at_risk": np.where(ok, aj["at_risk"].to_numpy()[pick], len(years)),
        **{f"cif_{c}": np.where(ok, aj[f"cif_{k + 1}"].to_numpy()[pick], 0.0) for k, c in enumerate(EXIT_CAUSES)},
        "naive_km_breakdown": np.where(ok, km["risk"].to_numpy()[pick], 0.0),
    }) if aj.height else pl.DataFrame()
    return cif, expected_years_on_steps(exits, horizon_years=horizon_years, span_years=span_years)


def placebo_gaps(frame: pl.DataFrame, result: SyntheticControlResult) -> pl.DataFrame:
    """Year-by-year gaps of the treated municipality and of every donor given the same treatment
    (each donor against a synthetic control from the other donors, as in the placebo test).

    Returns:
        ``unit``, ``year``, ``gap``, ``treated`` (bool); one row per unit and year.
    """
    donors = result.weights["donor"].to_list()
    parts = [result.series.select(pl.lit(result.treated).alias("unit"), "year", "gap",
                                  pl.lit(True).alias("treated"))]
    for unit in donors:  # one small optimisation per donor (as the placebo test itself)
        fit = synthetic_control(frame, treated=unit, first_treated_year=result.first_treated_year,
                                donors=[d for d in donors if d != unit], placebos=False)
        parts.append(fit.series.select(pl.lit(unit).alias("unit"), "year", "gap",
                                       pl.lit(False).alias("treated")))
    return pl.concat(parts)


def synthetic_control_plot(result: SyntheticControlResult, gaps: pl.DataFrame, path: Path | str) -> Path:
    """Save the synthetic-control plot: the treated municipality against its synthetic control,
    and its gap among the donors' placebo gaps (grey)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), dpi=120, sharex=True)
    s = result.series.sort("year")
    top.plot(s["year"], s["treated"], color="black", lw=2, label=result.treated)
    top.plot(s["year"], s["synthetic"], color="tab:blue", ls="--", label="synthetic control")
    top.axvline(result.first_treated_year - 0.5, color="grey", lw=0.8, ls=":")
    top.legend(fontsize=8, loc="best")
    top.set_ylabel("value")
    for _unit, part in gaps.filter(~pl.col("treated")).sort("year").group_by("unit", maintain_order=True):
        bottom.plot(part["year"], part["gap"], color="grey", lw=0.6, alpha=0.6)
    bottom.plot(s["year"], s["gap"], color="black", lw=2, label=f"{result.treated} (placebo p = {result.p_value:.3g})")
    bottom.axhline(0, color="black", lw=0.6)
    bottom.axvline(result.first_treated_year - 0.5, color="grey", lw=0.8, ls=":")
    bottom.set_ylabel("gap (treated - synthetic)")
    bottom.set_xlabel("year")
    bottom.legend(fontsize=8, loc="best", title="grey: donor placebos", title_fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
