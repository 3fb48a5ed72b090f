"""The generator's trend against the published figures: a Markdown table and a plot.

Usage::

    .venv/bin/python scripts/calibration_trend.py --children 200000 --years 15 --seed 1 \\
        --plot docs/img/calibration-trend.png

Prints, for every figure of ``shared/reference/calibration.csv`` and ``calibration_trend.csv``
(see :data:`trappen.synthetic._trend.PUBLISHED`), the published value, the generated value
(national equivalent: the register's rate per 1,000 children 0-17 times Denmark's children of
that year) and the deviation, per year; and draws the generated series against the published
points.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from trappen.synthetic import calibration_by_year, generate, generated_series

PANELS = (
    ("Placed 0-22 on 31 Dec", "placed", "Children and young people 0-22 placed outside home (31 Dec)",
     ("placed_0_17", "placed 0-17 (generated)")),
    ("Preventive measure on 31 Dec", "preventive", "with a preventive measure", None),
    ("Notifications received", "notifications", "Notifications received", None),
    ("Placements started", "entered", "Placements started during the year", None),
    ("Children with >= 1 notification", "notified", "Children with at least one notification", None),
    ("18-22 in a continued stay", "continued", "Young people 18-22 in aftercare", None),
)


def _markdown(table: pl.DataFrame) -> str:
    lines = ["| figure | year | published | generated | deviation | source / note |", "|---|---|---|---|---|---|"]
    for r in table.iter_rows(named=True):
        gen = "" if r["generated"] is None else (
            f"{r['generated']:.3f}" if r["unit"] == "share" else f"{r['generated']:,.0f}")
        dev = "" if r["deviation"] is None else f"{100 * r['deviation']:+.1f} %"
        pub = r["published"]
        if pub.replace(".", "").isdigit():
            pub = f"{float(pub):,.0f}" if float(pub) >= 10 else pub
        note = r["source"] + (f"; {r['note']}" if r["note"] else "")
        lines.append(f"| {r['figure']} | {r['year']} | {pub} | {gen or 'not generated'} | {dev or '-'} | {note} |")
    return "\n".join(lines)


def _plot(series: pl.DataFrame, table: pl.DataFrame, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    for ax, (name, measure, figure, extra) in zip(axes.flat, PANELS, strict=True):
        s = series.filter(series["measure"] == measure)
        ax.plot(s["year"], s["value"], "-o", ms=3, label="generated")
        if extra is not None:
            e = series.filter(series["measure"] == extra[0])
            ax.plot(e["year"], e["value"], "--", color="grey", label=extra[1])
        pub = table.filter(table["figure"].str.contains(figure, literal=True))
        ax.plot([int(y) for y in pub["year"]], [float(v) for v in pub["published"]], "s", color="crimson",
                label="published (Danmarks Statistik)")
        ax.set_title(name, fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plot", type=Path, default=None, help="PNG to write")
    args = parser.parse_args()
    register = generate(children=args.children, years=args.years, seed=args.seed)
    table = calibration_by_year(register)
    print(f"generate(children={args.children}, years={args.years}, seed={args.seed}): national equivalents")
    print(_markdown(table))
    if args.plot:
        title = (f"Synthetic register (children={args.children:,}, years={args.years}, seed={args.seed}, "
                 "national equivalents) against published figures")
        _plot(generated_series(register), table, args.plot, title)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
