"""The council report page: a user with ``kpi``/``export`` (team leaders, analysts, economists)
picks the year, the report's language and the format, and gets the report (HTML to view, PDF or
Excel to download). Every report made is written to the access log. The report is always
disclosure-controlled (cells with 1-4 children hidden): it is made for the council."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from trappen.errors import InvalidInput
from trappen.privacy.roles import allowed
from trappen.reports import Report, render_excel, render_html, render_pdf
from trappen.web.audit.services import audit_record
from trappen.web.dashboards.selectors import analytic_register
from trappen.web.reports import selectors as sel

FORMATS = (("html", _("HTML (view in the browser)")), ("pdf", _("PDF")), ("xlsx", _("Excel")))
LANGUAGES = (("da", _("Danish")), ("en", _("English")))
CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200)
    language = forms.ChoiceField(label=_("Language of the report"), choices=LANGUAGES)
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)

    def __init__(self, data: Mapping[str, Any] | None, *, years: list[int], initial: dict[str, object]) -> None:
        super().__init__(data, initial=initial)
        self.years = years

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year not in self.years:
            span = f"{self.years[0]}–{self.years[-1]}" if self.years else "–"
            raise forms.ValidationError(
                _("There are no register data for %(year)s: a report can be made for %(span)s.")
                % {"year": year, "span": span})
        return year


def _file(report: Report, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"report.{fmt}"
        if fmt == "pdf":
            render_pdf(report, path)
        else:
            render_excel(report, path)
        return path.read_bytes()


@login_required
def council_report_page(request: HttpRequest) -> HttpResponse:
    """The form; with a valid year, language and format, the report itself."""
    if not allowed(getattr(request.user, "role", "") or "", "kpi", "export"):
        raise PermissionDenied("the council report needs kpi/export")
    today = timezone.localdate()
    register, _version = analytic_register()
    years = sel.report_years(register, today=today)
    initial = {"year": years[-2] if len(years) > 1 else (years[-1] if years else today.year),
               "language": (get_language() or "da")[:2], "format": "html"}
    form = ReportForm(request.GET if "year" in request.GET else None, years=years, initial=initial)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            report = sel.council_report(year=d["year"], language=d["language"], today=today, register=register)
        except InvalidInput as exc:
            for p in exc.problems:
                form.add_error(p.field if p.field in form.fields else None,
                               _g("The report could not be made: %(message)s (%(value)s).")
                               % {"message": p.message, "value": p.value})
        else:
            fmt = d["format"]
            audit_record(actor=request.user, child_id=None, action="read", endpoint="council_report",
                         purpose=f"{d['year']} {d['language']} {fmt}")
            if fmt == "html":
                response = HttpResponse(render_html(report), content_type="text/html; charset=utf-8")
                # the report is a standalone document (its own <style>, matplotlib SVG with style
                # attributes): inline styles allowed for this response only; scripts stay 'self'
                response._csp_update = {"style-src": ["'unsafe-inline'"]}  # type: ignore[attr-defined]
                return response
            response = HttpResponse(_file(report, fmt), content_type=CONTENT_TYPES[fmt])
            response["Content-Disposition"] = (
                f'attachment; filename="trappen-council-report-{d["year"]}-{d["language"]}.{fmt}"')
            return response
    return render(request, "reports/council_report.html", {"form": form, "years": years},
                  status=422 if form.errors else 200)
