"""Reads for the DST pages, API and CLI: the measures, the CPR numbers (for the file only), the
ledger of accepted deliveries and the list of deliveries."""

from __future__ import annotations

import polars as pl
from django.conf import settings
from django.db.models import QuerySet

from trappen.exchange.dst import IDENTITY_SCHEMA, LEDGER_SCHEMA, RECORD_SCHEMA, Contact, Sender, ledger_state
from trappen.web.dst.models import CustodyHolder, Delivery, DeliveryRecord
from trappen.web.register import models as rm


def dst_sender() -> Sender:
    """The envelope's sender from the settings (TRAPPEN_DST_*)."""
    from trappen import __version__

    contacts = tuple(Contact(role=role.strip(), email=email.strip())
                     for role, _, email in (c.partition("=") for c in settings.TRAPPEN_DST_CONTACTS))
    return Sender(municipality_code=settings.TRAPPEN_DST_MUNICIPALITY_CODE, cvr=settings.TRAPPEN_DST_CVR,
                  p_number=settings.TRAPPEN_DST_P_NUMBER, contacts=contacts, system_version=__version__)


def dst_measures() -> pl.DataFrame:
    """Every intervention episode as a measure (one bulk query; no personal data)."""
    from trappen.exchange.dst import measures_from_episodes

    rows = list(rm.Episode.objects.order_by("pk").values_list(
        "id", "child_id", "intervention_code", "start_date", "end_date"))
    frame = pl.DataFrame(rows, schema={"episode_id": pl.Int64, "child_id": pl.Int64, "intervention_code": pl.String,
                                       "start_date": pl.Date, "end_date": pl.Date}, orient="row")
    return measures_from_episodes(frame)


def dst_identities(child_ids: list[int]) -> pl.DataFrame:
    """CPR numbers of ``child_ids`` and of their latest custody holder, decrypted for the file.

    ``identity`` is the children's and holders' keyed lookup hashes: a corrected CPR number
    changes it, so the measure is sent again.
    """
    from trappen.web.register.crypto import cpr_cipher

    cipher = cpr_cipher()
    ids = sorted(set(child_ids))
    holders: dict[int, tuple[bytes, str]] = {}
    for child_id, token, lookup in (CustodyHolder.objects.filter(child_id__in=ids)
                                    .order_by("child_id", "start_date", "pk")
                                    .values_list("child_id", "cpr_encrypted", "cpr_lookup")):
        holders[child_id] = (bytes(token), lookup)  # the latest start wins
    rows = []
    for child_id, token, lookup in rm.Child.objects.filter(pk__in=ids).values_list("id", "cpr_encrypted",
                                                                                   "cpr_lookup"):
        holder = holders.get(child_id)
        rows.append((child_id, cipher.decrypt(bytes(token)),
                     cipher.decrypt(holder[0]) if holder else None,
                     f"{lookup}:{holder[1] if holder else ''}"))
    return pl.DataFrame(rows, schema=IDENTITY_SCHEMA, orient="row")


def dst_deliveries(*, statistic: str | None = None) -> QuerySet[Delivery]:
    qs = Delivery.objects.all()
    return qs.filter(statistic=statistic) if statistic else qs


def dst_delivery_records(delivery: Delivery) -> pl.DataFrame:
    rows = list(delivery.records.order_by("measure_id").values_list(*RECORD_SCHEMA))
    return pl.DataFrame(rows, schema=RECORD_SCHEMA, orient="row")


def dst_ledger(statistic: str) -> pl.DataFrame:
    """What DST holds per measure: the records of every accepted production delivery."""
    fields = (*RECORD_SCHEMA, "delivery__period_end", "delivery_id")
    rows = list(DeliveryRecord.objects.filter(delivery__statistic=statistic, delivery__test=False,
                                              delivery__status="accepted").values_list(*fields))
    if not rows:
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    history = pl.DataFrame(rows, schema={**RECORD_SCHEMA, "period_end": pl.Date, "seq": pl.Int64}, orient="row")
    return ledger_state(history)
