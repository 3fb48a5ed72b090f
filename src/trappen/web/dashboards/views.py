"""Dashboard pages and their CSV/Excel downloads: parse the filters, call one selector, render.

Access follows the permission table (:mod:`trappen.privacy.roles`): ``kpi``/``view`` to see a
dashboard, ``kpi``/``export`` to download it. Case-working staff (caseworker, teamleader) see
unsuppressed counts for their own districts; everyone else allowed (analysts) sees the whole
municipality with small counts hidden.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from trappen.kpi import AGE_BANDS
from trappen.privacy.roles import allowed, permission
from trappen.privacy.sanitize import neutralise_frame
from trappen.web.dashboards import selectors as sel
from trappen.web.disclosure import SUPPRESSION_MARK, sees_small_counts

TAB_TITLES = {"steps": _("Steps over time"), "flows": _("Flows"), "pilot": _("Pilot vs. rest"),
              "caseload": _("Caseloads"), "deadlines": _("Deadlines"), "spending": _("Spending")}


@dataclass(frozen=True, kw_only=True)
class Access:
    publish: bool
    districts: tuple[str, ...] | None  # None: every district
    can_export: bool


def dashboard_access(user: object) -> Access:
    """What ``user`` may see; :class:`PermissionDenied` (403) without ``kpi``/``view``."""
    role = getattr(user, "role", None) or ""
    if permission(role, "kpi", "view") is None:
        raise PermissionDenied("no access to the dashboards")
    if sees_small_counts(user):
        codes = tuple(sorted(user.districts.values_list("code", flat=True)))  # type: ignore[attr-defined]
        return Access(publish=False, districts=codes, can_export=allowed(role, "kpi", "export"))
    return Access(publish=True, districts=None, can_export=allowed(role, "kpi", "export"))


class FilterForm(forms.Form):
    district = forms.ChoiceField(label=_("District"), required=False)
    age_band = forms.ChoiceField(label=_("Age band"), required=False,
                                 choices=[("", _("All ages"))] + [(b, b) for b, _lo, _hi in AGE_BANDS])
    sex = forms.ChoiceField(label=_("Sex"), required=False,
                            choices=[("", _("Both")), ("F", _("Girls")), ("M", _("Boys"))])
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To (inclusive)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: object, *, district_choices: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["district"].choices = [("", _("All districts"))] + district_choices

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        earliest, latest = sel.period_bounds()
        for field in ("date_from", "date_to"):
            value = data.get(field)
            if value is not None and not earliest <= value <= latest:
                self.add_error(field, _("%(value)s is outside the dates the dashboards cover "
                                        "(%(earliest)s to %(latest)s).")
                               % {"value": value, "earliest": earliest, "latest": latest})
                data.pop(field, None)
        a, b = data.get("date_from"), data.get("date_to")
        if a and b and b < a:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return data


def _filters(form: FilterForm, *, access: Access,
             default: tuple[dt.date, dt.date]) -> sel.DashboardFilters:
    # an invalid field (e.g. a district outside the user's) falls back to its default; the
    # valid ones still apply
    data: dict[str, object] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    start = data.get("date_from") or default[0]
    end = data["date_to"] + dt.timedelta(days=1) if data.get("date_to") else default[1]
    if end <= start:
        start, end = default
    chosen = data.get("district") or ""
    if chosen:
        districts: tuple[str, ...] = (chosen,)
    elif access.districts is not None:
        # case-working staff: their own districts only; none at all selects nobody
        districts = access.districts or ("",)
    else:
        districts = ()
    return sel.DashboardFilters(start=start, end=end, districts=districts,
                                age_band=data.get("age_band") or None, sex=data.get("sex") or None)


def _cell(value: object) -> str:
    if value is None:
        return SUPPRESSION_MARK
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _download(table: sel.DashboardTable, fmt: str, filters: sel.DashboardFilters, *,
              key_header: bool = False) -> HttpResponse:
    """The table as CSV or Excel. The header row holds the column labels in the user's language
    (labels, never codes, #15); ``key_header`` gives the CSV the stable column keys instead, for
    scripts (``?format=csv&header=keys``). Code columns (step, duty, district) stand beside
    their name columns."""
    frame = neutralise_frame(table.frame)
    stem = f"trappen-{table.key}-{filters.start:%Y%m%d}-{filters.at:%Y%m%d}"
    if fmt == "csv":
        keys = [k for k, _label in table.columns]
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow(keys if key_header else [str(v) for _k, v in table.columns])
        text.write(frame.select(keys).write_csv(include_header=False))
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = table.key
    sheet.append([str(label) for _key, label in table.columns])
    for row in frame.select([k for k, _label in table.columns]).iter_rows():
        sheet.append(list(row))
    if table.suppressed:
        sheet.append([])
        sheet.append([str(_("Empty cells: fewer than 5 children, or hidden so that they "
                            "cannot be recovered from totals."))])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


@login_required
def dashboard_index(request: HttpRequest) -> HttpResponse:
    dashboard_access(request.user)
    return redirect("dashboard", key=sel.DASHBOARDS[0])


@login_required
def dashboard(request: HttpRequest, key: str) -> HttpResponse:
    """One dashboard: filters, chart, table; ``?format=csv|xlsx`` downloads the table
    (``&header=keys``: CSV with the column keys as header)."""
    if key not in sel.DASHBOARDS:
        raise Http404("no such dashboard")
    access = dashboard_access(request.user)
    fmt = request.GET.get("format", "")
    if fmt and fmt not in ("csv", "xlsx"):
        raise Http404("unknown format")
    if fmt and not access.can_export:
        raise PermissionDenied("no right to download")
    register, version = sel.analytic_register()
    names = dict(register.districts.select("district_code", "name").iter_rows())
    codes = sorted(names) if access.districts is None else [
        c for c in access.districts if c in names]
    form = FilterForm(request.GET or None, district_choices=[(c, names[c]) for c in codes])
    default = sel.default_period(register, today=timezone.localdate())
    filters = _filters(form, access=access, default=default)
    language = (get_language() or "da")[:2]
    table = sel.dashboard_for(key, register=register, version=version, filters=filters,
                              publish=access.publish, language=language)
    if fmt:
        return _download(table, fmt, filters, key_header=request.GET.get("header") == "keys")
    keys = [k for k, _label in table.columns]
    rows = [[_cell(v) for v in row] for row in table.frame.select(keys).iter_rows()]
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "dashboards/dashboard.html", {
        "table": table, "rows": rows, "form": form, "filters": filters, "access": access,
        "tabs": [(k, TAB_TITLES[k]) for k in sel.DASHBOARDS], "key": key, "query": query.urlencode(),
        "chart": table.chart, "mark": SUPPRESSION_MARK})
