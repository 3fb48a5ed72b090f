"""The national analyst's pages: the country's municipalities side by side, one municipality
against its comparable municipalities and the country, and the evaluation across
municipalities. Access through the permission table's ``national`` rows; every figure comes
from the disclosure-controlled bundles (hidden cells shown as the one mark,
:data:`trappen.web.disclosure.SUPPRESSION_MARK`, and left out of every total)."""

from __future__ import annotations

import csv
import io
import math

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from trappen.errors import InvalidInput
from trappen.national import HEADLINE, national_did, national_synth
from trappen.privacy.roles import allowed, permission
from trappen.privacy.sanitize import neutralise_frame
from trappen.web.disclosure import SUPPRESSION_MARK
from trappen.web.labels import label
from trappen.web.national import selectors as sel

EVALUATION_ERRORS = {
    "adoption": _("No municipality with every year of this measure adopted the model after the first year in the "
                  "store: there is nothing to compare."),
    "kpi": _("No municipality has every year of this measure."),
    "first_treated_year": _("The synthetic control needs two years before the adoption year and one from it."),
    "donors": _("Too few municipalities without the model have every year of this measure."),
    "value": _("The municipality has a hidden or missing year of this measure."),
    "treated": _("The municipality has a hidden or missing year of this measure."),
}
"""The core's refusals (trappen.national.national_did) as the page says them, by field."""


def national_access(user: object, action: str = "view") -> None:
    """403 unless the role holds ``national``/``action``."""
    if permission(getattr(user, "role", None) or "", "national", action) is None:
        raise PermissionDenied("no access to the national view")


def fmt(value: object, unit: str) -> str:
    """A figure as the page shows it; ``None`` is a hidden (or unreported) cell."""
    if value is None or isinstance(value, float) and math.isnan(value):
        return SUPPRESSION_MARK
    if isinstance(value, str):
        return value
    if unit == "year" or isinstance(value, int) and unit == "":
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if unit == "share":
        return f"{number * 100:.1f} %"
    if unit.startswith("DKK") or unit == "persons" or unit == "cases":
        return f"{number:,.0f}"
    return f"{number:,.1f}"


def _rendered(table: sel.Table, row_units: list[str] | None = None) -> list[list[str]]:
    keys = [k for k, _label in table.columns]
    out = []
    for i, row in enumerate(table.rows):
        out.append([fmt(v, row_units[i] if row_units and table.units.get(k) == "" else table.units.get(k, ""))
                    for k, v in zip(keys, row, strict=True)])
    return out


def download(tables: list[sel.Table], fmt_: str, stem: str) -> HttpResponse:
    """The tables as CSV (one after another, each with its title) or Excel (one sheet each);
    headers are labels, hidden cells are empty with a note."""
    import polars as pl

    if fmt_ == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        for table in tables:
            if len(tables) > 1:
                writer.writerow([str(table.title)])
            writer.writerow([str(lab) for _k, lab in table.columns])
            frame = neutralise_frame(pl.DataFrame([[("" if v is None else str(v)) for v in row] for row in table.rows],
                                                  schema=[k for k, _l in table.columns], orient="row"))
            writer.writerows(frame.iter_rows())
            if len(tables) > 1:
                writer.writerow([])
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=table.key[:31])
        sheet.append([str(lab) for _k, lab in table.columns])
        for row in table.rows:
            sheet.append([v if isinstance(v, (int, float)) or v is None else str(v) for v in row])
        sheet.append([])
        sheet.append([str(_("Empty cells: hidden by the municipality (fewer than 5 children, or so that they "
                            "cannot be recovered from totals) or not reported."))])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


def _chart(table: sel.Table) -> dict[str, object]:
    """A trend table as chart data (years as labels, one line per column; shares in per cent)."""
    keys = [k for k, _label in table.columns][1:]
    scale = 100.0 if table.units.get(keys[0]) == "share" else 1.0
    return {"id": f"national-chart-{table.key}", "canvas": f"canvas-{table.key}",
            "labels": [row[0] for row in table.rows],
            "datasets": [{"label": str(label_), "data": [
                None if row[i + 1] is None else round(float(row[i + 1]) * scale, 2)  # type: ignore[arg-type]
                for row in table.rows]} for i, (_k, label_) in enumerate(table.columns[1:])]}


def _year(request: HttpRequest, data: sel.NationalData) -> int | None:
    if not data.years:
        return None
    text = request.GET.get("year", "")
    if text.isdigit() and int(text) in data.years:
        return int(text)
    return data.years[-1]


def _format(request: HttpRequest) -> str:
    fmt_ = request.GET.get("format", "")
    if fmt_ and fmt_ not in ("csv", "xlsx"):
        raise Http404("unknown format")
    if fmt_ and not allowed(getattr(request.user, "role", "") or "", "national", "export"):
        raise PermissionDenied("no right to download")
    return fmt_


@login_required
def national_view(request: HttpRequest) -> HttpResponse:
    """Every municipality in a year, the country's staircase profile, adoption years and the
    published StatBank tables; ``?format=csv|xlsx`` downloads them."""
    national_access(request.user)
    fmt_ = _format(request)
    data = sel.national_data()
    year = _year(request, data)
    tables = []
    if year is not None:
        tables = [sel.overview_table(data, year=year), sel.profile_table(data, year=year),
                  sel.adoption_table(data), sel.statbank_table(data)]
    if fmt_:
        if not tables:
            raise Http404("the national store is empty")
        return download(tables, fmt_, f"trappen-national-{year}")
    return render(request, "national/view.html", {
        "data": data, "year": year, "tables": [(t, _rendered(t)) for t in tables], "mark": SUPPRESSION_MARK,
        "can_export": allowed(getattr(request.user, "role", "") or "", "national", "export"),
        "municipalities": len(sel.municipality_codes(data)) if year else 0})


@login_required
def national_municipality(request: HttpRequest, code: str) -> HttpResponse:
    """One municipality against its comparable municipalities and the country."""
    national_access(request.user)
    fmt_ = _format(request)
    data = sel.national_data()
    if code not in sel.municipality_codes(data):
        raise Http404("no such municipality in the national store")
    year = _year(request, data)
    assert year is not None
    comparison = sel.comparison_table(data, year=year, code=code)
    tables = [comparison, sel.profile_table(data, year=year, code=code),
              *[sel.trend_table(data, code=code, kpi=k) for k in sel.TREND_KPIS]]
    if fmt_:
        return download(tables, fmt_, f"trappen-national-{code}-{year}")
    row_units = sel.row_units(data, year=year, code=code)
    rendered: list[tuple[sel.Table, list[list[str]], dict[str, object] | None]] = [
        (comparison, _rendered(comparison, row_units), None), (tables[1], _rendered(tables[1]), None)]
    rendered += [(t, _rendered(t), _chart(t)) for t in tables[2:]]
    return render(request, "national/municipality.html", {
        "data": data, "year": year, "code": code, "name": sel.name(data, code), "tables": rendered,
        "peers": [(p, sel.name(data, p)) for p in data.peers.get(code, [])], "adopted": data.adoption.get(code),
        "mark": SUPPRESSION_MARK, "indicator_source": data.indicator_source,
        "can_export": allowed(getattr(request.user, "role", "") or "", "national", "export")})


@login_required
def national_evaluation(request: HttpRequest) -> HttpResponse:
    """Staggered DiD across municipalities on the adoption years in the store (``?kpi=``)."""
    national_access(request.user)
    data = sel.national_data()
    kpi = request.GET.get("kpi", "")
    choices = [(k, label(k, "kpi")) for k in HEADLINE]
    result, error, dropped = None, "", list[str]()
    if kpi:
        if kpi not in HEADLINE:
            raise Http404("unknown measure")
        national_access(request.user, "create")
        try:
            did, dropped = national_did(data.cells, adoption=data.adoption, kpi=kpi)
            result = did
        except InvalidInput as exc:
            error = "; ".join(str(EVALUATION_ERRORS.get(str(p.field), p.message)) for p in exc.problems)
    synth, treated = None, request.GET.get("treated", "")
    if kpi and treated and not error:
        if treated not in data.adoption:
            raise Http404("no adoption year for this municipality")
        try:
            fit = national_synth(data.cells, adoption=data.adoption, kpi=kpi, treated=treated)
            synth = {"name": sel.name(data, treated), "year": fit.first_treated_year,
                     "gap": fmt(fit.average_post_gap, "x"), "pre_rmspe": fmt(fit.pre_rmspe, "x"),
                     "p": fmt(fit.p_value, "x"),
                     "rows": [[r["year"], fmt(r["treated"], "x"), fmt(r["synthetic"], "x"), fmt(r["gap"], "x")]
                              for r in fit.series.iter_rows(named=True)]}
        except InvalidInput as exc:
            error = "; ".join(str(EVALUATION_ERRORS.get(str(p.field), p.message)) for p in exc.problems)
    overall = result.overall.row(0, named=True) if result is not None and result.overall.height else None
    events = ([[r["event_time"], fmt(r["att"], "x"), fmt(r["ci_low"], "x"), fmt(r["ci_high"], "x")]
               for r in result.event_study.iter_rows(named=True)] if result is not None else [])
    return render(request, "national/evaluation.html", {
        "choices": choices, "kpi": kpi, "kpi_label": label(kpi, "kpi") if kpi else "", "overall": overall,
        "overall_text": {k: fmt(overall.get(k), "x") for k in ("att", "se", "ci_low", "ci_high", "p_wild")}
        if overall else {}, "events": events, "error": error, "dropped": [sel.name(data, c) for c in dropped],
        "adopting": len(data.adoption), "municipalities": len(sel.municipality_codes(data)),
        "units": len(result.units) if result is not None else 0, "synth": synth, "treated": treated,
        "adopters": [(c, f"{sel.name(data, c)} ({y})") for c, y in sorted(data.adoption.items())
                     if c in sel.municipality_codes(data)]})
