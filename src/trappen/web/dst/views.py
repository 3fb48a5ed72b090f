"""The administrator's page for deliveries to Danmarks Statistik: the ledger, a form that
validates or builds a delivery, a delivery's report, its file and DST's receipt. Thin: the
services validate through the core and store; permissions come from the dst_delivery rows."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from trappen.errors import InvalidInput
from trappen.exchange.dst import DeliveryInvalid, Period, Report
from trappen.web.dst import selectors as sel
from trappen.web.dst import services as svc
from trappen.web.dst.models import Delivery

KIND_LABELS = {"initial": _("Initial"), "delta": _("Changes"), "correction": _("Correction")}
STATUS_LABELS = {"built": _("Awaiting receipt"), "accepted": _("Accepted"), "rejected": _("Rejected")}
TYPE_LABELS = {"new": _("New"), "changed": _("Changed"), "cancelled": _("Cancelled")}


class BuildForm(forms.Form):
    statistic = forms.ChoiceField(label=_("Statistic"), choices=[
        ("L201", _("L201 Support for children and young people at risk")),
        ("L231", _("L231 Children with disabilities"))])
    period = forms.CharField(label=_("Period"), max_length=30, initial="",
                             help_text=_("2025 (year), 2025M03 (month), 2025K2 (quarter) or 2025-01-01..2025-03-31"))
    correction = forms.BooleanField(label=_("Correction of an earlier period"), required=False)
    test = forms.BooleanField(label=_("Test delivery (T201/T231)"), required=False)

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.problems[0].message) from None


def _need(request: HttpRequest, action: str) -> None:
    if not svc.can(request.user, action):
        raise PermissionDenied(f"deliveries to Danmarks Statistik need dst_delivery/{action}")


@login_required
def dst_deliveries(request: HttpRequest) -> HttpResponse:
    _need(request, "view")
    form = BuildForm(request.POST or None)
    report: Report | None = None
    status = 200
    if request.method == "POST":
        _need(request, "create")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if "build" in request.POST:
                    stored = svc.dst_delivery_build(actor=request.user, statistic=data["statistic"],
                                                    period=data["period"], correction=data["correction"],
                                                    test=data["test"])
                    return redirect("dst_delivery_detail", delivery_id=stored.pk)
                report = svc.report_with_settings(svc.dst_delivery_prepare(
                    statistic=data["statistic"], period=data["period"], correction=data["correction"],
                    test=data["test"]).report)
            except DeliveryInvalid as exc:
                report, status = exc.report, 422
            except InvalidInput as exc:
                for p in exc.problems:
                    form.add_error(p.field if p.field in form.fields else None, p.message)
                status = 422
        else:
            status = 422
    return render(request, "dst/list.html", {
        "form": form, "report": report, "deliveries": sel.dst_deliveries()[:200], "kinds": KIND_LABELS,
        "statuses": STATUS_LABELS, "can_create": svc.can(request.user, "create")}, status=status)


def _delivery(delivery_id: int) -> Delivery:
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("no such delivery")
    return delivery


@login_required
def dst_delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _need(request, "view")
    delivery = _delivery(delivery_id)
    records = delivery.records.order_by("measure_id")[:500]
    return render(request, "dst/detail.html", {
        "d": delivery, "records": records, "types": TYPE_LABELS, "kinds": KIND_LABELS, "statuses": STATUS_LABELS,
        "can_change": svc.can(request.user, "change"), "can_export": svc.can(request.user, "export")})


@login_required
def dst_delivery_download(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _need(request, "export")
    _delivery(delivery_id)
    try:
        name, xml = svc.dst_delivery_file(actor=request.user, delivery_id=delivery_id, endpoint=request.path)
    except InvalidInput as exc:
        return HttpResponse(exc.problems[0].message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def dst_delivery_receipt(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _need(request, "change")
    try:
        svc.dst_delivery_decide(actor=request.user, delivery_id=delivery_id,
                                accepted=request.POST.get("decision") == "accepted",
                                note=request.POST.get("note", ""))
    except InvalidInput as exc:
        return HttpResponse(exc.problems[0].message, status=409, content_type="text/plain; charset=utf-8")
    return redirect("dst_delivery_detail", delivery_id=delivery_id)
