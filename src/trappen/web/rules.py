"""The staircase and intervention catalogue in force: the municipality's own files when
TRAPPEN_STAIRCASE_FILE / TRAPPEN_CATALOGUE_FILE are set, else the ones shipped with Trappen; the
caseload rules from TRAPPEN_CASELOAD_FILE and TRAPPEN_CASELOAD_TARGET; the approval rules from
TRAPPEN_APPROVALS_FILE."""

from __future__ import annotations

import dataclasses
from functools import cache, lru_cache

from django.conf import settings

from trappen.kpi.caseload import CaseloadRules, load_caseload_rules
from trappen.staircase import (
    ApprovalRules,
    Catalogue,
    Staircase,
    load_approval_rules,
    load_catalogue,
    load_staircase,
)


@cache
def staircase() -> Staircase:
    return load_staircase(settings.TRAPPEN_STAIRCASE_FILE or None)


@cache
def catalogue() -> Catalogue:
    return load_catalogue(settings.TRAPPEN_CATALOGUE_FILE or None, staircase=staircase())


@cache
def approvals() -> ApprovalRules:
    """Which step-ups need approval and which decisions are the committee's, for the staircase in force."""
    return load_approval_rules(settings.TRAPPEN_APPROVALS_FILE or None, staircase=staircase())


@lru_cache(maxsize=4)
def _caseload(path: str, target: float) -> CaseloadRules:
    return dataclasses.replace(load_caseload_rules(path or None), children_per_fte=target)


def caseload() -> CaseloadRules:
    """The caseload rules in force: the file's step weights, the settings' target."""
    return _caseload(settings.TRAPPEN_CASELOAD_FILE, float(settings.TRAPPEN_CASELOAD_TARGET))
