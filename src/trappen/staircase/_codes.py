"""Paragraph codes: each intervention's section of Barnets Lov and its Danmarks Statistik code.

Loaded from ``data/dst_codes.toml`` (or a municipality's own file). One row says: measures of
intervention X that start in ``[valid_from, valid_to)`` are reported in statistic S (L201, L231,
or not at all) under DST code C. A measure keeps the code valid on its start date (Barnets Lov
§ 213: an ongoing measure keeps the legal basis of its decision).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from trappen._config import read_toml
from trappen.errors import ConfigurationError
from trappen.staircase._model import Catalogue

STATISTICS = ("L201", "L231", "placement", "none")
"""Where a measure is reported: the two deliveries Trappen builds, the placement statistic
(not built yet), or nowhere (universal services)."""

DELIVERED = ("L201", "L231")
CONFIDENCE = ("os2bos", "reconstructed", "dst", "not_reported")
"""How sure the code is: from OS2bos's seed data, chosen by Trappen (to be confirmed), confirmed
from DST's own code list, or no code because the statistic is not delivered."""

_CODE_RE = re.compile(r"[0-9]{3}")
_SECTION_RE = re.compile(r"§+\s*(\d+)")
_ALWAYS_FROM = dt.date(1900, 1, 1)
_ALWAYS_TO = dt.date(9999, 12, 31)


@dataclass(frozen=True, kw_only=True)
class ParagraphCode:
    """One row: an intervention's section and DST code for measures starting in a date range."""

    intervention: str
    statistic: str
    section: str
    former_section: str
    dst_code: str
    confidence: str
    source: str
    valid_from: dt.date = _ALWAYS_FROM
    valid_to: dt.date = _ALWAYS_TO

    @property
    def section_number(self) -> str:
        """The first paragraph number of ``section`` (``"32"`` for ``"BL § 32 stk. 1 nr. 3"``)."""
        match = _SECTION_RE.search(self.section)
        return match.group(1) if match else ""


@dataclass(frozen=True, kw_only=True)
class ParagraphCodes:
    """The loaded table."""

    rows: tuple[ParagraphCode, ...]
    source: str

    def for_intervention(self, code: str, *, on: dt.date) -> ParagraphCode | None:
        """The row valid for a measure of ``code`` starting ``on``; ``None`` when none is."""
        for row in self.rows:
            if row.intervention == code and row.valid_from <= on < row.valid_to:
                return row
        return None

    def uncovered(self, catalogue: Catalogue) -> list[str]:
        """Catalogue codes with no row at all (a measure of these cannot be reported)."""
        known = {r.intervention for r in self.rows}
        return [c for c in catalogue.codes if c not in known]

    def frame(self) -> pl.DataFrame:
        """The table as columns (intervention, statistic, dst_code, confidence, valid_from, valid_to)."""
        return pl.DataFrame(
            {
                "intervention_code": [r.intervention for r in self.rows],
                "statistic": [r.statistic for r in self.rows],
                "dst_code": [r.dst_code or None for r in self.rows],
                "confidence": [r.confidence for r in self.rows],
                "section": [r.section for r in self.rows],
                "valid_from": [r.valid_from for r in self.rows],
                "valid_to": [r.valid_to for r in self.rows],
            },
            schema={"intervention_code": pl.String, "statistic": pl.String, "dst_code": pl.String,
                    "confidence": pl.String, "section": pl.String, "valid_from": pl.Date, "valid_to": pl.Date},
        )


def _date(entry: dict, key: str, at: str, default: dt.date) -> dt.date:
    value = entry.get(key, default)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ConfigurationError(f"{at}: {key} must be a date (YYYY-MM-DD), got {value!r}")
    return value


def _text(entry: dict, key: str, at: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ConfigurationError(f"{at}: {key} must be {'non-empty ' if required else ''}text, got {value!r}")
    return value.strip()


def load_paragraph_codes(path: Path | str | None = None) -> ParagraphCodes:
    """Load a paragraph-code file; ``None`` gives the shipped table.

    Raises:
        ConfigurationError: an unknown key, statistic or confidence; a delivered statistic
            without a 3-digit code; an empty date range; or two rows of one intervention whose
            date ranges overlap (names the file and the intervention).
    """
    data, where = read_toml(path, package="trappen.staircase", name="dst_codes.toml")
    raw = data.get("codes")
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError(f"{where}: needs at least one [[codes]] table")
    allowed = {"intervention", "statistic", "section", "former_section", "dst_code", "confidence", "source",
               "valid_from", "valid_to"}
    rows: list[ParagraphCode] = []
    for i, entry in enumerate(raw, start=1):
        at = f"{where} code #{i}"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{at}: must be a table")
        intervention = _text(entry, "intervention", at)
        at = f"{where} code for {intervention}"
        extra = set(entry) - allowed
        if extra:
            raise ConfigurationError(f"{at}: unknown key(s) {sorted(extra)}")
        statistic = _text(entry, "statistic", at)
        if statistic not in STATISTICS:
            raise ConfigurationError(f"{at}: unknown statistic {statistic!r}; use one of {STATISTICS}")
        confidence = _text(entry, "confidence", at)
        if confidence not in CONFIDENCE:
            raise ConfigurationError(f"{at}: unknown confidence {confidence!r}; use one of {CONFIDENCE}")
        code = _text(entry, "dst_code", at, required=False)
        if statistic in DELIVERED and not _CODE_RE.fullmatch(code):
            raise ConfigurationError(f"{at}: statistic {statistic} needs a 3-digit dst_code, got {code!r}")
        if statistic not in DELIVERED and code:
            raise ConfigurationError(f"{at}: statistic {statistic} is not delivered: leave dst_code out")
        if (statistic in DELIVERED) == (confidence == "not_reported"):
            raise ConfigurationError(f"{at}: confidence 'not_reported' is for statistics placement and none only")
        valid_from = _date(entry, "valid_from", at, _ALWAYS_FROM)
        valid_to = _date(entry, "valid_to", at, _ALWAYS_TO)
        if valid_to <= valid_from:
            raise ConfigurationError(f"{at}: valid_to {valid_to} must be after valid_from {valid_from}")
        rows.append(ParagraphCode(
            intervention=intervention, statistic=statistic, section=_text(entry, "section", at),
            former_section=_text(entry, "former_section", at, required=False), dst_code=code,
            confidence=confidence, source=_text(entry, "source", at), valid_from=valid_from, valid_to=valid_to))
    by_code: dict[str, list[ParagraphCode]] = {}
    for row in rows:
        by_code.setdefault(row.intervention, []).append(row)
    for code, group in by_code.items():
        group.sort(key=lambda r: r.valid_from)
        for a, b in zip(group, group[1:], strict=False):
            if b.valid_from < a.valid_to:
                raise ConfigurationError(f"{where}: the rows for {code} overlap ({a.valid_from}..{a.valid_to} "
                                         f"and {b.valid_from}..{b.valid_to})")
    return ParagraphCodes(rows=tuple(rows), source=str(data.get("source", where)))


@cache
def default_paragraph_codes() -> ParagraphCodes:
    """The shipped paragraph-code table (cached)."""
    return load_paragraph_codes()
