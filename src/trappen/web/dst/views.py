"""The administrator's page for deliveries to Danmarks Statistik: the ledger, a form that
validates or builds a delivery, a delivery's report, its file and DST's receipt. Thin: the
services validate through the core and store; permissions come from the dst_delivery rows."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from trappen.errors import InvalidInput
from trappen.exchange.dst import CONTACT_ROLES, DeliveryInvalid, Period
from trappen.web.dst import selectors as sel
from trappen.web.dst import services as svc
from trappen.web.dst.models import Delivery

STATISTIC_LABELS = {"L201": _("Support for children and young people at risk"),
                    "L231": _("Children with disabilities")}
KIND_LABELS = {"initial": _("Initial"), "delta": _("Changes"), "correction": _("Correction")}
STATUS_LABELS = {"built": _("Awaiting receipt"), "accepted": _("Accepted"), "rejected": _("Rejected")}
TYPE_LABELS = {"new": _("New"), "changed": _("Changed"), "cancelled": _("Cancelled")}
COUNT_LABELS = {"new": _("New"), "changed": _("Changed"), "cancelled": _("Cancelled"),
                "in_period": _("Measures of this statistic in the period")}
EXCLUDED_LABELS = {"L201": _("Support for children and young people at risk (L201)"),
                   "L231": _("Children with disabilities (L231)"),
                   "placement": _("Placements (the placement statistic, not delivered by Trappen yet)"),
                   "none": _("Not collected by Danmarks Statistik")}
CHECK_LABELS = {
    "sender": _("The envelope's settings are wrong"),
    "no_paragraph_code": _("No paragraph code for the measure's intervention on its start date"),
    "end_before_start": _("The measure ends before it starts"),
    "measure_id": _("The measure id is longer than 50 characters"),
    "code_unverified": _("A DST code chosen by Trappen, not taken from DST's code list: confirm it with DST"),
    "child_cpr_missing": _("The child has no CPR number in Trappen"),
    "child_cpr_invalid": _("The child's CPR number does not have the form DDMMYYSSSS"),
    "custody_cpr_missing": _("No custody holder (forældremyndighedsindehaver) is registered for the child"),
    "custody_cpr_invalid": _("The custody holder's CPR number does not have the form DDMMYYSSSS"),
    "cancellation_not_in_l201": _("Cancelled: kept in the ledger but not in the file (L201 has no known element "
                                  "for a cancellation); tell DST"),
    "cancellation_without_cpr": _("The child is no longer in Trappen: the cancellation carries CPR 0000000000"),
    "nothing_to_send": _("Nothing changed in this period since the last accepted delivery"),
}
SEVERITY_LABELS = {"error": _("Error"), "warning": _("Warning")}
SENDER_MESSAGES = {
    "the municipality code (EntityID) must be digits, e.g. 657":
        _("the municipality code (EntityID) must be digits, e.g. 657"),
    "the CVR number must be 8 digits": _("the CVR number must be 8 digits"),
    "the P-number must be 10 digits": _("the P-number must be 10 digits"),
    "not an e-mail address": _("not an e-mail address"),
    "system name max 50, version max 20 characters": _("system name max 50, version max 20 characters"),
}
"""The core's envelope problems (trappen.exchange.dst Sender.problems) as the page says them."""
SERVICE_MESSAGES: tuple[tuple[re.Pattern[str], Promise], ...] = (
    (re.compile(r"the last accepted (?P<statistic>L2\d\d) delivery runs to (?P<last>[\d-]+): a delivery for an "
                r"earlier period is a correction"),
     _("The last accepted %(statistic)s delivery runs to %(last)s: a delivery for an earlier period is a "
       "correction (tick Correction of an earlier period).")),
    (re.compile(r"a correction is for a period already delivered and accepted"),
     _("A correction is for a period already delivered and accepted.")),
    (re.compile(r"a (?P<statistic>L2\d\d) delivery is waiting for DST's receipt: record it as accepted or "
                r"rejected first"),
     _("A %(statistic)s delivery is waiting for DST's receipt: record it as accepted or rejected first.")),
    (re.compile(r"nothing changed in this period since the last accepted delivery"),
     _("Nothing changed in this period since the last accepted delivery: there is nothing to send.")),
    (re.compile(r"DST's receipt for this delivery is already recorded"),
     _("DST's receipt for this delivery is already recorded.")),
    (re.compile(r"a test delivery never joins the ledger"),
     _("A test delivery never joins the ledger: no receipt is recorded for it.")),
    (re.compile(r"the file can no longer be rebuilt byte for byte.*"),
     _("The file can no longer be rebuilt byte for byte (a CPR number or custody holder changed since it was "
       "built): build a new delivery.")),
)
"""The services' refusals (trappen.web.dst.services) as the page says them; the CLI and the API
keep the services' English."""


def _say(message: str) -> str:
    for pattern, text in SERVICE_MESSAGES:
        found = pattern.fullmatch(message)
        if found:
            return str(text) % found.groupdict() if found.groupdict() else str(text)
    return message


_UNVERIFIED = re.compile(r"code (\d{3}) \((\d+) measure")


def _label(labels: Mapping[str, object], key: str) -> str:
    return str(labels.get(key, key))


def _detail(issue: dict[str, str]) -> str:
    """What the check's label does not say: the setting to fix, or the code and how many measures."""
    message = issue.get("message", "")
    if issue.get("check") == "sender":
        setting, _sep, text = message.partition(":")
        text = text.strip()
        if text.startswith("a contact role is one of"):
            return f"{setting}: " + gettext("a contact role is one of %(roles)s") % {
                "roles": ", ".join(CONTACT_ROLES)}
        return f"{setting}: {SENDER_MESSAGES.get(text, text)}"
    found = _UNVERIFIED.search(message)
    if issue.get("check") == "code_unverified" and found:
        return gettext("code %(code)s, %(n)s measure(s)") % {"code": found.group(1), "n": found.group(2)}
    return ""


def report_for_page(report: dict[str, object]) -> dict[str, object]:
    """A validation report (``Report.to_json()``) with labels instead of codes, for the template."""
    issues = report.get("issues") or []
    counts = report.get("counts") or {}
    excluded = report.get("excluded") or {}
    assert isinstance(issues, list) and isinstance(counts, dict) and isinstance(excluded, dict)
    return {
        "ok": bool(report.get("ok")),
        "counts": [(_label(COUNT_LABELS, k), v) for k, v in counts.items()],
        "excluded": [(_label(EXCLUDED_LABELS, k), v) for k, v in excluded.items()],
        "errors": sum(1 for i in issues if i["severity"] == "error"),
        "warnings": sum(1 for i in issues if i["severity"] == "warning"),
        "issues": [{"severity": i["severity"], "severity_label": _label(SEVERITY_LABELS, i["severity"]),
                    "check": i["check"], "label": _label(CHECK_LABELS, i["check"]), "measure_id": i["measure_id"],
                    "detail": _detail(i)} for i in issues[:500]],
        "more": max(0, len(issues) - 500),
    }


def _row(d: Delivery) -> dict[str, object]:
    """A delivery with its codes as words."""
    return {"d": d, "form_id": ("T" if d.test else "L") + d.statistic[1:],
            "statistic": _label(STATISTIC_LABELS, d.statistic), "kind": _label(KIND_LABELS, d.kind),
            "status": _label(STATUS_LABELS, d.status)}


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
        except InvalidInput:
            raise forms.ValidationError(_("Write a period as 2025 (year), 2025M03 (month), 2025K2 (quarter) or "
                                          "2025-01-01..2025-03-31.")) from None


def _need(request: HttpRequest, action: str) -> None:
    if not svc.can(request.user, action):
        raise PermissionDenied(f"deliveries to Danmarks Statistik need dst_delivery/{action}")


@login_required
def dst_deliveries(request: HttpRequest) -> HttpResponse:
    _need(request, "view")
    form = BuildForm(request.POST or None)
    report: dict[str, object] | None = None
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
                    messages.success(request, gettext("Delivery %(id)s built and stored: download the file and "
                                                      "send it to Danmarks Statistik.") % {"id": stored.pk})
                    return redirect("dst_delivery_detail", delivery_id=stored.pk)
                report = svc.report_with_settings(svc.dst_delivery_prepare(
                    statistic=data["statistic"], period=data["period"], correction=data["correction"],
                    test=data["test"]).report).to_json()
            except DeliveryInvalid as exc:
                report, status = exc.report.to_json(), 422
                form.add_error(None, gettext("Not stored: the validation report below has errors."))
            except InvalidInput as exc:
                for p in exc.problems:
                    form.add_error(p.field if p.field in form.fields else None, _say(p.message))
                status = 422
        else:
            status = 422
    return render(request, "dst/list.html", {
        "form": form, "report": report_for_page(report) if report is not None else None,
        "rows": [_row(d) for d in sel.dst_deliveries()[:200]], "can_create": svc.can(request.user, "create")},
        status=status)


def _delivery(delivery_id: int) -> Delivery:
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("no such delivery")
    return delivery


@login_required
def dst_delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _need(request, "view")
    delivery = _delivery(delivery_id)
    records = [{"r": r, "type": _label(TYPE_LABELS, r.report_type)}
               for r in delivery.records.order_by("measure_id")[:500]]
    return render(request, "dst/detail.html", {
        "row": _row(delivery), "d": delivery, "records": records, "more": max(0, delivery.records.count() - 500),
        "report": report_for_page(delivery.report),
        "can_change": svc.can(request.user, "change"), "can_export": svc.can(request.user, "export")})


@login_required
def dst_delivery_download(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _need(request, "export")
    _delivery(delivery_id)
    try:
        name, xml = svc.dst_delivery_file(actor=request.user, delivery_id=delivery_id, endpoint=request.path)
    except InvalidInput as exc:
        messages.error(request, _say(exc.problems[0].message))
        return redirect("dst_delivery_detail", delivery_id=delivery_id)
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def dst_delivery_receipt(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _need(request, "change")
    try:
        d = svc.dst_delivery_decide(actor=request.user, delivery_id=delivery_id,
                                    accepted=request.POST.get("decision") == "accepted",
                                    note=request.POST.get("note", ""))
    except InvalidInput as exc:
        messages.error(request, _say(exc.problems[0].message))
    else:
        messages.success(request, gettext("DST's receipt is recorded: %(status)s.")
                         % {"status": _label(STATUS_LABELS, d.status).lower()})
    return redirect("dst_delivery_detail", delivery_id=delivery_id)
