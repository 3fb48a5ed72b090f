"""The values a delivery to Danmarks Statistik is made of: period, sender, issues, the delivery."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

from trappen.errors import InvalidInput, Problem

STATISTICS = ("L201", "L231")
"""L201: indsatser og støtte til udsatte børn og unge; L231: handicapkompenserende indsatser."""

REPORT_TYPES = ("new", "changed", "cancelled")
L231_REPORT_TYPE = {"new": "Ny", "changed": "Ændring", "cancelled": "Annullering"}
"""INDBERETNINGSTYPE values of the L231 XSD (OS2bos's vendored copy)."""

KINDS = ("initial", "delta", "correction")
"""initial: the first delivery (empty ledger); delta: what changed since the last accepted
delivery; correction: the delta of an earlier period, its own delivery."""

CONTACT_ROLES = ("Faglig ansvarlig", "Teknisk ansvarlig", "Kvitteringsmodtager")

RECORD_SCHEMA = {
    "measure_id": pl.String, "child_id": pl.Int64, "report_type": pl.String, "code": pl.String,
    "start_date": pl.Date, "end_date": pl.Date, "identity": pl.String,
}
"""A delivery's records as the ledger keeps them: no CPR numbers, only the child's pseudonymous
id and ``identity``, an opaque keyed token of the CPR numbers sent (so a corrected CPR number
is a change). ``end_date`` is DST's: the last day of the measure (inclusive); null = ongoing at
the end of the period."""

LEDGER_SCHEMA = {
    "measure_id": pl.String, "child_id": pl.Int64, "code": pl.String, "start_date": pl.Date,
    "end_date": pl.Date, "identity": pl.String, "cancelled": pl.Boolean,
}
"""What Danmarks Statistik holds per measure: the record of the latest accepted delivery that
sent it (the one for the latest period), and whether that was a cancellation."""

MEASURE_SCHEMA = {
    "measure_id": pl.String, "child_id": pl.Int64, "intervention_code": pl.String,
    "start_date": pl.Date, "end_date": pl.Date,
}
"""The measures to report, from the analytic register's episodes: ``end_date`` is the register's
(half-open: the first day without)."""

IDENTITY_SCHEMA = {"child_id": pl.Int64, "child_cpr": pl.String, "custody_cpr": pl.String, "identity": pl.String}
"""CPR numbers per child, joined in only to write the file (never stored in the ledger)."""

_PERIOD_RE = re.compile(r"(\d{4})(?:M(\d{2})|K([1-4]))?")


def empty(schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    """An empty frame with ``schema`` (e.g. :data:`LEDGER_SCHEMA` for a first delivery)."""
    return pl.DataFrame(schema=schema)


@dataclass(frozen=True, kw_only=True, order=True)
class Period:
    """A reporting period ``[start, end]`` (both days included)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(Problem(field="period", value=f"{self.start}..{self.end}",
                                       message="the period ends before it starts"))

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025`` (a year), ``2025M03`` (a month), ``2025K2`` (a quarter) or ``2025-01-01..2025-03-31``.

        Raises:
            InvalidInput: on field ``period``, naming the text.
        """
        text = text.strip()
        if ".." in text:
            a, _, b = text.partition("..")
            try:
                return cls(start=dt.date.fromisoformat(a), end=dt.date.fromisoformat(b))
            except ValueError:
                pass
        match = _PERIOD_RE.fullmatch(text)
        if match and (match.group(2) is None or 1 <= int(match.group(2)) <= 12):
            year = int(match.group(1))
            if match.group(2):
                month = int(match.group(2))
                return cls(start=dt.date(year, month, 1),
                           end=dt.date(year, month, calendar.monthrange(year, month)[1]))
            if match.group(3):
                q = int(match.group(3))
                last = 3 * q
                return cls(start=dt.date(year, last - 2, 1),
                           end=dt.date(year, last, calendar.monthrange(year, last)[1]))
            return cls(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
        raise InvalidInput(Problem(field="period", value=text, message=(
            "write a period as 2025 (year), 2025M03 (month), 2025K2 (quarter) or 2025-01-01..2025-03-31")))

    @property
    def label(self) -> str:
        """The envelope's Period: ``2025M03`` for a month (OS2bos, after DST's feedback in 2022);
        ``2025K2`` for a quarter and ``2025`` for a year (DST's period notation, reconstructed);
        ``20250105-20250203`` otherwise (max 20 characters in DST_Period.xsd)."""
        s, e = self.start, self.end
        if s.day == 1 and e == dt.date(e.year, e.month, calendar.monthrange(e.year, e.month)[1]) and s.year == e.year:
            if s.month == e.month:
                return f"{s.year}M{s.month:02d}"
            if s.month == 1 and e.month == 12:
                return f"{s.year}"
            if (s.month - 1) % 3 == 0 and e.month == s.month + 2:
                return f"{s.year}K{(s.month - 1) // 3 + 1}"
        return f"{s:%Y%m%d}-{e:%Y%m%d}"


@dataclass(frozen=True, kw_only=True)
class Contact:
    """One of the delivery's contacts: a role (:data:`CONTACT_ROLES`) and an e-mail address."""

    role: str
    email: str


@dataclass(frozen=True, kw_only=True)
class Sender:
    """Who delivers: the municipality and the system, from configuration (never hard-coded).

    ``municipality_code`` is the 3-digit kommunekode (e.g. 657 Herning); ``cvr`` 8 digits;
    ``p_number`` 10 digits or empty.
    """

    municipality_code: str
    cvr: str
    p_number: str = ""
    contacts: tuple[Contact, ...] = ()
    system_name: str = "Trappen"
    system_version: str = ""

    def problems(self) -> list[Problem]:
        """What the envelope's XSD (OS2bos's vendored copy) would refuse."""
        out: list[Problem] = []
        if not re.fullmatch(r"[0-9]{1,20}", self.municipality_code):
            out.append(Problem(field="municipality_code", value=self.municipality_code,
                               message="the municipality code (EntityID) must be digits, e.g. 657"))
        if not re.fullmatch(r"[0-9]{8}", self.cvr):
            out.append(Problem(field="cvr", value=self.cvr, message="the CVR number must be 8 digits"))
        if self.p_number and not re.fullmatch(r"[0-9]{10}", self.p_number):
            out.append(Problem(field="p_number", value=self.p_number, message="the P-number must be 10 digits"))
        for c in self.contacts:
            if c.role not in CONTACT_ROLES:
                out.append(Problem(field="contacts", value=c.role, message=f"a contact role is one of {CONTACT_ROLES}"))
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", c.email) or len(c.email) > 100:
                out.append(Problem(field="contacts", value=c.email, message="not an e-mail address"))
        if len(self.system_name) > 50 or len(self.system_version) > 20:
            out.append(Problem(field="system_version", value=self.system_version,
                               message="system name max 50, version max 20 characters"))
        return out


@dataclass(frozen=True, kw_only=True)
class Issue:
    """One finding of the validation, by measure id (never a CPR number).

    ``check`` is a stable code (``no_paragraph_code``, ``end_before_start``, ...); ``measure_id``
    is empty for a finding about the delivery as a whole.
    """

    severity: str  # "error" refuses the delivery; "warning" is shown and stored
    check: str
    measure_id: str
    message: str


@dataclass(frozen=True, kw_only=True)
class Report:
    """The validation report of one delivery."""

    issues: tuple[Issue, ...]
    counts: dict[str, int] = field(default_factory=dict)
    """Records by report type (new, changed, cancelled) and ``in_period`` measures checked."""
    excluded: dict[str, int] = field(default_factory=dict)
    """Measures of the period not in this statistic, by where they belong (placement, none, L231...)."""

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self, *, limit: int = 50) -> list[str]:
        """The report as text lines (measure ids and codes only)."""
        out = [f"records: {', '.join(f'{k} {v}' for k, v in self.counts.items())}"]
        if self.excluded:
            out.append("not in this statistic: " + ", ".join(f"{k} {v}" for k, v in sorted(self.excluded.items())))
        for label, group in (("ERROR", self.errors), ("warning", self.warnings)):
            for issue in group[:limit]:
                who = f"measure {issue.measure_id}: " if issue.measure_id else ""
                out.append(f"{label} [{issue.check}] {who}{issue.message}")
            if len(group) > limit:
                out.append(f"... and {len(group) - limit} more {label.lower()}s")
        out.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s): "
                   + ("valid" if self.ok else "NOT valid, nothing may be sent"))
        return out

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "counts": self.counts, "excluded": self.excluded,
                "issues": [{"severity": i.severity, "check": i.check, "measure_id": i.measure_id,
                            "message": i.message} for i in self.issues]}


class DeliveryInvalid(InvalidInput):
    """Raised by adapters that store deliveries when the report has errors: ``report`` has them all."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__([Problem(field=i.measure_id or i.check, value=i.check, message=i.message)
                          for i in report.errors])


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One delivery: the envelope's facts, its records (no CPR), the file and its checksum.

    ``xml`` is empty and ``sha256`` is ``""`` when the report has errors: an invalid delivery
    is never written out.
    """

    statistic: str
    kind: str
    period: Period
    test: bool
    created_at: dt.datetime
    records: pl.DataFrame
    report: Report
    xml: bytes = b""
    sha256: str = ""
    file_name: str = ""

    @property
    def form_id(self) -> str:
        """``L201``/``L231`` in production, ``T201``/``T231`` for a test delivery."""
        return ("T" if self.test else "L") + self.statistic[1:]

    @property
    def empty(self) -> bool:
        return self.records.height == 0
