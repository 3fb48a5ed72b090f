"""Offer catalogue pages: browse with filters, an offer's page (places, prices, evidence, cost
per child and per successful outcome, history), edit, import and export, the availability
panel and the closing analysis with its council-paper annex.

Access through the permission table (resource ``offer``): view for caseworkers, team leaders,
analysts and economists; create/change for economists and the administrator. The pages hold
no child's record: occupancy and waiting are counts (small district cells hidden).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trappen.errors import EditConflict, InvalidInput
from trappen.offers import OfferPrice, write_offers
from trappen.privacy.roles import allowed
from trappen.web.disclosure import SUPPRESSION_MARK, unsuppressed_districts
from trappen.web.labels import label
from trappen.web.offers import models as om
from trappen.web.offers import selectors as sel
from trappen.web.offers import services as svc
from trappen.web.offers.availability import availability
from trappen.web.offers.closing import closing_analysis
from trappen.web.offers.convert import offer_from_row
from trappen.web.offers.forms import FilterForm, ImportForm, OfferEditForm

__all__ = ["offer_availability", "offer_closing", "offer_detail", "offer_edit", "offer_export", "offer_import",
           "offer_list", "offer_to_case"]


def _today() -> dt.date:
    return timezone.localdate()


def _rights(user: object) -> dict[str, bool]:
    role = getattr(user, "role", "") or ""
    return {a: allowed(role, "offer", a) for a in ("view", "create", "change", "export")}


def _row(offer_id: str) -> om.Offer:
    row = om.Offer.objects.prefetch_related("prices").filter(offer_id=offer_id).first()
    if row is None:
        raise Http404("no such offer")
    return row


@login_required
def offer_list(request: HttpRequest) -> HttpResponse:
    svc.require(request.user, "view")
    today = _today()
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    occupied = sel.occupancy_on(today)
    rows = []
    for row in sel.offer_rows():
        offer = offer_from_row(row)
        status = offer.status_on(today)
        free = offer.places - occupied.get(row.pk, 0)
        if filters.get("step") and int(filters["step"]) not in offer.steps:
            continue
        if filters.get("provider_kind") and offer.provider_kind != filters["provider_kind"]:
            continue
        if filters.get("status") and status != filters["status"]:
            continue
        if filters.get("free") and free <= 0:
            continue
        q = (filters.get("q") or "").casefold()
        if q and q not in f"{offer.name} {offer.provider_name} {offer.programme or ''}".casefold():
            continue
        rows.append({"row": row, "offer": offer, "status": status, "occupied": occupied.get(row.pk, 0),
                     "free": free})
    return render(request, "offers/list.html", {"form": form, "rows": rows, "rights": _rights(request.user),
                                                "today": today})


@login_required
def offer_detail(request: HttpRequest, offer_id: str) -> HttpResponse:
    svc.require(request.user, "view")
    row = _row(offer_id)
    today = _today()
    offer = offer_from_row(row)
    figures = sel.offer_figures(row, on=today)
    return render(request, "offers/detail.html", {
        "row": row, "offer": offer, "status": offer.status_on(today), "today": today,
        "figures": figures, "free": offer.places - figures.occupied,
        "revisions": row.revisions.select_related("changed_by")[:20],
        "rights": _rights(request.user),
        "may_case": allowed(getattr(request.user, "role", "") or "", "investment", "create")})


@login_required
@require_POST
def offer_to_case(request: HttpRequest, offer_id: str) -> HttpResponse:
    """An investment case from the offer's expected effect and price (SØM style), saved for the
    economist to adjust (``investment``/``create``)."""
    from trappen.offers._som import offer_case_toml
    from trappen.web.investments.services import case_save
    from trappen.web.investments.services import require as require_investment

    svc.require(request.user, "view")
    require_investment(request.user, "create")
    row = _row(offer_id)
    try:
        text = offer_case_toml(offer_from_row(row), sel.case_inputs(row, on=_today()))  # type: ignore[arg-type]
    except ValueError:
        messages.error(request, _("The offer claims no expected effect: there is nothing to build a case on."))
        return redirect("offer_detail", offer_id=row.offer_id)
    case = case_save(user=request.user, toml_text=text)
    return redirect("investment_detail", case_id=case.pk)


def _initial(row: om.Offer) -> dict[str, object]:
    keys = ("name", "provider_name", "places", "age_min_years", "age_max_years", "closing_on", "closed_on",
            "programme", "evidence_level", "evidence_source", "expected_effect_smd", "expected_effect_se")
    return {"version": row.version} | {k: getattr(row, k) for k in keys}


@login_required
def offer_edit(request: HttpRequest, offer_id: str) -> HttpResponse:
    svc.require(request.user, "change")
    row = _row(offer_id)
    form = OfferEditForm(request.POST or None, initial=_initial(row))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        new_from, new_price = data.pop("new_price_from"), data.pop("new_price")
        data["programme"] = data["programme"] or None
        prices = None
        if new_from is not None:
            kept = []
            for p in offer_from_row(row).prices:
                if p.valid_from >= new_from:
                    continue
                if p.valid_to is None or p.valid_to > new_from:
                    p = OfferPrice(offer_id=p.offer_id, valid_from=p.valid_from, valid_to=new_from,
                                   price_dkk_per_day=p.price_dkk_per_day, price_year=p.price_year, source=p.source)
                kept.append(p)
            kept.append(OfferPrice(offer_id=row.offer_id, valid_from=new_from, valid_to=None,
                                   price_dkk_per_day=float(new_price), price_year=new_from.year,
                                   source=_("entered by %(user)s") % {"user": request.user.get_username()}))
            prices = tuple(kept)
        try:
            svc.offer_edit(user=request.user, row=row, changes=data, version=version, prices=prices)
        except EditConflict:
            form.add_error(None, _("Someone else changed the offer while you edited it. Reload to see their changes."))
        except InvalidInput as exc:
            for problem in exc.problems:
                value = "" if problem.value is None else f" ({problem.value})"
                form.add_error(problem.field if problem.field in form.fields else None, f"{problem.message}{value}")
        else:
            messages.success(request, _("The offer was saved; the earlier version is kept in its history."))
            return redirect("offer_detail", offer_id=row.offer_id)
    return render(request, "offers/edit.html", {"row": row, "form": form})


def _save_upload(upload: object, folder: Path, name: str) -> Path:
    path = folder / name
    with path.open("wb") as out:
        for chunk in upload.chunks():  # type: ignore[attr-defined]
            out.write(chunk)
    return path


@login_required
def offer_import(request: HttpRequest) -> HttpResponse:
    svc.require(request.user, "create")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[object] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        with tempfile.TemporaryDirectory(prefix="trappen-offers-") as tmp:
            path = _save_upload(upload, Path(tmp), f"offers{suffix}")
            if suffix == ".csv":
                _save_upload(form.cleaned_data["prices"], Path(tmp), "offers.prices.csv")
            try:
                result = svc.catalogue_import_file(user=request.user, path=path)
            except InvalidInput as exc:
                problems = list(exc.problems)
            except FileNotFoundError as exc:
                form.add_error(None, re.sub(r"/.*?/", "", str(exc)))
    return render(request, "offers/import.html", {"form": form, "problems": problems, "result": result})


@login_required
def offer_export(request: HttpRequest) -> HttpResponse:
    svc.require(request.user, "view")
    with tempfile.TemporaryDirectory(prefix="trappen-offers-") as tmp:
        path = Path(tmp) / "offers.xlsx"
        write_offers(sel.catalogue(), path)
        body = path.read_bytes()
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="offers.xlsx"'
    return response


@login_required
def offer_availability(request: HttpRequest) -> HttpResponse:
    svc.require(request.user, "view")
    panel = availability(on=_today(), unsuppressed=unsuppressed_districts(request.user))
    chart = {"labels": [d.isoformat() for d in panel.days],
             "datasets": [{"label": f"{s}. {label(s, 'step')}", "data": v} for s, v in panel.step_series.items()]}
    return render(request, "offers/availability.html", {"panel": panel, "chart": chart, "mark": SUPPRESSION_MARK})


@login_required
def offer_closing(request: HttpRequest, offer_id: str) -> HttpResponse:
    svc.require(request.user, "view")
    row = _row(offer_id)
    today = _today()
    try:
        on = dt.date.fromisoformat(request.GET.get("on") or today.isoformat())
    except ValueError:
        on = today
        messages.error(request, _("%(value)s is not a date (YYYY-MM-DD); the analysis is for today.") % {
            "value": request.GET.get("on", "")[:20]})
    analysis = closing_analysis(row, on=on, forecast=request.GET.get("forecast") != "0")
    context = {"row": row, "analysis": analysis, "today": on, "yearly": analysis.yearly_costs(),
               "steps": analysis.step_difference()}
    if request.GET.get("format") == "pdf":
        from django.template.loader import render_to_string
        from weasyprint import HTML

        pdf = HTML(string=render_to_string("offers/closing_annex.html", context, request=request)).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="closing-{row.offer_id}-{on.isoformat()}.pdf"'
        return response
    if request.GET.get("format") == "xlsx":
        from trappen.web.offers.annex import closing_workbook

        response = HttpResponse(closing_workbook(analysis),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="closing-{row.offer_id}-{on.isoformat()}.xlsx"'
        return response
    return render(request, "offers/closing.html", context)


def put_on_waiting_list(request: HttpRequest, *, child: object, form: object) -> HttpResponse:
    """The new-intervention form's "no free place" button: the decided intervention (code, step,
    the offer asked for, the decision day or today) goes on the waiting list; the start date is
    not needed. Refusals go back on the form."""
    from django.core.exceptions import PermissionDenied

    from trappen.errors import StepNotAllowed

    form.fields["start_date"].required = False  # type: ignore[attr-defined]
    if not form.is_valid():  # type: ignore[attr-defined]
        return render(request, "pages/intervention_form.html", _form_context(child, form))
    data = form.cleaned_data  # type: ignore[attr-defined]
    offer = om.Offer.objects.filter(pk=data.get("offer")).first() if data.get("offer") else None
    try:
        svc.waiting_add(user=request.user, child=child, step=data["step"],  # type: ignore[arg-type]
                        intervention_code=data["intervention_code"], decided_on=data.get("decided_on") or _today(),
                        offer=offer)
    except PermissionDenied:
        raise
    except (InvalidInput, StepNotAllowed) as exc:
        for p in exc.problems:
            form.add_error(p.field if p.field in form.fields else None, p.message)  # type: ignore[attr-defined]
        return render(request, "pages/intervention_form.html", _form_context(child, form))
    messages.success(request, _("%(intervention)s waits for a free place from %(day)s.") % {
        "intervention": label(data["intervention_code"], "intervention"),
        "day": (data.get("decided_on") or _today()).isoformat()})
    return redirect("child_detail", child_id=child.pk)  # type: ignore[attr-defined]


def _form_context(child: object, form: object) -> dict[str, object]:
    from trappen.web.pages.forms import REASON_STEPS

    return {"child": child, "form": form,
            "reason_fields": [(form[f"reason_{s}"], form[f"noplace_{s}"]) for s in REASON_STEPS]}  # type: ignore[index]
