"""Reads for investment cases: scoped lookup and the evaluation shown by the pages, the PDF,
the workbook and the API (one computation, many views)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from trappen.economics import (
    CaseResult,
    evaluate_case,
    planned_vs_realised,
    simulate_case,
    spending,
    tornado,
)
from trappen.errors import InvalidInput
from trappen.web.investments.models import InvestmentCase
from trappen.web.investments.services import parse_case_text, require

__all__ = ["Evaluation", "SIMULATION_DRAWS", "SIMULATION_SEED", "case_for_user", "cases_for_user",
           "evaluate_text", "input_is_money", "input_label", "realised_for", "staircase_rows", "tornado_rows",
           "workbook_simulation", "workbook_tornado"]

SIMULATION_DRAWS = 2000  # enough for P(NPV > 0) to +-1 percentage point (binomial s.e. <= 0.011)
SIMULATION_SEED = 20130101  # fixed so the page, the PDF and the API show the same probabilities


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    result: CaseResult
    simulation: dict[str, object] | None
    tornado: pl.DataFrame


def cases_for_user(user: object) -> QuerySet[InvestmentCase]:
    """Every saved case (the grant is at aggregate scope: cases hold no personal data)."""
    require(user, "view")
    return InvestmentCase.objects.select_related("created_by")


def case_for_user(user: object, case_id: int) -> InvestmentCase:
    """The case, 403 without investment/view (checked first), 404 when there is none."""
    qs = cases_for_user(user)
    case = qs.filter(pk=case_id).first()
    if case is None:
        raise Http404("no such investment case")
    return case


def evaluate_text(text: str) -> Evaluation:
    """Evaluate TOML text: the result, the seeded simulation (when inputs are uncertain), the
    tornado. Raises :class:`InvalidInput` naming the key."""
    core = parse_case_text(text)
    return _evaluate(core)


def _evaluate(core: object) -> Evaluation:
    result = evaluate_case(core)  # type: ignore[arg-type]
    sim = (simulate_case(core, draws=SIMULATION_DRAWS, seed=SIMULATION_SEED).summary  # type: ignore[arg-type]
           if core.uncertain else None)  # type: ignore[attr-defined]
    return Evaluation(result=result, simulation=sim, tornado=tornado(core))  # type: ignore[arg-type]


def staircase_rows(result: CaseResult) -> list[dict[str, object]]:
    """Change in child-years per step (after minus before), per year and in total."""
    rows = []
    for step in sorted(result.child_years_by_step):
        values = [float(v) for v in result.child_years_by_step[step]]
        rows.append({"step": step, "years": values, "total": sum(values)})
    return rows


def realised_for(result: CaseResult, *, today: dt.date,
                 register: object | None = None) -> tuple[pl.DataFrame | None, str]:
    """Planned against realised for an adopted case from the analytic register (default: the
    database's, :func:`register_snapshot`) at the prices in force (the economics app's
    :func:`rate_table`); ``(None, reason)`` when it cannot be computed (no baseline year in the
    register, missing rates)."""
    from trappen.web.economics.selectors import rate_table
    from trappen.web.register.selectors import register_snapshot

    start = dt.date(result.case.start_year - 1, 1, 1)
    last = min(int(result.calendar_years[-1]), today.year)
    end = dt.date(last + 1, 1, 1)
    if end <= start:
        return None, "the case starts after this year"
    try:
        register = register if register is not None else register_snapshot()
        monthly = spending(register, rates=rate_table(), start=start, end=end, by=("month",),
                           price_year=result.case.price_year)
        realised = (monthly.group_by(pl.col("month").dt.year().cast(pl.Int64).alias("calendar_year"))
                    .agg(pl.col("amount_dkk").sum()))
        return planned_vs_realised(result, realised=realised), ""
    except InvalidInput as exc:
        return None, str(exc)


def input_label(path: str) -> str:
    """What a reader reads for an uncertain input's key path (``effect.success_rate_with``,
    ``prices.5.municipality``, ``costs.<name>.dkk_per_fte_per_year``): the case form's words; the
    path itself only for a key without them."""
    parts = path.split(".")
    if parts[0] == "prices" and len(parts) == 3:
        prices = {"municipality": _("Step %(n)s: price per child-year (DKK, municipality)"),
                  "region": _("Step %(n)s: price per child-year (DKK, region)"),
                  "state": _("Step %(n)s: price per child-year (DKK, state)")}
        return prices[parts[2]] % {"n": parts[1]} if parts[2] in prices else path
    if parts[0] == "costs" and len(parts) >= 3:
        what = {"dkk_per_fte_per_year": _("Cost per FTE per year (DKK)"), "fte": _("FTE per year"),
                "dkk": _("Cost")}.get(parts[-1])
        return f"{'.'.join(parts[1:-1])}: {what}" if what else path
    if parts[:2] == ["effect", "use_change_per_success"] and len(parts) == 3:
        return _("Step %(n)s: change in child-years per success") % {"n": parts[2]}
    effect = {"success_rate_with": _("Success rate with the investment"),
              "success_rate_without": _("Success rate without"), "participants": _("Participants per year"),
              "fading_per_year": _("Fading per year"), "scale": _("Scale of the shift")}
    if parts[0] == "effect" and len(parts) == 2 and parts[1] in effect:
        return effect[parts[1]]
    return path


def input_is_money(path: str) -> bool:
    """Whether an uncertain input is an amount in kroner (a price or a cost), shown whole."""
    parts = path.split(".")
    return parts[0] == "prices" or (parts[0] == "costs" and parts[-1] in ("dkk", "dkk_per_fte_per_year"))


def tornado_rows(frame: pl.DataFrame) -> list[dict[str, object]]:
    """The tornado's rows for a page, each input named by :func:`input_label`; ``money`` when its
    low and high are kroner (shown whole, as the page's other amounts)."""
    return [row | {"input": input_label(str(row["input"])), "money": input_is_money(str(row["input"]))}
            for row in frame.iter_rows(named=True)]


def workbook_tornado(frame: pl.DataFrame) -> pl.DataFrame:
    """The tornado for the workbook's Uncertainty sheet: each input named by :func:`input_label`,
    the columns headed as on the page."""
    heads = {"input": _("Input"), "base": _("Base value"), "low": _("Low"), "high": _("High"),
             "npv_low_dkk": _("NPV at low"), "npv_high_dkk": _("NPV at high"), "swing_dkk": _("Swing")}
    named = frame.with_columns(pl.Series("input", [input_label(str(p)) for p in frame["input"]], dtype=pl.String))
    return named.rename({k: v for k, v in heads.items() if k in named.columns})


def workbook_simulation(summary: dict[str, object] | None) -> dict[str, object] | None:
    """The simulation summary for the workbook, its uncertain inputs named by :func:`input_label`."""
    if summary is None or not isinstance(paths := summary.get("uncertain_inputs"), list):
        return summary
    return summary | {"uncertain_inputs": [input_label(str(p)) for p in paths]}
