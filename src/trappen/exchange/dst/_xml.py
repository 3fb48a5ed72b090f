"""The delivery file: byte-stable XML in DST's OIO layout, and a structural check of it.

Written line by line (not through an XML library's serialiser) so the bytes depend only on
the delivery: fixed prefixes and attribute order, two-space indentation, records sorted by
measure id, LF line ends, UTF-8 with a declaration.

Layout (OS2bos 3.8.0's output after DST's feedback of January 2022; see docs/dst.md for what
is certain and what is reconstructed)::

    <root xmlns=NS2010 xmlns:dst=NS2002 xmlns:xsi=... xsi:schemaLocation=...>
      <DeliveryMetadataNewStructure>  envelope, communicator, contacts, DBoks, form version
      <collection> one record per measure
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import polars as pl

if TYPE_CHECKING:
    from trappen.exchange.dst._model import Delivery, Sender

NS2010 = "http://rep.oio.dk/dst.dk/xml/schemas/2010/04/16/"
NS2002 = "http://rep.oio.dk/dst.dk/xml/schemas/2002/06/28/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

SOURCE = "CEMOS"
SURVEY_ID = "D280600"
"""Envelope constants OS2bos sent for both L201 and L231 (D280600 is the prefix of DST's
børn-og-unge value sets; whether L231 has its own SurveyID is an open question)."""

LAYOUT = {
    "L201": ("UdsatteBoernOgUngeLeveranceL201U1Struktur", "DST_UdsatteBoernOgUngeLeveranceL201U1Struktur.xsd",
             "ForanstaltningStrukturSamling", "ForanstaltningStruktur"),
    "L231": ("BoernMedHandicapLeveranceL231Struktur", "DST_BoernMedHandicapLeveranceL231Struktur.xsd",
             "BoernMedHandicapSagStrukturSamling", "BoernMedHandicapSagStruktur"),
}
"""Per statistic: root element, root XSD, collection element, record element."""

_DATE = r"\d{4}-\d{2}-\d{2}"
_CPR = r"(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{6}|0000000000"
RECORD_FIELDS = {
    "L201": (("UdsatBarnCPRidentifikator", _CPR, True), ("FormynderCPRidentifikator", _CPR, True),
             ("ForanstaltningId", r".{1,50}", True), ("ForanstaltningKode", r"[0-9]{3}", True),
             ("ForanstaltningStartDato", _DATE, True), ("ForanstaltningSlutDato", _DATE, False)),
    "L231": (("INDSATSFORLOEB_ID", r".{1,50}", True), ("INDBERETNINGSTYPE", r"Ny|Ændring|Annullering", True),
             ("CPR", _CPR, True), ("INDSATS_KODE", r"[0-9]{3}", True), ("INDSATS_STARTDATO", _DATE, True),
             ("INDSATS_SLUTDATO", _DATE, False)),
}
"""Record elements in order: (name, pattern, required). L231 from OS2bos's vendored XSD (the
optional KOEN, FOEDDAG, SAGSBEHANDLER and ORIGIN_* are not sent); L201's record XSD is not
public, so its patterns are assumed from L231's."""


def _el(name: str, value: str, indent: int) -> str:
    return f"{'  ' * indent}<{name}>{escape(value)}</{name}>"


def _envelope(delivery: Delivery, sender: Sender) -> list[str]:
    lines = [
        "  <DeliveryMetadataNewStructure>", "    <dst:Envelope>",
        _el("dst:Source", SOURCE, 3), _el("dst:SurveyID", SURVEY_ID, 3), _el("dst:FormID", delivery.form_id, 3),
        _el("dst:Period", delivery.period.label, 3), "      <dst:Entity>",
        _el("dst:EntityIDType", "Kommune", 4), _el("dst:EntityID", sender.municipality_code, 4),
        "      </dst:Entity>", "    </dst:Envelope>",
        "    <CommunicatorStructureCollection>", "      <CommunicatorStructure>",
        _el("CommunicationDescription", "Oprettelse på lokal server", 4),
        _el("CommunicationDateTime", delivery.created_at.strftime("%Y-%m-%dT%H:%M:%S"), 4),
        "        <SystemStructure>", _el("SystemName", sender.system_name, 5),
        _el("SystemVersion", sender.system_version or "0", 5), "        </SystemStructure>",
        "      </CommunicatorStructure>", "    </CommunicatorStructureCollection>",
    ]
    if sender.contacts:
        lines.append("    <ContactStructureCollection>")
        for c in sender.contacts:
            lines += ["      <ContactStructure>", _el("ContactTypeName", c.role, 4),
                      _el("ContactIdentifier", c.email, 4), _el("ContactEmailAddress", c.email, 4),
                      "      </ContactStructure>"]
        lines.append("    </ContactStructureCollection>")
    lines.append("    <DBoksContactNewStructure>")
    lines.append(_el("CVRnumberIdentifier", sender.cvr, 3))
    if sender.p_number:
        lines.append(_el("ProductionUnitIdentifier", sender.p_number, 3))
    lines += ["    </DBoksContactNewStructure>", _el("FormVersion", "1", 2), "  </DeliveryMetadataNewStructure>"]
    return lines


def _records(statistic: str, full: pl.DataFrame) -> list[str]:
    from trappen.exchange.dst._model import L231_REPORT_TYPE

    _root, _xsd, collection, record = LAYOUT[statistic]
    rows = full.sort("measure_id").with_columns(
        pl.col("start_date").dt.strftime("%Y-%m-%d").alias("_start"),
        pl.col("end_date").dt.strftime("%Y-%m-%d").alias("_end"))
    out = [f"  <{collection}>"]
    ind = 3
    if statistic == "L201":
        rows = rows.filter(pl.col("report_type") != "cancelled")  # no known L201 element: see docs/dst.md
        for mid, child, custody, code, start, end in rows.select(
                "measure_id", "child_cpr", "custody_cpr", "code", "_start", "_end").iter_rows():
            out += [f"    <{record}>", _el("UdsatBarnCPRidentifikator", child, ind),
                    _el("FormynderCPRidentifikator", custody, ind), _el("ForanstaltningId", mid, ind),
                    _el("ForanstaltningKode", code, ind), _el("ForanstaltningStartDato", start, ind)]
            if end is not None:
                out.append(_el("ForanstaltningSlutDato", end, ind))
            out.append(f"    </{record}>")
    else:
        for mid, kind, child, code, start, end in rows.select(
                "measure_id", "report_type", "child_cpr", "code", "_start", "_end").iter_rows():
            out += [f"    <{record}>", _el("INDSATSFORLOEB_ID", mid, ind),
                    _el("INDBERETNINGSTYPE", L231_REPORT_TYPE[kind], ind), _el("CPR", child or "0000000000", ind),
                    _el("INDSATS_KODE", code, ind), _el("INDSATS_STARTDATO", start, ind)]
            if end is not None:
                out.append(_el("INDSATS_SLUTDATO", end, ind))
            out.append(f"    </{record}>")
    out.append(f"  </{collection}>")
    return out


def render(delivery: Delivery, *, full: pl.DataFrame, sender: Sender) -> bytes:
    """The file's bytes; ``full`` is the delivery's records with ``child_cpr`` and ``custody_cpr``."""
    root, xsd, _collection, _record = LAYOUT[delivery.statistic]
    head = (f"<{root} xmlns={quoteattr(NS2010)} xmlns:dst={quoteattr(NS2002)} xmlns:xsi={quoteattr(XSI)} "
            f"xsi:schemaLocation={quoteattr(NS2010 + ' ' + NS2010 + xsd)}>")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', head, *_envelope(delivery, sender),
             *_records(delivery.statistic, full), f"</{root}>", ""]
    return "\n".join(lines).encode("utf-8")


def check_xml(data: bytes, *, statistic: str) -> list[str]:
    """Check a delivery file against the structure Trappen knows (no XSD validator is used).

    Checks the root and namespaces, the envelope's mandatory elements and lengths, and each
    record's elements, their order and patterns (:data:`RECORD_FIELDS`). Returns the problems
    as text naming the record by its measure id; an empty list means the file conforms.
    """
    problems: list[str] = []
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    root_name, _xsd, collection, record = LAYOUT[statistic]
    if root.tag != f"{{{NS2010}}}{root_name}":
        return [f"root element is {root.tag}, expected {root_name} in {NS2010}"]
    meta = root.find(f"{{{NS2010}}}DeliveryMetadataNewStructure")
    env = meta.find(f"{{{NS2002}}}Envelope") if meta is not None else None
    if env is None:
        return ["no DeliveryMetadataNewStructure/Envelope"]
    for name, limit in (("Source", 100), ("SurveyID", 100), ("FormID", 15), ("Period", 20)):
        el = env.find(f"{{{NS2002}}}{name}")
        if el is None or not (el.text or "").strip() or len(el.text or "") > limit:
            problems.append(f"envelope {name} missing or longer than {limit}")
    entity_id = env.find(f"{{{NS2002}}}Entity/{{{NS2002}}}EntityID")
    if entity_id is None or not re.fullmatch(r".{1,20}", entity_id.text or ""):
        problems.append("envelope Entity/EntityID missing or longer than 20")
    items = root.findall(f"{{{NS2010}}}{collection}/{{{NS2010}}}{record}")
    if not items:
        problems.append(f"{collection} has no {record} (1..n)")
    spec = RECORD_FIELDS[statistic]
    id_field = "ForanstaltningId" if statistic == "L201" else "INDSATSFORLOEB_ID"
    for item in items:
        children = [(c.tag.removeprefix(f"{{{NS2010}}}"), c.text or "") for c in item]
        mid = next((v for k, v in children if k == id_field), "?")
        names = [k for k, _ in children]
        expected = [n for n, _p, req in spec if req or n in names]
        if names != expected:
            problems.append(f"measure {mid}: elements {names}, expected {expected}")
            continue
        for (name, value), (_n, pattern, _r) in zip(children, [s for s in spec if s[0] in names], strict=True):
            if not re.fullmatch(pattern, value):
                problems.append(f"measure {mid}: {name} does not match {pattern}")
    return problems
