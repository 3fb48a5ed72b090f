"""The forecast page: parse the levers, call the selectors, render (aggregate only).

Access follows the permission table (:mod:`trappen.privacy.roles`): ``forecast``/``view``
(team leaders and analysts). Nothing is stored: the levers live in the query string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import polars as pl
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from trappen.errors import InvalidInput
from trappen.forecast._estimate import DEFAULT_WINDOW_MONTHS
from trappen.labels import intervention_name, numbered_step_name
from trappen.privacy.roles import allowed
from trappen.staircase import default_staircase
from trappen.web import rules
from trappen.web.forecasts import selectors as sel
from trappen.web.forecasts.forms import LeversForm


def forecast_access(user: object, action: str = "view") -> None:
    """:class:`PermissionDenied` (403) without ``forecast``/``action``."""
    if not allowed(getattr(user, "role", None) or "", "forecast", action):
        raise PermissionDenied("no access to forecasts")


def _add_problems(form: LeversForm, exc: InvalidInput) -> None:
    """The core's problems on the levers they name (else on the form)."""
    for p in exc.problems:
        form.add_error(p.field if p.field in form.fields else None, p.message)


def _levers_forecast(request: HttpRequest) -> tuple[LeversForm, object, sel.ForecastResult | None]:
    """The levers in the query string, and the model and forecast for them; the result is None
    when a lever is bad or the model cannot be fitted (the form then carries the errors)."""
    form = LeversForm(request.GET or {"months": 60})
    if not form.is_valid():
        return form, None, None
    try:
        model = sel.forecast_model(form.levers())
        return form, model, sel.forecast_run(model, levers=form.levers())
    except InvalidInput as exc:
        _add_problems(form, exc)
        return form, None, None


def _refused(request: HttpRequest, form: LeversForm) -> HttpResponse:
    """The page with the form's errors and no forecast (400): nothing half-made is returned."""
    return render(request, "forecasts/forecast.html", {"form": form, "seed": sel.SEED}, status=400)


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
            model = sel.forecast_model(form.levers())
        except InvalidInput as exc:
            context["unavailable"] = str(exc)
            return render(request, "forecasts/forecast.html", context)
        try:
            result = sel.forecast_run(model, levers=form.levers())
        except InvalidInput as exc:
            _add_problems(form, exc)
            return render(request, "forecasts/forecast.html", context)
        role = getattr(request.user, "role", None) or ""
        names = step_names((get_language() or "da")[:2])
        years = sel.cost_per_year(result)
        last = result.levers.months
        language = (get_language() or "da")[:2]
        by_type = sel.cost_by_intervention(result, cutoff=model.cutoff).filter(pl.col("year") == 1)
        catalogue = rules.catalogue()
        chart = sel.chart_data(result, step_names=names)
        context.update(
            can_export=allowed(role, "forecast", "export"), can_make_case=allowed(role, "investment", "create"),
            query=request.GET.urlencode(),
            result=result, cutoff=model.cutoff, chart=chart, replicates=result.simulated.replicates,
            years=[{"year": r["year"], "baseline": _dkk(r["baseline_cost_dkk"]),
                    "scenario": _dkk(r["scenario_cost_dkk"]), "diff": _dkk(r["diff_cost_dkk"])}
                   for r in years.iter_rows(named=True)],
            steps=[{"name": s["name"], "baseline": f"{s['baseline'][last]:,.0f}",
                    "expected": f"{s['expected'][last]:,.0f}", "p10": f"{s['p10'][last]:,.0f}",
                    "p90": f"{s['p90'][last]:,.0f}",
                    "diff": f"{s['expected'][last] - s['baseline'][last]:+,.0f}"}
                   for s in chart["steps"]],  # type: ignore[attr-defined]
            end=result.simulated.month_dates[-1],
            types=[{"step": numbered_step_name(r["step"], language=language, staircase=rules.staircase()),
                     "name": intervention_name(r["type_code"], language=language, catalogue=catalogue),
                     "cost": _dkk(r["cost_dkk"])}
                   for r in by_type.filter(pl.col("cost_dkk") > 0).iter_rows(named=True)],
            types_total=_dkk(float(by_type["cost_dkk"].sum())))
    return render(request, "forecasts/forecast.html", context)



@login_required
def forecast_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The forecast for the levers in the query string as CSV or Excel (``forecast``/``export``).

    Bad levers give the page with its errors (no file), so nothing half-made is downloaded.
    """
    forecast_access(request.user, "export")
    if fmt not in ("csv", "xlsx"):
        raise Http404("no such format")
    form, model, result = _levers_forecast(request)
    if result is None:
        return _refused(request, form)
    frame = sel.download_frame(result, language=(get_language() or "da")[:2])
    stem = f"trappen-forecast-{result.simulated.month_dates[0]:%Y%m%d}-{result.levers.months}m"
    if fmt == "csv":
        # header: the labels in the user's language; ``header=keys``: the column keys, for scripts
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow(
            frame.columns if request.GET.get("header") == "keys" else _headings(frame))
        text.write(frame.write_csv(include_header=False))
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(_workbook(frame, result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DOWNLOAD_COLUMNS = {
    "month": _("Month number"), "month_end": _("Month end"), "state": _("State code"),
    "state_name": _("State"), "p10": _("P10 (simulated)"), "p50": _("Median (simulated)"),
    "p90": _("P90 (simulated)"), "expected": _("Expected with the levers"),
    "baseline": _("Expected without the levers"), "difference": _("Difference"),
    "expected_cost_dkk": _("Expected cost with the levers (DKK)"),
    "baseline_cost_dkk": _("Expected cost without the levers (DKK)"),
    "difference_cost_dkk": _("Difference in cost (DKK)"),
}
"""The download's column headings; a state is given by code and by name (labels, never codes)."""


def _headings(frame: pl.DataFrame) -> list[str]:
    return [str(DOWNLOAD_COLUMNS.get(c, c)) for c in frame.columns]


def _workbook(frame: pl.DataFrame, result: sel.ForecastResult) -> bytes:
    """Sheet "forecast" with the table, sheet "about" with the levers, seed and replicates."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "forecast"
    sheet.append(_headings(frame))
    for row in frame.iter_rows():
        sheet.append(list(row))
    about = book.create_sheet("about")
    levers = result.levers
    steps = rules.staircase()
    language = (get_language() or "da")[:2]

    def named(numbers: Iterable[int]) -> str:  # step numbers with their names, never a bare number
        return "; ".join(numbered_step_name(n, language=language, staircase=steps) for n in numbers)

    # key (as in the query string), value, and what it is in the user's language
    for key, value, name in (
            ("cutoff", str(result.simulated.month_dates[0]), _("Cut-off date")),
            ("months", levers.months, _("Months ahead")),
            ("replicates", result.simulated.replicates, _("Simulated runs")),
            ("seed", result.simulated.seed, _("Random seed")),
            ("caseload_per_caseworker", levers.caseload_per_caseworker, _("Children per caseworker")),
            ("closed_steps", ", ".join(map(str, levers.closed_steps)),
             f"{_('Closed steps')}: {named(levers.closed_steps)}" if levers.closed_steps else _("Closed steps")),
            ("step_caps", ", ".join(f"{s}: {n}" for s, n in levers.step_caps),
             f"{_('Places on the capped step')}: {named(s for s, _n in levers.step_caps)}"
             if levers.step_caps else _("Places on the capped step")),
            ("entrant_rate_change_pct", levers.entrant_rate_change_pct, _("Change in children entering (%)")),
            ("population_growth_pct_per_year", levers.population_growth_pct_per_year,
             _("Population growth per year (%)")),
            ("exit_rate_change_pct", levers.exit_rate_change_pct, _("Change in children leaving the staircase (%)")),
            ("rate_adjustments", "; ".join(f"{a.from_state}->{a.to_state} x{a.multiply:g} {a.add * 100:+g} pp"
                                           for a in levers.rate_adjustments), _("Adjust the move from")),
            ("window_months", levers.window_months or DEFAULT_WINDOW_MONTHS, _("Reference period (months of history)")),
            ("sex", levers.sex or "", _("Children")),
            ("age_band", "" if levers.age_from is None and levers.age_to is None
             else f"{levers.age_from or 0}-{22 if levers.age_to is None else levers.age_to}", _("Aged from (years)")),
            ("inflation_pct_per_year", levers.inflation_pct_per_year, _("Price rise per year (%)")),
            ("note", str(_("Counts of children and costs only, never individual children. P10/P50/P90: "
                           "simulated bands; expected with and without the levers: expected number.")), _("Note"))):
        about.append([key, value, str(name)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
def forecast_to_case(request: HttpRequest) -> HttpResponse:
    """POST: an investment case from the forecast for the levers in the query string
    (``investment``/``create``), then its edit page. Bad levers: the page with the error."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    forecast_access(request.user)
    from trappen.web.investments import services as inv

    inv.require(request.user, "create")
    form, model, result = _levers_forecast(request)
    if result is None:
        return _refused(request, form)
    try:
        case = inv.case_save(user=request.user, toml_text=sel.investment_case_toml(model, result))
    except InvalidInput as exc:
        _add_problems(form, exc)
        return _refused(request, form)
    return redirect("investment_edit", case_id=case.pk)
