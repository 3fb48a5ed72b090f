"""The evaluation page: choose an outcome, call one selector, render.

Access follows the permission table (:mod:`trappen.privacy.roles`): ``evaluation``/``view``
(team leaders and analysts). Team leaders, the municipality's case-working staff, see
unsuppressed counts; analysts see every count of children 1-4 hidden (disclosure control).
"""

from __future__ import annotations

import polars as pl
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from trappen.privacy.roles import permission
from trappen.web.disclosure import SUPPRESSION_MARK, sees_small_counts
from trappen.web.evaluation import selectors as sel
from trappen.web.evaluation.labels import comparison_label, outcome_label


def evaluation_publish(user: object) -> bool:
    """Whether ``user``'s view is suppressed; :class:`PermissionDenied` (403) without
    ``evaluation``/``view``."""
    role = getattr(user, "role", None) or ""
    if permission(role, "evaluation", "view") is None:
        raise PermissionDenied("no access to the evaluation")
    return not sees_small_counts(user)


def _cell(value: object) -> str:
    if value is None:
        return SUPPRESSION_MARK
    if isinstance(value, float):
        return "–" if value != value else f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _rows(frame: pl.DataFrame | None, keys: list[str]) -> list[list[str]]:
    if frame is None or frame.height == 0:
        return []
    return [[_cell(v) for v in row] for row in frame.select(keys).iter_rows()]


@login_required
def evaluation(request: HttpRequest) -> HttpResponse:
    """The evaluation of one outcome (``?outcome=``; default placements per 1,000)."""
    publish = evaluation_publish(request.user)
    outcome = request.GET.get("outcome", sel.OUTCOMES[0])
    if outcome not in sel.OUTCOMES:
        outcome = sel.OUTCOMES[0]
    language = (get_language() or "da")[:2]
    ev = sel.evaluation_for(outcome, publish=publish, language=language)
    result = ev.result
    overall = result.overall.row(0, named=True) if result is not None else None
    event_rows = _rows(result.event_study.sort("event_time") if result is not None else None,
                       ["event_time", "att", "ci_low", "ci_high", "band_low", "band_high", "p_wild"])
    bacon_rows = []
    if ev.bacon is not None and ev.bacon.height:
        by_kind = ev.bacon.group_by("kind").agg(
            pl.col("weight").sum(), (pl.col("estimate") * pl.col("weight")).sum().alias("_w"))
        bacon_rows = [[comparison_label(kind), *cells] for kind, *cells in _rows(
            by_kind.with_columns((pl.col("_w") / pl.col("weight")).alias("estimate")).sort("kind"),
            ["kind", "weight", "estimate"])]
    return render(request, "evaluation/evaluation.html", {
        "ev": ev, "result": result, "overall": overall, "outcomes": [(o, outcome_label(o)) for o in sel.OUTCOMES],
        "outcome": outcome, "event_rows": event_rows, "bacon_rows": bacon_rows,
        "caveats": result.caveats("da" if language == "da" else "en") if result is not None else [],
        "cif_rows": _rows(ev.cif, ["years", "at_risk", "breakdown_pct", "naive_km_pct",
                                   "planned_end_pct"]),
        "expected_rows": _rows(ev.expected, ["step", "step_name", "episodes", "entries_per_year",
                                             "rmst_years", "child_years"]),
        "overall_cells": {k: _cell(v) for k, v in overall.items()} if overall else {},
        "synthetic": sel.synthetic_configured(),
        "mark": SUPPRESSION_MARK, "draws": sel.DRAWS, "ri_draws": sel.RI_DRAWS,
        "seed": sel.SEED})
