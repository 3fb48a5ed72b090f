"""An Excel workbook of an investment case whose calculation is written as formulas.

Sheets: ``Inputs`` (every input, with sources), ``Calculation`` (one row per year; costs,
successes, child-year changes, savings by payer, net, discount factor, discounted net and
cumulative sums as Excel formulas referring to ``Inputs``), ``Summary`` (Trappen's figures
next to the workbook's own NPV, so a reviewer sees they agree), and optionally
``Uncertainty`` (Monte Carlo summary and tornado).

Text that comes from the user (names, sources, descriptions) is neutralised against formula
injection: a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets an apostrophe.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from trappen.economics._case_model import PAYERS, ShiftEffect, SomEffect
from trappen.economics._evaluate import CaseResult

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Neutralise a user-supplied string against formula injection; other values unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def write_workbook(result: CaseResult, path: Path | str, *, simulation_summary: dict | None = None,
                   tornado: pl.DataFrame | None = None,
                   input_label: Callable[[str], str] | None = None) -> Path:
    """Write the workbook for ``result`` to ``path`` and return the path.

    ``input_label`` names an uncertain input's key path (``effect.success_rate_with``) in the
    Inputs sheet; without it the path itself is shown. The tornado is written as given."""
    case = result.case
    wb = Workbook()
    inp = wb.active
    inp.title = "Inputs"
    bold = Font(bold=True)
    refs: dict[str, str] = {}  # input path -> absolute reference like Inputs!$B$5

    def put(label: str, value: object, key: str | None = None, source: str = "") -> None:
        inp.append([safe_text(label), value if not isinstance(value, str) else safe_text(value),
                    safe_text(source)])
        if key:
            refs[key] = f"Inputs!$B${inp.max_row}"

    inp.append(["Input", "Value", "Source / note"])
    for c in inp[1]:
        c.font = bold
    put("Case", case.name)
    put("Description", case.description)
    put("Price year (all amounts in DKK of this year)", case.price_year)
    put("Start year (year index 0)", case.start_year)
    put("Horizon (years)", case.horizon_years)
    put("Timing", "end-of-year flows; year 0 not discounted; factor[t] = factor[t-1] / (1 + rate[t])")
    for i, (a, b, r) in enumerate(case.discount_schedule):
        put(f"Discount rate, years {a}-{b}", r, None, case.discount_source if i == 0 else "")
    for c in case.costs:
        if c.fte_per_year:
            put(f"Cost per FTE-year: {c.name} ({c.payer})", c.dkk_per_fte_per_year,
                f"costs.{c.name}.dkk_per_fte_per_year", c.source)
        else:
            put(f"Cost: {c.name} ({c.payer}), see Calculation", "by year", None, c.source)
    for p in case.prices:
        for payer, v in p.dkk_per_child_year.items():
            put(f"Price of a child-year on step {p.step}, {payer}", v, f"prices.{p.step}.{payer}", p.source)
    e = case.effect
    if isinstance(e, SomEffect):
        put("Success rate with the intervention", e.success_rate_with, "effect.success_rate_with", e.source)
        put("Success rate without", e.success_rate_without, "effect.success_rate_without")
        put("Fading per year", e.fading_per_year, "effect.fading_per_year")
        put("Fading from year index", e.fading_from_year, "effect.fading_from_year")
        for s, v in sorted(e.use_change_per_success.items()):
            put(f"Change in child-years on step {s} per success", v, f"effect.use_change_per_success.{s}")
    elif isinstance(e, ShiftEffect):
        put("Scale of the shift (1 = as given)", e.scale, "effect.scale", e.source)
    if case.decision_rule:
        r = case.decision_rule
        put("Decision rule", r.name, None, r.source)
        put("Annual net > 0 in year index", r.earn_back_after_years if r.earn_back_after_years is not None else "-")
        put("Cumulative net > 0 after years", r.surplus_after_years if r.surplus_after_years is not None else "-")
    for dist_path, d in sorted(case.uncertain.items()):
        named = input_label(dist_path) if input_label else dist_path
        put(f"Uncertain: {named}", d.kind, None, ", ".join(f"{k}={v:g}" for k, v in d.params.items()))
    inp.column_dimensions["A"].width = 55
    inp.column_dimensions["B"].width = 18
    inp.column_dimensions["C"].width = 80

    letters = _calculation(wb, result, refs)
    summary = wb.create_sheet("Summary")
    summary.append(["Figure", "Trappen", "Workbook formula"])
    for c in summary[1]:
        c.font = bold
    calc_rows = case.horizon_years
    last = calc_rows + 1
    summary.append(["NPV (DKK)", result.npv_dkk, f"=SUM(Calculation!{letters['net_discounted']}2:"
                                                   f"{letters['net_discounted']}{last})"])
    summary.append(["Difference", None, "=C2-B2"])
    for key, value in result.summary().items():
        if isinstance(value, dict):
            for k2, v2 in value.items():
                summary.append([f"{key}.{k2}", v2 if not isinstance(v2, str) else safe_text(v2)])
        elif key not in ("npv_dkk",):
            summary.append([key, value if not isinstance(value, str) else safe_text(value)])
    for row in result.who_pays_who_saves().iter_rows():
        summary.append([f"who pays / who saves: {row[0]}", *row[1:]])
    summary.column_dimensions["A"].width = 45
    if simulation_summary is not None or tornado is not None:
        unc = wb.create_sheet("Uncertainty")
        for k, v in (simulation_summary or {}).items():
            unc.append([k, ", ".join(v) if isinstance(v, list) else v])
        if tornado is not None and tornado.height:
            unc.append([])
            unc.append(tornado.columns)
            for row in tornado.iter_rows():
                unc.append([safe_text(x) for x in row])
        unc.column_dimensions["A"].width = 45
    out = Path(path)
    wb.save(out)
    return out


def _calculation(wb: Workbook, result: CaseResult, refs: dict[str, str]) -> dict[str, str]:
    """Write the Calculation sheet; return the column letter of each calculation key."""
    case = result.case
    ws = wb.create_sheet("Calculation")
    h = case.horizon_years
    cols: list[tuple[str, str]] = []  # (key, header)
    cells: dict[str, list[object]] = {}

    def col(key: str, header: str, values: list[object]) -> None:
        cols.append((key, header))
        cells[key] = values

    letters: dict[str, str] = {}
    # Formulas use {key} (this row) and {key@prev} (the row above) placeholders for columns.
    rows = range(2, h + 2)
    col("year", "Year index t", [t for t in range(h)])
    col("calendar_year", "Calendar year", [case.start_year + t for t in range(h)])
    rates = [0.0] * h
    for a, b, r in case.discount_schedule:
        for t in range(max(a, 0), min(b, h - 1) + 1):
            rates[t] = r
    col("rate", "Discount rate of the year (year 0 is not discounted)", rates)
    col("factor", "Discount factor", ["=1"] + ["={factor@prev}/(1+{rate})"] * (h - 1))
    cost_keys: dict[str, list[str]] = {p: [] for p in PAYERS}
    for i, c in enumerate(case.costs):
        key = f"cost{i}"
        if c.fte_per_year:
            fte = list(c.fte_per_year) + [0.0] * (h - len(c.fte_per_year))
            col(key, safe_text(f"Cost: {c.name} ({c.payer}) = FTE x cost per FTE"),
                [f"={v!r}*{refs[f'costs.{c.name}.dkk_per_fte_per_year']}" for v in fte])
        else:
            dkk = list(c.dkk_per_year) + [0.0] * (h - len(c.dkk_per_year))
            col(key, safe_text(f"Cost: {c.name} ({c.payer})"), dkk)
        cost_keys[c.payer].append(key)
    e = case.effect
    delta_keys: dict[int, str] = {}
    if isinstance(e, SomEffect):
        parts = list(e.participants_per_year) + [0.0] * (h - len(e.participants_per_year))
        phase = [e.phase_in[t] if t < len(e.phase_in) else 1.0 for t in range(h)]
        col("participants", "Participants", parts)
        col("phase", "Phase-in share", phase)
        col("multiplier", "Effect multiplier = phase x (1 - fading)^max(0, t - from)",
            [f"={{phase}}*(1-{refs['effect.fading_per_year']})^MAX(0,{{year}}-{refs['effect.fading_from_year']})"] * h)
        col("successes", "Successful children = participants x (rate with - rate without) x multiplier",
            [f"={{participants}}*({refs['effect.success_rate_with']}-{refs['effect.success_rate_without']})"
             "*{multiplier}"] * h)
        for s in sorted(e.use_change_per_success):
            delta_keys[s] = f"delta{s}"
            col(
                f"delta{s}",
                f"Change in child-years, step {s} = successes x change per success",
                [f"={{successes}}*{refs[f'effect.use_change_per_success.{s}']}"] * h,
            )
    elif isinstance(e, ShiftEffect):
        for s, arr in sorted(e.child_years_by_step.items()):
            vals = list(arr) + [0.0] * (h - len(arr))
            delta_keys[s] = f"delta{s}"
            col(
                f"delta{s}",
                f"Change in child-years, step {s} = given x scale",
                [f"={v!r}*{refs['effect.scale']}" for v in vals],
            )
    prices = {p.step: p for p in case.prices}
    for payer in PAYERS:
        terms = [
            f"{{{delta_keys[s]}}}*{refs[f'prices.{s}.{payer}']}"
            for s in sorted(delta_keys)
            if payer in prices[s].dkk_per_child_year
        ]
        col(
            f"saving_{payer}",
            f"Saving, {payer} = -(change x price), summed over steps",
            [("=-(" + "+".join(terms) + ")") if terms else "=0"] * h,
        )
        ck = cost_keys[payer]
        col(f"cost_{payer}", f"Cost, {payer}", [("=" + "+".join(f"{{{k}}}" for k in ck)) if ck else "=0"] * h)
    col("net", "Net result = savings - costs", ["=" + "+".join(f"{{saving_{p}}}-{{cost_{p}}}" for p in PAYERS)] * h)
    col("net_discounted", "Discounted net = net x factor", ["={net}*{factor}"] * h)
    col("cumulative", "Cumulative net", ["={net}"] + ["={cumulative@prev}+{net}"] * (h - 1))
    col(
        "cumulative_discounted",
        "Cumulative discounted net",
        ["={net_discounted}"] + ["={cumulative_discounted@prev}+{net_discounted}"] * (h - 1),
    )
    for i, (key, _) in enumerate(cols, start=1):
        letters[key] = get_column_letter(i)
    ws.append([header for _, header in cols])
    for c in ws[1]:
        c.font = Font(bold=True)
    for t, r in enumerate(rows):
        row = []
        for key, _ in cols:
            v = cells[key][t]
            if isinstance(v, str) and v.startswith("="):
                for k, lt in letters.items():
                    v = v.replace(f"{{{k}@prev}}", f"{lt}{r - 1}").replace(f"{{{k}}}", f"{lt}{r}")
            row.append(v)
        ws.append(row)
    for i in range(1, len(cols) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.freeze_panes = "C2"
    return letters
