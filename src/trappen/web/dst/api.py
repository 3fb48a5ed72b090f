"""``/api/v1/dst/...``: deliveries to Danmarks Statistik, as on the administrator's page.

Access through the permission table's ``dst_delivery`` rows (403 otherwise). A delivery whose
validation fails is a 422 whose problems name the measure ids; the file is served only from
its own route, and each download is audited.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from trappen.exchange.dst import Period
from trappen.web.dst import selectors as sel
from trappen.web.dst import services as svc
from trappen.web.dst.models import Delivery

router = Router(tags=["dst"])


class DeliveryIn(Schema):
    statistic: str
    period: str
    correction: bool = False
    test: bool = False


class ReceiptIn(Schema):
    accepted: bool
    note: str = ""


class DeliveryOut(Schema):
    id: int
    statistic: str
    kind: str
    period: str
    period_start: dt.date
    period_end: dt.date
    test: bool
    status: str
    created_at: dt.datetime
    created_by: str
    sha256: str
    file_name: str
    counts: dict[str, int]


class DeliveryDetailOut(DeliveryOut):
    report: dict[str, object]


class ReportOut(Schema):
    ok: bool
    counts: dict[str, int]
    excluded: dict[str, int]
    issues: list[dict[str, str]]


def _out(d: Delivery, *, detail: bool = False) -> dict[str, object]:
    out: dict[str, object] = {
        "id": d.pk, "statistic": d.statistic, "kind": d.kind, "period": d.period_label,
        "period_start": d.period_start, "period_end": d.period_end, "test": d.test, "status": d.status,
        "created_at": d.created_at, "created_by": d.created_by_username, "sha256": d.sha256,
        "file_name": d.file_name, "counts": d.counts}
    if detail:
        out["report"] = d.report
    return out


def _user(request: HttpRequest) -> object:
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's authentication


def _need(request: HttpRequest, action: str) -> None:
    from django.core.exceptions import PermissionDenied

    if not svc.can(_user(request), action):
        raise PermissionDenied(f"deliveries to Danmarks Statistik need dst_delivery/{action}")


def _get(delivery_id: int) -> Delivery:
    d = Delivery.objects.filter(pk=delivery_id).first()
    if d is None:
        raise Http404("no such delivery")
    return d


@router.get("/deliveries", response=list[DeliveryOut])
def deliveries(request: HttpRequest, statistic: str | None = None) -> list[dict[str, object]]:
    """The ledger: every delivery, newest first."""
    _need(request, "view")
    return [_out(d) for d in sel.dst_deliveries(statistic=statistic)[:500]]


@router.post("/deliveries", response={201: DeliveryDetailOut})
def delivery_build(request: HttpRequest, payload: DeliveryIn) -> Status:
    """Build, validate and store the delta for a period (422 naming every measure that fails)."""
    _need(request, "create")
    d = svc.dst_delivery_build(actor=_user(request), statistic=payload.statistic, period=Period.parse(payload.period),
                               correction=payload.correction, test=payload.test)
    return Status(201, _out(d, detail=True))


@router.post("/deliveries/validate", response=ReportOut)
def delivery_validate(request: HttpRequest, payload: DeliveryIn) -> dict[str, object]:
    """Validate the delta for a period without storing it: the report."""
    _need(request, "create")
    delivery = svc.dst_delivery_prepare(statistic=payload.statistic, period=Period.parse(payload.period),
                                        correction=payload.correction, test=payload.test)
    return svc.report_with_settings(delivery.report).to_json()


@router.get("/deliveries/{delivery_id}", response=DeliveryDetailOut)
def delivery_detail(request: HttpRequest, delivery_id: int) -> dict[str, object]:
    _need(request, "view")
    return _out(_get(delivery_id), detail=True)


@router.post("/deliveries/{delivery_id}/receipt", response=DeliveryDetailOut)
def delivery_receipt(request: HttpRequest, delivery_id: int, payload: ReceiptIn) -> dict[str, object]:
    """Record DST's receipt: accepted (joins the ledger) or rejected."""
    _need(request, "change")
    _get(delivery_id)
    d = svc.dst_delivery_decide(actor=_user(request), delivery_id=delivery_id, accepted=payload.accepted,
                                note=payload.note)
    return _out(d, detail=True)


@router.get("/deliveries/{delivery_id}/file")
def delivery_file(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The XML file (holds CPR numbers; the download is audited)."""
    _need(request, "export")
    _get(delivery_id)
    name, xml = svc.dst_delivery_file(actor=_user(request), delivery_id=delivery_id, endpoint=request.path)
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
