"""Deliveries to Danmarks Statistik: L201 (indsatser og støtte til udsatte børn og unge) and
L231 (handicapkompenserende indsatser til børn), built as a ledger.

Pure: the caller passes the register's measures, the CPR numbers per child (only to write the
file), what DST already holds (the ledger of accepted deliveries) and the clock. The web layer
stores each delivery; docs/dst.md says which parts of the format are reconstructed.

Public API::

    from trappen.exchange.dst import Period, Sender, build_delivery, ledger_state, check_xml
    delivery = build_delivery(statistic="L201", period=Period.parse("2025"), measures=...,
                              identities=..., ledger=ledger_state(history), codes=..., sender=...,
                              created_at=now)
    delivery.report.ok, delivery.records, delivery.xml, delivery.sha256

Errors: an invalid delivery is not an exception: its :class:`Report` lists every problem by
measure id (never a CPR number) and its ``xml`` is empty. Bad arguments raise::

    TrappenError
     └── InvalidInput       a period that cannot be parsed or ends before it starts (field "period")
          └── DeliveryInvalid   an adapter refuses to store a delivery whose report has errors
                                (``.report``; each problem's field is the measure id)
"""

from trappen.exchange.dst._build import (
    CPR_PATTERN,
    build_delivery,
    file_name,
    ledger_state,
    measures_from_episodes,
)
from trappen.exchange.dst._model import (
    CONTACT_ROLES,
    IDENTITY_SCHEMA,
    KINDS,
    L231_REPORT_TYPE,
    LEDGER_SCHEMA,
    MEASURE_SCHEMA,
    RECORD_SCHEMA,
    REPORT_TYPES,
    STATISTICS,
    Contact,
    Delivery,
    DeliveryInvalid,
    Issue,
    Period,
    Report,
    Sender,
    empty,
)
from trappen.exchange.dst._xml import check_xml, render

__all__ = [
    "CONTACT_ROLES", "CPR_PATTERN", "IDENTITY_SCHEMA", "KINDS", "L231_REPORT_TYPE", "LEDGER_SCHEMA",
    "MEASURE_SCHEMA", "RECORD_SCHEMA", "REPORT_TYPES", "STATISTICS", "Contact", "Delivery", "DeliveryInvalid", "Issue",
    "Period", "Report", "Sender", "build_delivery", "check_xml", "empty", "file_name", "ledger_state",
    "measures_from_episodes", "render",
]
