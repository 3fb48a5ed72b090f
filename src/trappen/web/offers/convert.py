"""Rows to the core's model and back (``trappen.offers.Offer``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trappen.offers import OFFER_COLUMNS, Offer, OfferCatalogue, OfferPrice
from trappen.web.offers import models as om

PRICE_FIELDS = ("valid_from", "valid_to", "price_dkk_per_day", "price_year", "source")


def offer_from_row(row: om.Offer, prices: Iterable[om.OfferPrice] | None = None) -> Offer:
    """The core's offer of a database row (prices from ``prices`` or the row's own)."""
    rows = list(prices) if prices is not None else list(row.prices.all())
    values: dict[str, Any] = {c: getattr(row, c) for c in OFFER_COLUMNS}
    values["steps"] = tuple(int(s) for s in row.steps)
    values["intervention_codes"] = tuple(row.intervention_codes)
    return Offer(**values, prices=tuple(OfferPrice(offer_id=row.offer_id, **{f: getattr(p, f) for f in PRICE_FIELDS})
                                        for p in rows))


def catalogue_from_rows(rows: Iterable[om.Offer]) -> OfferCatalogue:
    """The catalogue of ``rows`` (prefetch ``prices``)."""
    return OfferCatalogue(offers=tuple(offer_from_row(r) for r in rows))


def row_values(offer: Offer) -> dict[str, Any]:
    """The model fields of a core offer (lists as JSON lists)."""
    values: dict[str, Any] = {c: getattr(offer, c) for c in OFFER_COLUMNS}
    values["steps"] = list(offer.steps)
    values["intervention_codes"] = list(offer.intervention_codes)
    return values


def snapshot(offer: Offer) -> dict[str, Any]:
    """The offer as JSON-able data (a revision's ``data``): the files' columns and its prices."""
    def plain(value: object) -> object:
        if isinstance(value, tuple):
            return list(value)
        return value.isoformat() if hasattr(value, "isoformat") else value

    data = {c: plain(getattr(offer, c)) for c in OFFER_COLUMNS}
    data["prices"] = [{f: plain(getattr(p, f)) for f in PRICE_FIELDS} for p in offer.prices]
    return data
