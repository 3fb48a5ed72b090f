"""The forecast page: parse the levers, call the selectors, render (aggregate only).

Access follows the permission table (:mod:`trappen.privacy.roles`): ``forecast``/``view``
(team leaders and analysts). Nothing is stored: the levers live in the query string.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from trappen.errors import InvalidInput
from trappen.privacy.roles import permission
from trappen.staircase import default_staircase
from trappen.web.forecasts import selectors as sel
from trappen.web.forecasts.forms import LeversForm


def forecast_access(user: object) -> None:
    """:class:`PermissionDenied` (403) without ``forecast``/``view``."""
    if permission(getattr(user, "role", None) or "", "forecast", "view") is None:
        raise PermissionDenied("no access to forecasts")


def step_names(language: str) -> dict[int, str]:
    names = {}
    for step in default_staircase().steps:
        names[step.number] = f"{step.number}. {step.name_en if language == 'en' else step.name_da}"
    return names


def _dkk(value: float) -> str:
    return f"{value / 1e6:,.1f}"


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    """Levers form; with valid levers the bands per step, cost per year and the difference."""
    forecast_access(request.user)
    form = LeversForm(request.GET or {"months": 60})
    context: dict[str, object] = {"form": form, "seed": sel.SEED}
    if form.is_valid():
        try:
            model = sel.forecast_model()
        except InvalidInput as exc:
            context["unavailable"] = str(exc)
            return render(request, "forecasts/forecast.html", context)
        try:
            result = sel.forecast_run(model, levers=form.levers())
        except InvalidInput as exc:
            for p in exc.problems:
                form.add_error(p.field if p.field in form.fields else None, p.message)
            return render(request, "forecasts/forecast.html", context)
        names = step_names((get_language() or "da")[:2])
        years = sel.cost_per_year(result)
        last = result.levers.months
        chart = sel.chart_data(result, step_names=names)
        context.update(
            result=result, cutoff=model.cutoff, chart=chart, replicates=result.simulated.replicates,
            years=[{"year": r["year"], "baseline": _dkk(r["baseline_cost_dkk"]),
                    "scenario": _dkk(r["scenario_cost_dkk"]), "diff": _dkk(r["diff_cost_dkk"])}
                   for r in years.iter_rows(named=True)],
            steps=[{"name": s["name"], "baseline": f"{s['baseline'][last]:,.0f}",
                    "expected": f"{s['expected'][last]:,.0f}", "p10": f"{s['p10'][last]:,.0f}",
                    "p90": f"{s['p90'][last]:,.0f}",
                    "diff": f"{s['expected'][last] - s['baseline'][last]:+,.0f}"}
                   for s in chart["steps"]],  # type: ignore[attr-defined]
            end=result.simulated.month_dates[-1])
    return render(request, "forecasts/forecast.html", context)

