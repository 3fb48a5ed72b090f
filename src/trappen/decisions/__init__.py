"""Decisions (afgørelser) as data: the legal bases a decision can rest on, and the complaint
guidance (klagevejledning) that goes with it.

Two shipped rule files in ``data/``: ``legal_bases.toml`` (the Barnets Lov sections the
staircase uses, each with the reference it was checked against) and
``complaint_guidance.toml`` (the complaint deadline, the route to Ankestyrelsen and the text in
Danish and English, with its legal source). No Django here: the web layer stores a decision and
the guidance text this module renders for it.

Public API::

    from trappen.decisions import legal_bases, complaint_guidance, guidance_text
    basis = legal_bases()["BL_32"]
    text = guidance_text(guidance=complaint_guidance(), basis=basis,
                         decided_on=date(2026, 12, 1), language="da")

Errors: :class:`trappen.errors.ConfigurationError` for a malformed file (names the file, the
key path and the value).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import Field

from trappen._config import read_toml
from trappen._validation import StrictModel, Text, validate_rule_file
from trappen.errors import ConfigurationError

__all__ = ["ComplaintGuidance", "LegalBasis", "complaint_guidance", "guidance_text", "legal_bases",
           "load_complaint_guidance", "load_legal_bases"]


@dataclass(frozen=True, kw_only=True)
class LegalBasis:
    """One section of the law a decision rests on."""

    code: str
    section: str
    name_da: str
    name_en: str
    former_section: str
    source: str
    to_verify: bool

    def name(self, language: str) -> str:
        """``"Barnets Lov § 32: Støttende indsatser ..."`` in ``language`` (``da`` or ``en``)."""
        return f"{self.section}: {self.name_en if language.startswith('en') else self.name_da}"


@dataclass(frozen=True, kw_only=True)
class ComplaintGuidance:
    """The complaint rule: deadline, re-assessment, appeals body, the texts and their sources."""

    deadline_weeks: int
    reassess_weeks: int
    appeals_body: str
    source: str
    requirement: str
    to_verify: bool
    text_da: str
    text_en: str


class _Basis(StrictModel):
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
    section: Text
    name_da: Text
    name_en: Text
    former_section: str = ""
    source: Annotated[str, Field(min_length=10)]
    to_verify: bool


class _BasesFile(StrictModel):
    basis: Annotated[list[_Basis], Field(min_length=1)]


class _GuidanceFile(StrictModel):
    deadline_weeks: Annotated[int, Field(ge=1, le=52)]
    reassess_weeks: Annotated[int, Field(ge=1, le=52)]
    appeals_body: Text
    source: Annotated[str, Field(min_length=10)]
    requirement: Annotated[str, Field(min_length=10)]
    to_verify: bool
    text_da: Text
    text_en: Text


_PLACEHOLDERS = ("decided_on", "section", "deadline_weeks", "reassess_weeks")


def load_legal_bases(path: str | Path | None = None) -> Mapping[str, LegalBasis]:
    """The legal bases by code from ``path``, or the shipped ``legal_bases.toml`` when None.

    Raises:
        ConfigurationError: unreadable file, a malformed basis, or a code used twice.
    """
    data, where = read_toml(path, package="trappen.decisions", name="legal_bases.toml")
    model = validate_rule_file(_BasesFile, data, where=where)
    bases: dict[str, LegalBasis] = {}
    for row in model.basis:
        if row.code in bases:
            raise ConfigurationError(f"{where}: basis code {row.code!r} used twice")
        bases[row.code] = LegalBasis(**row.model_dump())
    return MappingProxyType(bases)


def load_complaint_guidance(path: str | Path | None = None) -> ComplaintGuidance:
    """The complaint guidance from ``path``, or the shipped ``complaint_guidance.toml``.

    Raises:
        ConfigurationError: unreadable or malformed file; a text with an unknown placeholder.
    """
    data, where = read_toml(path, package="trappen.decisions", name="complaint_guidance.toml")
    model = validate_rule_file(_GuidanceFile, data, where=where)
    sample = dict.fromkeys(_PLACEHOLDERS, "x")
    for key in ("text_da", "text_en"):
        try:
            getattr(model, key).format(**sample)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigurationError(f"{where}: {key} has a placeholder that is not one of "
                                     f"{', '.join(_PLACEHOLDERS)} ({exc})") from None
    return ComplaintGuidance(**model.model_dump())


@functools.cache
def legal_bases() -> Mapping[str, LegalBasis]:
    """The shipped legal bases (loaded once)."""
    return load_legal_bases()


@functools.cache
def complaint_guidance() -> ComplaintGuidance:
    """The shipped complaint guidance (loaded once)."""
    return load_complaint_guidance()


def guidance_text(*, guidance: ComplaintGuidance, basis: LegalBasis, decided_on: dt.date,
                  language: str) -> str:
    """The klagevejledning for one decision in ``language`` (``da``; ``en`` for staff)."""
    template = guidance.text_en if language.startswith("en") else guidance.text_da
    return template.format(decided_on=decided_on.isoformat(), section=basis.section,
                           deadline_weeks=guidance.deadline_weeks, reassess_weeks=guidance.reassess_weeks)
