"""May this organisation see this group of a child's information today? Consent or legal basis.

A partner organisation sees a field group of a child's record only while one of these holds on
the day of the read:

- a **consent** covering the organisation and the group, valid (from <= day < to) and not
  withdrawn on or before the day; every custody holder who must consent has given one (a
  consent from one of two custody holders is not enough), or
- a **legal basis** for sharing without consent (``data/legal_bases.toml``, with its source),
  recorded for the child and organisation for a period, whose field groups and organisation
  kinds cover the read.

Placements, assessments and case notes are never shared on the early-prevention basis: only a
consent naming them (or a basis listing them) opens them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import AfterValidator

from trappen._config import read_toml
from trappen._validation import StrictModel, Text, validate_rule_file

ORG_KINDS = ("school", "daycare", "health_visiting", "ppr", "youth_club", "gp", "police_ssp", "voluntary")
"""Kinds of partner organisation."""

FIELD_GROUPS = ("identity", "step", "early_interventions", "meetings", "actions", "placements",
                "assessments", "case_notes")
"""What a consent or a legal basis can cover, group by group."""

NEVER_WITHOUT_CONSENT = frozenset({"placements", "assessments", "case_notes"})
"""Groups a partner sees only when a consent names them."""

CONSENT_GIVERS = ("custody_holder_1", "custody_holder_2", "child")
"""Who gives a consent: each custody holder, and the child where the law gives the child a say."""


def known(values: Iterable[str], allowed: tuple[str, ...], what: str) -> list[str]:
    """``values`` as a list; ValueError naming the first not in ``allowed``."""
    out = list(values)
    bad = [v for v in out if v not in allowed]
    if bad:
        raise ValueError(f"unknown {what} {bad[0]!r}; one of {', '.join(allowed)}")
    return out


class _Basis(StrictModel):
    label_da: Text
    label_en: Text
    law: Text
    section: Text
    url: Text
    sources: list[str]
    why: Text
    field_groups: Annotated[list[str], AfterValidator(lambda v: known(v, FIELD_GROUPS, "field group"))]
    organisation_kinds: Annotated[list[str], AfterValidator(lambda v: known(v, ORG_KINDS, "organisation kind"))]


class _File(StrictModel):
    bases: dict[str, _Basis]


@dataclass(frozen=True, kw_only=True)
class LegalBasis:
    """A rule of law allowing sharing without consent, with its source."""

    code: str
    label_da: str
    label_en: str
    law: str
    section: str
    url: str
    sources: tuple[str, ...]
    why: str
    field_groups: frozenset[str]
    organisation_kinds: frozenset[str]

    def label(self, language: str) -> str:
        return self.label_da if language.startswith("da") else self.label_en


def load_legal_bases(path: str | Path | None = None) -> Mapping[str, LegalBasis]:
    """The legal bases file (the shipped one when ``path`` is None).

    Raises:
        ConfigurationError: unreadable file, unknown field group or organisation kind, a missing
            source; each problem names the file, key path and value.
    """
    data, where = read_toml(path, package="trappen.collaboration", name="legal_bases.toml")
    model = validate_rule_file(_File, data, where=where)
    return MappingProxyType({code: LegalBasis(
        code=code, label_da=b.label_da, label_en=b.label_en, law=b.law, section=b.section, url=b.url,
        sources=tuple(b.sources), why=b.why, field_groups=frozenset(b.field_groups),
        organisation_kinds=frozenset(b.organisation_kinds)) for code, b in model.bases.items()})


@cache
def legal_bases() -> Mapping[str, LegalBasis]:
    """The shipped legal bases (loaded once)."""
    return load_legal_bases()


@dataclass(frozen=True, kw_only=True)
class Grounds:
    """One consent or one recorded use of a legal basis, as the decision needs it.

    ``kind`` is ``consent`` or ``basis``; ``giver`` the consent giver (consents); ``basis`` the
    legal basis code (bases); ``organisation_ids`` the organisations it covers; ``field_groups``
    the groups (a basis's own groups are used when empty); ``valid_to`` exclusive."""

    kind: str
    ref: int
    organisation_ids: frozenset[int]
    field_groups: frozenset[str]
    valid_from: dt.date
    valid_to: dt.date | None = None
    withdrawn_on: dt.date | None = None
    giver: str = ""
    basis: str = ""


@dataclass(frozen=True, kw_only=True)
class SharingDecision:
    """The outcome of one check: allowed or not, and on what (for the audit trail)."""

    allowed: bool
    reason: str
    """``consent:<ids>``, ``basis:<code>:<id>`` or ``refused:<why>``."""


def _valid(g: Grounds, day: dt.date) -> bool:
    if g.valid_from > day or (g.valid_to is not None and day >= g.valid_to):
        return False
    return g.withdrawn_on is None or day < g.withdrawn_on


def decide_sharing(grounds: Iterable[Grounds], *, organisation_id: int, organisation_kind: str, group: str,
                   day: dt.date, custody_holders: int = 2,
                   bases: Mapping[str, LegalBasis] | None = None) -> SharingDecision:
    """Whether ``organisation_id`` may see ``group`` of the child on ``day``.

    Consents: every one of the child's ``custody_holders`` (1 or 2) must have a valid consent
    covering the organisation and group. Legal bases: one valid recorded use for the
    organisation whose basis covers the group and the organisation's kind (never the groups of
    :data:`NEVER_WITHOUT_CONSENT` unless the basis lists them).
    """
    if group not in FIELD_GROUPS:
        raise ValueError(f"unknown field group {group!r}; one of {', '.join(FIELD_GROUPS)}")
    table = legal_bases() if bases is None else bases
    givers: dict[str, int] = {}
    for g in grounds:
        if organisation_id not in g.organisation_ids or not _valid(g, day):
            continue
        if g.kind == "consent" and group in g.field_groups:
            givers.setdefault(g.giver, g.ref)
        elif g.kind == "basis":
            basis = table.get(g.basis)
            groups = g.field_groups or (basis.field_groups if basis else frozenset())
            if basis is not None and group in basis.field_groups and group in groups \
                    and organisation_kind in basis.organisation_kinds:
                return SharingDecision(allowed=True, reason=f"basis:{g.basis}:{g.ref}")
    needed = [f"custody_holder_{i}" for i in range(1, max(1, min(custody_holders, 2)) + 1)]
    if givers and all(n in givers for n in needed):
        return SharingDecision(allowed=True, reason="consent:" + ",".join(str(givers[n]) for n in needed))
    if givers:
        return SharingDecision(allowed=False, reason=f"refused:{group}:consent_not_from_every_custody_holder")
    return SharingDecision(allowed=False, reason=f"refused:{group}:no_consent_or_basis")
