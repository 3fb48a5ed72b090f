"""The offer catalogue's model: offers, their price periods, providers, statuses and evidence.

Everything here is plain data (frozen keyword-only dataclasses); checking lives in
``_validate`` and files in ``_files``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PROVIDERS = ("own_municipality", "other_municipality", "region", "private")
"""Who runs the offer: the municipality itself, another municipality, a region, or a private
provider (bought). Barnets Lov § 43 and serviceloven § 4 let a municipality use all four."""

BOUGHT = frozenset({"other_municipality", "region", "private"})
"""Providers whose places the municipality buys rather than runs."""

STATUSES = ("open", "closing", "closed")
"""An offer's status on a day, derived from its dates: ``open`` from ``opened_on``, ``closing``
from ``closing_on`` (no new episodes should be planned; running ones finish), ``closed`` from
``closed_on`` (no episode may start on or after it)."""

EVIDENCE_LEVELS = ("not_assessed", "practice_based", "promising", "documented", "evidence_based")
"""How strong the evidence for the offer's programme is, lowest first. Follows the grading of
Social- og Boligstyrelsen's Vidensportalen (ikke vurderet, praksisbaseret, lovende praksis,
dokumenteret, evidensbaseret); ``evidence_source`` names the study or portal page."""

AGE_MIN_YEARS = 0
AGE_MAX_YEARS = 22
"""Ages an offer may target: birth to 22 (Barnets Lov covers children to 18 and after-care,
efterværn, §§ 114-116, to the 23rd birthday)."""

LIST_SEPARATOR = ";"
"""Separator of a list inside one cell (``steps`` "2;3", ``intervention_codes`` "MST;FFT")."""


@dataclass(frozen=True, kw_only=True)
class OfferPrice:
    """The offer's own price in ``[valid_from, valid_to)``; ``valid_to`` None = open-ended."""

    offer_id: str
    valid_from: dt.date
    valid_to: dt.date | None
    price_dkk_per_day: float
    price_year: int
    source: str = ""

    def covers(self, day: dt.date) -> bool:
        """True when the period includes ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True, kw_only=True)
class Offer:
    """One offer (tilbud) of the catalogue.

    ``steps`` and ``intervention_codes`` are the staircase steps and catalogue codes the offer
    serves; the first code is its primary one (its unit cost is the price fallback).
    ``expected_effect_smd`` is a standardised mean difference (positive = better outcomes) with
    its standard error ``expected_effect_se``; both None when no effect is claimed.
    """

    offer_id: str
    name: str
    provider_kind: str
    provider_name: str
    steps: tuple[int, ...]
    intervention_codes: tuple[str, ...]
    legal_basis: str
    age_min_years: int
    age_max_years: int
    target_needs: str
    places: int
    opened_on: dt.date
    closing_on: dt.date | None = None
    closed_on: dt.date | None = None
    national_register_id: str | None = None
    programme: str | None = None
    evidence_level: str = "not_assessed"
    evidence_source: str = ""
    expected_effect_smd: float | None = None
    expected_effect_se: float | None = None
    effect_source: str = ""
    prices: tuple[OfferPrice, ...] = ()

    @property
    def bought(self) -> bool:
        """True when another municipality, a region or a private provider runs it."""
        return self.provider_kind in BOUGHT

    def status_on(self, day: dt.date) -> str | None:
        """``open``, ``closing`` or ``closed`` on ``day``; None before it opened."""
        if self.closed_on is not None and day >= self.closed_on:
            return "closed"
        if self.closing_on is not None and day >= self.closing_on:
            return "closing"
        return "open" if day >= self.opened_on else None


@dataclass(frozen=True, kw_only=True)
class OfferCatalogue:
    """A validated catalogue: offers in file order (build with :func:`validate_offers`)."""

    offers: tuple[Offer, ...]

    def get(self, offer_id: str) -> Offer:
        """The offer with ``offer_id``; KeyError when none."""
        for offer in self.offers:
            if offer.offer_id == offer_id:
                return offer
        raise KeyError(offer_id)

    def for_step(self, step: int) -> tuple[Offer, ...]:
        """The offers serving ``step``."""
        return tuple(o for o in self.offers if step in o.steps)

    def __len__(self) -> int:
        return len(self.offers)
