"""Investment case pages: list, build/edit (a form of the main inputs, or the TOML text, with
the problems named), result, compare, copy, adopt, and the Excel workbook and PDF annex downloads.

Access follows the permission table (:mod:`trappen.privacy.roles`, resource ``investment``):
view for team leaders, analysts and economists, create/change for analysts and economists.
Downloads need view (cases are aggregate figures, no personal data).
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trappen.economics import case_to_toml, herning_pilot_path
from trappen.economics._excel import write_workbook
from trappen.errors import EditConflict, InvalidInput
from trappen.privacy.roles import allowed
from trappen.privacy.sanitize import neutralise_frame
from trappen.web.investments import selectors as sel
from trappen.web.investments import services as svc
from trappen.web.investments.charts import cumulative_svg
from trappen.web.investments.demo import DEMO_CASES
from trappen.web.investments.forms import CaseForm, add_case_problems, case_initial

__all__ = ["case_adopt", "case_compare", "case_copy", "case_detail", "case_edit", "case_list",
           "case_new", "case_pdf", "case_workbook"]


def _rights(user: object) -> dict[str, bool]:
    role = getattr(user, "role", "") or ""
    return {"create": allowed(role, "investment", "create"),
            "change": allowed(role, "investment", "change")}


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = list(sel.cases_for_user(request.user))
    return render(request, "investments/list.html", {"cases": cases, "rights": _rights(request.user)})


def _editor(request: HttpRequest, *, case: object | None, initial: str) -> HttpResponse:
    """The TOML editor and the form, on one page; each posts its own ``mode``."""
    problems: list[object] = []
    conflict: list[object] = []
    text = initial
    form = CaseForm(initial=_form_initial(initial))
    version = getattr(case, "version", None)
    if request.method == "POST":
        raw_version = request.POST.get("version", "")
        posted_version = int(raw_version) if raw_version.isdigit() else None
        if request.POST.get("mode") == "form":
            form = CaseForm(request.POST)
            text_or_none = _form_text(form)
        else:
            text = text_or_none = request.POST.get("toml_text", "")
        if text_or_none is not None:
            try:
                saved = svc.case_save(user=request.user, toml_text=text_or_none, case=case,  # type: ignore[arg-type]
                                      version=posted_version)
            except EditConflict as exc:
                # Nothing was saved; the user's input stays on the page, and saving again (after
                # review) goes against the current version: overwriting is a deliberate second step.
                conflict, version = list(exc.problems), exc.current_version
            except InvalidInput as exc:
                if request.POST.get("mode") == "form":
                    add_case_problems(form, exc)
                else:
                    problems = list(exc.problems)
            else:
                return redirect("investment_detail", case_id=saved.pk)
    failed = bool(problems or form.errors or conflict)
    toml_posted = request.method == "POST" and request.POST.get("mode") != "form"
    form_open = bool(form.errors) or not (problems or (conflict and toml_posted))  # the user's input open
    return render(request, "investments/edit.html", {"case": case, "text": text, "problems": problems,
                                                     "conflict": conflict, "version": version,
                                                     "form": form, "form_open": form_open},
                  status=(409 if conflict else 422) if failed else 200)


def _form_initial(text: str) -> dict[str, object]:
    """The form's values from the case text; none when the text does not validate."""
    try:
        return case_initial(svc.parse_case_text(text))
    except InvalidInput:
        return {}


def _form_text(form: CaseForm) -> str | None:
    """The form as TOML text (the core writes it), or None with the problems on the form."""
    if not form.is_valid():
        return None
    try:
        return case_to_toml(form.case_dict())
    except InvalidInput as exc:
        add_case_problems(form, exc)
        return None


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    svc.require(request.user, "create")
    return _editor(request, case=None, initial=_starting_example())


def _starting_example() -> str:
    """The worked example a new case starts from, in the user's language: the Herning pilot
    (docs/economics.md) in English; in Danish the demo's case built on the same calibration."""
    if (get_language() or "da").startswith("en"):
        return Path(herning_pilot_path()).read_text(encoding="utf-8")
    return (DEMO_CASES / "flere_sagsbehandlere.toml").read_text(encoding="utf-8")


@login_required
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    svc.require(request.user, "change")
    case = sel.case_for_user(request.user, case_id)
    return _editor(request, case=case, initial=case.toml_text)


def _context(case: object) -> dict[str, object]:
    ev = sel.evaluate_text(case.toml_text)  # type: ignore[attr-defined]
    r = ev.result
    realised, realised_note = (sel.realised_for(r, today=timezone.localdate())
                               if case.adopted else (None, ""))  # type: ignore[attr-defined]
    return {"case": case, "ev": ev, "r": r, "summary": r.summary(), "sim": ev.simulation,
            "yearly": list(r.yearly().iter_rows(named=True)),
            "tornado": sel.tornado_rows(ev.tornado),
            "staircase": sel.staircase_rows(r), "years": [int(y) for y in r.calendar_years],
            "svg": cumulative_svg(r, title=_("Cumulative net by year")),
            "realised": list(realised.iter_rows(named=True)) if realised is not None else None,
            "realised_note": realised_note}


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = sel.case_for_user(request.user, case_id)
    return render(request, "investments/detail.html", _context(case) | {"rights": _rights(request.user)})


@login_required
def case_compare(request: HttpRequest) -> HttpResponse:
    cases = list(sel.cases_for_user(request.user))
    columns = []
    for key in ("a", "b"):
        raw = request.GET.get(key, "")
        if raw:
            if not raw.isdigit():
                raise Http404("no such investment case")
            case = sel.case_for_user(request.user, int(raw))
            ev = sel.evaluate_text(case.toml_text)
            columns.append({"case": case, "summary": ev.result.summary(), "sim": ev.simulation})
    return render(request, "investments/compare.html", {"cases": cases, "columns": columns,
                                                         "a": request.GET.get("a", ""),
                                                         "b": request.GET.get("b", "")})


@login_required
@require_POST
def case_copy(request: HttpRequest, case_id: int) -> HttpResponse:
    case = sel.case_for_user(request.user, case_id)
    new = svc.case_copy(user=request.user, case=case)
    return redirect("investment_edit", case_id=new.pk)


@login_required
@require_POST
def case_adopt(request: HttpRequest, case_id: int) -> HttpResponse:
    case = sel.case_for_user(request.user, case_id)
    svc.case_set_adopted(user=request.user, case=case, adopted=request.POST.get("adopted") == "1")
    return redirect("investment_detail", case_id=case.pk)


@login_required
def case_workbook(request: HttpRequest, case_id: int) -> HttpResponse:
    """The Excel workbook of ``trappen invest run`` (formulas, not just numbers)."""
    case = sel.case_for_user(request.user, case_id)
    ev = sel.evaluate_text(case.toml_text)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(ev.result, Path(tmp) / "case.xlsx",
                              simulation_summary=sel.workbook_simulation(ev.simulation),
                              tornado=neutralise_frame(sel.workbook_tornado(ev.tornado)),
                              input_label=sel.input_label)
        data = path.read_bytes()
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="investment-{case.pk}.xlsx"'
    return response


@login_required
def case_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """The economic annex of a grant application, as PDF (WeasyPrint)."""
    from weasyprint import HTML

    case = sel.case_for_user(request.user, case_id)
    ctx = _context(case)
    ctx["svg_data_uri"] = "data:image/svg+xml;base64," + base64.b64encode(str(ctx["svg"]).encode()).decode()
    html = render_to_string("investments/annex.html", ctx, request=request)
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="investment-{case.pk}.pdf"'
    return response
