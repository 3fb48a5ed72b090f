"""Writes for deliveries to Danmarks Statistik: build (validate, then store), record DST's
receipt, rebuild the file for sending, register a custody holder.

Rules: one production delivery per statistic may wait for DST's receipt at a time; a regular
delivery's period ends after the last accepted one, a correction's does not; an invalid or
empty delivery is never stored. Logs carry delivery ids and counts, never CPR numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import asdict

import polars as pl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from trappen.errors import InvalidInput, Problem
from trappen.exchange.dst import (
    Contact,
    Delivery,
    DeliveryInvalid,
    Period,
    Report,
    Sender,
    build_delivery,
    render,
)
from trappen.privacy.roles import allowed
from trappen.staircase import default_paragraph_codes
from trappen.web.accounts.models import User
from trappen.web.dst import models as m
from trappen.web.dst import selectors as sel

logger = logging.getLogger(__name__)

SETTING_OF = {"municipality_code": "TRAPPEN_DST_MUNICIPALITY_CODE", "cvr": "TRAPPEN_DST_CVR",
              "p_number": "TRAPPEN_DST_P_NUMBER", "contacts": "TRAPPEN_DST_CONTACTS"}


def can(user: object, action: str) -> bool:
    """Whether ``user`` may ``action`` deliveries (the permission table's ``dst_delivery`` rows)."""
    return allowed(getattr(user, "role", None) or "", "dst_delivery", action)


def _require(user: object, action: str) -> None:
    from django.core.exceptions import PermissionDenied

    if not can(user, action):
        raise PermissionDenied(f"deliveries to Danmarks Statistik need dst_delivery/{action}")


def dst_delivery_prepare(*, statistic: str, period: Period, correction: bool = False, test: bool = False,
                         now: dt.datetime | None = None) -> Delivery:
    """Build and validate a delivery without storing it (``trappen dst validate``, the page's check).

    Raises:
        InvalidInput: a regular delivery for a period that does not end after the last accepted
            one, or a correction for a period that does (field ``period``).
    """
    if statistic not in ("L201", "L231"):
        raise InvalidInput(Problem(field="statistic", value=statistic, message="statistic is L201 or L231"))
    last = (m.Delivery.objects.filter(statistic=statistic, test=False, status="accepted")
            .aggregate(end=Max("period_end"))["end"])
    if not test and last is not None and not correction and period.end <= last:
        raise InvalidInput(Problem(field="period", value=period.label, message=(
            f"the last accepted {statistic} delivery runs to {last}: a delivery for an earlier period "
            "is a correction")))
    if correction and (last is None or period.end > last):
        raise InvalidInput(Problem(field="period", value=period.label,
                                   message="a correction is for a period already delivered and accepted"))
    measures = sel.dst_measures()
    in_period = measures.filter((pl.col("start_date") <= period.end)
                                & (pl.col("end_date").is_null() | (pl.col("end_date") > period.start)))
    ledger = sel.dst_ledger(statistic)
    identities = sel.dst_identities(in_period["child_id"].to_list() + ledger["child_id"].to_list())
    sender = sel.dst_sender()
    local = timezone.localtime(now or timezone.now()).replace(tzinfo=None, microsecond=0)
    delivery = build_delivery(statistic=statistic, period=period, measures=measures, identities=identities,
                              ledger=ledger, codes=default_paragraph_codes(), sender=sender, created_at=local,
                              correction=correction, test=test)
    return delivery


def report_with_settings(report: Report) -> Report:
    """Sender problems name the setting to fix, e.g. TRAPPEN_DST_CVR."""
    from dataclasses import replace

    issues = []
    for i in report.issues:
        if i.check == "sender":
            key = i.message.split(":", 1)[0]
            i = replace(i, message=f"{SETTING_OF.get(key, key)}: {i.message.split(':', 1)[1].strip()}")
        issues.append(i)
    return replace(report, issues=tuple(issues))


@transaction.atomic
def dst_delivery_build(*, actor: object, statistic: str, period: Period, correction: bool = False,
                       test: bool = False, now: dt.datetime | None = None) -> m.Delivery:
    """Build, validate and store a delivery with its records (all or nothing).

    Raises:
        PermissionDenied: the actor may not create deliveries.
        DeliveryInvalid: the validation report has errors (``.report`` lists them by measure id).
        InvalidInput: nothing changed since the last accepted delivery, another production
            delivery of the statistic awaits DST's receipt, or a bad period (see prepare).
    """
    _require(actor, "create")
    if not test and m.Delivery.objects.select_for_update().filter(statistic=statistic, test=False,
                                                                  status="built").exists():
        raise InvalidInput(Problem(field="statistic", value=statistic, message=(
            f"a {statistic} delivery is waiting for DST's receipt: record it as accepted or rejected first")))
    delivery = dst_delivery_prepare(statistic=statistic, period=period, correction=correction, test=test, now=now)
    report = report_with_settings(delivery.report)
    if not report.ok:
        raise DeliveryInvalid(report)
    if delivery.empty:
        raise InvalidInput(Problem(field="period", value=period.label,
                                   message="nothing changed in this period since the last accepted delivery"))
    sender = sel.dst_sender()
    stored = m.Delivery.objects.create(
        statistic=statistic, kind=delivery.kind, period_start=period.start, period_end=period.end,
        period_label=period.label, test=test, created_at=timezone.now(),
        created_by=actor if isinstance(actor, User) else None,
        created_by_username=getattr(actor, "username", "") or "system",
        communication_at=timezone.make_aware(delivery.created_at), sender=asdict(sender), sha256=delivery.sha256,
        file_name=delivery.file_name, size_bytes=len(delivery.xml), counts=report.counts, report=report.to_json())
    m.DeliveryRecord.objects.bulk_create(
        [m.DeliveryRecord(delivery=stored, measure_id=mid, child_id=child, report_type=kind, code=code,
                          start_date=start, end_date=end, identity=identity or "")
         for mid, child, kind, code, start, end, identity in delivery.records.iter_rows()], batch_size=2000)
    logger.info("dst delivery built", extra={"delivery_id": stored.pk, "statistic": statistic,
                                             "period": period.label, "records": delivery.records.height})
    return stored


@transaction.atomic
def dst_delivery_decide(*, actor: object, delivery_id: int, accepted: bool, note: str = "") -> m.Delivery:
    """Record DST's receipt: the delivery was accepted (it joins the ledger) or rejected.

    Raises:
        PermissionDenied: the actor may not change deliveries.
        InvalidInput: the delivery is a test delivery or was already answered.
    """
    _require(actor, "change")
    delivery = m.Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        from django.http import Http404

        raise Http404("no such delivery")
    if delivery.status != "built":
        raise InvalidInput(Problem(field="status", value=delivery.status,
                                   message="DST's receipt for this delivery is already recorded"))
    if delivery.test:
        raise InvalidInput(Problem(field="test", value=True, message="a test delivery never joins the ledger"))
    delivery.status = "accepted" if accepted else "rejected"
    delivery.decided_at = timezone.now()
    delivery.decided_by_username = getattr(actor, "username", "") or "system"
    delivery.receipt_note = note.strip()[:300]
    delivery.save(update_fields=["status", "decided_at", "decided_by_username", "receipt_note"])
    logger.info("dst delivery decided", extra={"delivery_id": delivery.pk, "status": delivery.status})
    return delivery


def dst_delivery_file(*, actor: object, delivery_id: int, endpoint: str) -> tuple[str, bytes]:
    """The file as it was built, rebuilt from its records; each download is audited.

    Raises:
        PermissionDenied: the actor may not export deliveries.
        InvalidInput: the rebuilt file does not match the stored checksum (a CPR number or
            custody holder changed since): build a new delivery instead.
    """
    from trappen.web.audit.services import audit_record

    _require(actor, "export")
    delivery = m.Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        from django.http import Http404

        raise Http404("no such delivery")
    records = sel.dst_delivery_records(delivery)
    full = records.join(sel.dst_identities(records["child_id"].to_list()).drop("identity"), on="child_id",
                        how="left")
    s = delivery.sender
    sender = Sender(municipality_code=s["municipality_code"], cvr=s["cvr"], p_number=s["p_number"],
                    contacts=tuple(Contact(**c) for c in s["contacts"]), system_name=s["system_name"],
                    system_version=s["system_version"])
    period = Period(start=delivery.period_start, end=delivery.period_end)
    shell = Delivery(statistic=delivery.statistic, kind=delivery.kind, period=period, test=delivery.test,
                     created_at=timezone.localtime(delivery.communication_at).replace(tzinfo=None),
                     records=records, report=Report(issues=()))
    xml = render(shell, full=full, sender=sender)
    if hashlib.sha256(xml).hexdigest() != delivery.sha256:
        raise InvalidInput(Problem(field="sha256", value=delivery.sha256, message=(
            "the file can no longer be rebuilt byte for byte (a CPR number or custody holder changed since "
            "it was built): build a new delivery")))
    audit_record(actor=actor, child_id=None, action="read", endpoint=endpoint,
                 purpose=f"dst_delivery {delivery.pk}")
    return delivery.file_name, xml


@transaction.atomic
def custody_holder_register(*, actor: object, child_id: int, cpr: str, start_date: dt.date) -> m.CustodyHolder:
    """Register a child's custody holder from a date (the L201 reports the latest one).

    Raises:
        InvalidInput: not a valid CPR number (never echoed).
    """
    from trappen.privacy.cpr import parse_cpr
    from trappen.web.register.crypto import cpr_cipher

    try:
        digits = parse_cpr(cpr)
    except InvalidInput:
        raise InvalidInput(Problem(field="cpr", value="(hidden)", message="not a valid CPR number")) from None
    from trappen.web.audit.services import audit_record

    cipher = cpr_cipher()
    holder, _ = m.CustodyHolder.objects.update_or_create(
        child_id=child_id, start_date=start_date,
        defaults={"cpr_encrypted": cipher.encrypt(digits), "cpr_lookup": cipher.lookup_hash(digits),
                  "registered_at": timezone.now()})
    audit_record(actor=actor, child_id=child_id, action="write", endpoint="custody_holder_register")
    return holder


@transaction.atomic
def custody_holders_demo_create() -> int:
    """Give every child of the demo a synthetic custody holder (``trappen demo`` only), so an L201
    delivery can be validated and built on the demo. The numbers are made up from the child's
    birth date (a parent 28 years older, 7th digit 3 or 9): synthetic, never a real person's.

    Returns:
        The number of custody holders written (the demo's earlier ones are replaced).
    """
    from trappen.web.register.crypto import cpr_cipher
    from trappen.web.register.models import Child

    rows = list(Child.objects.order_by("pk").values_list("pk", "birth_date"))
    if not rows:
        return 0
    frame = pl.DataFrame(rows, schema={"child_id": pl.Int64, "birth_date": pl.Date}, orient="row")
    parent = pl.col("birth_date").dt.offset_by("-28y")
    seq = pl.int_range(pl.len()).over(parent)
    serial = pl.when(parent.dt.year() >= 2000).then(9000 + seq).otherwise(3000 + seq)
    cprs = frame.select(parent.dt.strftime("%d%m%y") + serial.cast(pl.String).str.zfill(4))["birth_date"].to_list()
    cipher = cpr_cipher()
    now = timezone.now()
    m.CustodyHolder.objects.all().delete()
    m.CustodyHolder.objects.bulk_create(
        [m.CustodyHolder(child_id=child_id, cpr_encrypted=cipher.encrypt(cpr), cpr_lookup=cipher.lookup_hash(cpr),
                         start_date=birth, registered_at=now)
         for (child_id, birth), cpr in zip(rows, cprs, strict=True)], batch_size=2000)
    logger.info("dst demo custody holders created", extra={"count": len(rows)})
    return len(rows)
