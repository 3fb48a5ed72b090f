"""Checking offers against the staircase and the intervention catalogue, the price lookup, and
the refusal of new episodes in a closed offer."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence

from trappen.errors import InvalidInput, Problem, ProblemCollector
from trappen.offers._model import (
    AGE_MAX_YEARS,
    AGE_MIN_YEARS,
    EVIDENCE_LEVELS,
    PROVIDERS,
    Offer,
    OfferCatalogue,
)
from trappen.staircase import Catalogue

OFFERS_TABLE = "offers"
PRICES_TABLE = "prices"


def _offer_problems(offer: Offer, *, row: int, catalogue: Catalogue, bad: ProblemCollector) -> None:
    def add(column: str, value: object, message: str) -> None:
        bad.add(field=column, value=value, message=message, row=row, table=OFFERS_TABLE)

    if not offer.offer_id.strip():
        add("offer_id", offer.offer_id, "every offer needs an id")
    if not offer.name.strip():
        add("name", offer.name, "every offer needs a name")
    if offer.provider_kind not in PROVIDERS:
        add("provider_kind", offer.provider_kind, f"unknown provider kind; use one of {', '.join(PROVIDERS)}")
    numbers = catalogue.staircase.numbers
    if not offer.steps:
        add("steps", "", "name at least one step")
    for step in offer.steps:
        if step not in numbers:
            add("steps", step, f"unknown step; the staircase has steps {', '.join(map(str, numbers))}")
    if not offer.intervention_codes:
        add("intervention_codes", "", "name at least one intervention code")
    for code in offer.intervention_codes:
        if code not in catalogue:
            add("intervention_codes", code, "unknown intervention code (not in the intervention catalogue)")
        elif offer.steps and not set(catalogue.get(code).steps) & set(offer.steps):
            add("intervention_codes", code, (f"{code} is used on step(s) "
                                             f"{', '.join(map(str, catalogue.get(code).steps))}, "
                                             "none of which the offer serves"))
    for column, age in (("age_min_years", offer.age_min_years), ("age_max_years", offer.age_max_years)):
        if not AGE_MIN_YEARS <= age <= AGE_MAX_YEARS:
            add(column, age, f"ages must be within {AGE_MIN_YEARS}-{AGE_MAX_YEARS} years")
    if offer.age_min_years > offer.age_max_years:
        add("age_max_years", offer.age_max_years, f"below age_min_years ({offer.age_min_years})")
    if offer.places < 0:
        add("places", offer.places, "places must be a whole number >= 0")
    _timeline(offer, add=add)
    if offer.evidence_level not in EVIDENCE_LEVELS:
        add("evidence_level", offer.evidence_level, f"unknown evidence level; use one of {', '.join(EVIDENCE_LEVELS)}")
    for column, number in (("expected_effect_smd", offer.expected_effect_smd),
                           ("expected_effect_se", offer.expected_effect_se)):
        if number is not None and not math.isfinite(number):
            add(column, number, "must be a finite number")
    if offer.expected_effect_se is not None and offer.expected_effect_se < 0:
        add("expected_effect_se", offer.expected_effect_se, "an uncertainty (standard error) must be >= 0")
    if (offer.expected_effect_smd is None) != (offer.expected_effect_se is None):
        add("expected_effect_se", offer.expected_effect_se,
            "an expected effect needs its uncertainty, and an uncertainty its effect")


def _timeline(offer: Offer, *, add: Callable[[str, object, str], None]) -> None:
    """open <= closing <= closed: a status timeline never goes backwards."""
    last_name, last_day = "opened_on", offer.opened_on
    for name, day in (("closing_on", offer.closing_on), ("closed_on", offer.closed_on)):
        if day is None:
            continue
        if day < last_day:
            add(name, day.isoformat(), f"before {last_name} ({last_day.isoformat()}): "
                "the status timeline goes open, closing, closed")
        else:
            last_name, last_day = name, day


def _price_problems(offer: Offer, *, rows: Sequence[int], bad: ProblemCollector) -> None:
    def add(column: str, value: object, message: str, row: int) -> None:
        bad.add(field=column, value=value, message=message, row=row, table=PRICES_TABLE)

    for price, row in zip(offer.prices, rows, strict=True):
        if price.offer_id != offer.offer_id:
            add("offer_id", price.offer_id, f"a price listed under offer {offer.offer_id!r}", row)
        if not math.isfinite(price.price_dkk_per_day) or price.price_dkk_per_day < 0:
            add("price_dkk_per_day", price.price_dkk_per_day, "a price must be a finite number >= 0", row)
        if price.valid_to is not None and price.valid_to <= price.valid_from:
            add("valid_to", price.valid_to.isoformat(), "must be after valid_from", row)
    ordered = sorted(zip(offer.prices, rows, strict=True), key=lambda pr: pr[0].valid_from)
    for (before, before_row), (after, row) in zip(ordered, ordered[1:], strict=False):
        if before.valid_to is None or before.valid_to > after.valid_from:
            add("valid_from", after.valid_from.isoformat(),
                f"overlaps the price period of offer {offer.offer_id!r} in row {before_row}", row)


def offer_problems(offers: Sequence[Offer], *, catalogue: Catalogue,
                   offer_rows: Sequence[int] | None = None,
                   price_rows: Sequence[Sequence[int]] | None = None) -> list[Problem]:
    """Every problem of ``offers``, each naming its table (offers/prices), row and column.

    ``offer_rows[i]`` is the file row of ``offers[i]`` and ``price_rows[i][j]`` that of
    ``offers[i].prices[j]``; by default rows count from 1 in order.
    """
    bad = ProblemCollector()
    if offer_rows is None:
        offer_rows = range(1, len(offers) + 1)
    if price_rows is None:
        counter = iter(range(1, sum(len(o.prices) for o in offers) + 1))
        price_rows = [[next(counter) for _ in o.prices] for o in offers]
    seen: dict[str, int] = {}
    for offer, row, rows in zip(offers, offer_rows, price_rows, strict=True):
        if offer.offer_id in seen:
            bad.add(field="offer_id", value=offer.offer_id, message=f"the same id as row {seen[offer.offer_id]}",
                    row=row, table=OFFERS_TABLE)
        seen.setdefault(offer.offer_id, row)
        _offer_problems(offer, row=row, catalogue=catalogue, bad=bad)
        _price_problems(offer, rows=rows, bad=bad)
    return bad.problems


def validate_offers(offers: Sequence[Offer], *, catalogue: Catalogue | None = None) -> OfferCatalogue:
    """The offers as a catalogue, or every problem at once.

    Raises:
        InvalidInput: an unknown step or intervention code, negative places, ages outside
            0-22, a status timeline that goes backwards, an unknown evidence level, a negative
            uncertainty, a bad or overlapping price period (rows count from 1 in order).
    """
    from trappen.staircase import default_catalogue

    problems = offer_problems(offers, catalogue=catalogue or default_catalogue())
    if problems:
        raise InvalidInput(problems)
    return OfferCatalogue(offers=tuple(offers))


def offer_price_dkk_per_day(offer: Offer, *, on: dt.date, rates: object | None = None) -> float | None:
    """The offer's price per day ``on`` a day: its own price period covering the day, else the
    unit cost of its primary (first) intervention code from the economics rates.

    Args:
        offer: the offer.
        on: the day priced.
        rates: a :class:`trappen.economics.RateTable`; the catalogue's unit costs
            (:func:`trappen.economics.default_rates`) by default.

    Returns:
        DKK per day, or None when neither the offer nor the rates have a price that day.
    """
    for price in offer.prices:
        if price.covers(on):
            return price.price_dkk_per_day
    if rates is None:
        from trappen.economics import default_rates

        rates = default_rates()
    return rates.rate_on(offer.intervention_codes[0], on) if offer.intervention_codes else None  # type: ignore[attr-defined]


def check_new_episodes(catalogue: OfferCatalogue, *, starts: Sequence[tuple[str, dt.date]],
                       table: str = "episodes", column: str = "start_date") -> None:
    """Refuse episodes that start in an offer on or after its ``closed_on`` (or an unknown offer).

    ``starts`` lists (offer_id, start date) in row order; rows count from 1.

    Raises:
        InvalidInput: naming each refused row and ``column``.
    """
    ids = {o.offer_id: o for o in catalogue.offers}
    bad = ProblemCollector()
    for row, (offer_id, start) in enumerate(starts, start=1):
        offer = ids.get(offer_id)
        if offer is None:
            bad.add(field="offer_id", value=offer_id, message="unknown offer", row=row, table=table)
        elif offer.status_on(start) == "closed":
            bad.add(field=column, value=start.isoformat(), row=row, table=table,
                    message=f"offer {offer_id!r} closed on {offer.closed_on}: no new episodes")
    bad.raise_if_any()


