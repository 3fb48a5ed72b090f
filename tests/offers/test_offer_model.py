"""The offer model: checks in memory, the price lookup with the unit-cost fallback, status dates
and closed offers refusing new episodes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from trappen.economics import default_rates
from trappen.errors import InvalidInput
from trappen.offers import (
    EVIDENCE_LEVELS,
    Offer,
    OfferPrice,
    check_new_episodes,
    offer_price_dkk_per_day,
    validate_offers,
)
from trappen.staircase import default_catalogue


def _offer(**changes: object) -> Offer:
    base = Offer(offer_id="T1", name="PMTO-behandling", provider_kind="own_municipality",
                 provider_name="Familiehuset", steps=(3,), intervention_codes=("PMTO",), legal_basis="§ 32",
                 age_min_years=3, age_max_years=12, target_needs="udadreagerende adfærd", places=8,
                 opened_on=dt.date(2015, 1, 1), programme="PMTO", evidence_level="evidence_based",
                 expected_effect_smd=0.3, expected_effect_se=0.08)
    return replace(base, **changes)


def _price(valid_from: dt.date, valid_to: dt.date | None, dkk: float) -> OfferPrice:
    return OfferPrice(offer_id="T1", valid_from=valid_from, valid_to=valid_to, price_dkk_per_day=dkk,
                      price_year=valid_from.year)


def test_own_price_first_then_the_unit_cost_of_the_primary_code() -> None:
    offer = _offer(prices=(_price(dt.date(2024, 1, 1), dt.date(2025, 1, 1), 300.0),
                           _price(dt.date(2025, 1, 1), None, 310.0)))
    unit_cost = default_catalogue().get("PMTO").cost_dkk_per_day
    assert offer_price_dkk_per_day(offer, on=dt.date(2024, 6, 1)) == 300.0
    assert offer_price_dkk_per_day(offer, on=dt.date(2025, 1, 1)) == 310.0  # a period starts on its day
    assert offer_price_dkk_per_day(offer, on=dt.date(2023, 12, 31)) == pytest.approx(unit_cost)
    assert offer_price_dkk_per_day(_offer(), on=dt.date(2024, 6, 1)) == pytest.approx(unit_cost)


def test_the_fallback_follows_the_rates_given() -> None:
    rates = default_rates().with_new_price("PMTO", valid_from=dt.date(2024, 1, 1), cost_dkk_per_day=999.0,
                                           price_year=2024)
    assert offer_price_dkk_per_day(_offer(), on=dt.date(2024, 2, 1), rates=rates) == 999.0
    assert offer_price_dkk_per_day(_offer(), on=dt.date(2023, 2, 1), rates=rates) == pytest.approx(
        default_catalogue().get("PMTO").cost_dkk_per_day)


def test_status_follows_its_dates() -> None:
    offer = _offer(closing_on=dt.date(2025, 1, 1), closed_on=dt.date(2025, 7, 1))
    assert [offer.status_on(d) for d in (dt.date(2014, 1, 1), dt.date(2020, 1, 1), dt.date(2025, 3, 1),
                                         dt.date(2025, 7, 1))] == [None, "open", "closing", "closed"]


def test_a_closed_offer_refuses_new_episodes_naming_the_row() -> None:
    catalogue = validate_offers([_offer(closing_on=dt.date(2025, 1, 1), closed_on=dt.date(2025, 7, 1))])
    check_new_episodes(catalogue, starts=[("T1", dt.date(2025, 6, 30))])  # closing: still allowed
    with pytest.raises(InvalidInput) as caught:
        check_new_episodes(catalogue, starts=[("T1", dt.date(2025, 6, 1)), ("T1", dt.date(2025, 7, 1)),
                                              ("T9", dt.date(2025, 1, 1))])
    assert {(p.row, p.field) for p in caught.value.problems} == {(2, "start_date"), (3, "offer_id")}


@pytest.mark.parametrize(("changes", "field"), [
    ({"steps": (0,)}, "steps"),
    ({"intervention_codes": ("NOPE",)}, "intervention_codes"),
    ({"places": -1}, "places"),
    ({"age_min_years": 13}, "age_max_years"),
    ({"closing_on": dt.date(2014, 1, 1)}, "closing_on"),
    ({"evidence_level": "gold"}, "evidence_level"),
    ({"expected_effect_se": -0.01}, "expected_effect_se"),
    ({"expected_effect_se": None}, "expected_effect_se"),
    ({"prices": (_price(dt.date(2024, 1, 1), None, 1.0), _price(dt.date(2025, 1, 1), None, 2.0))}, "valid_from"),
])
def test_in_memory_offers_are_checked_too(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_offers([_offer(), _offer(offer_id="T2", **changes)])
    assert field in {p.field for p in caught.value.problems}
    assert {p.row for p in caught.value.problems if p.field == field} == {2}


def test_the_evidence_levels_are_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "offers.md").read_text(encoding="utf-8")
    assert all(f"`{level}`" in doc for level in EVIDENCE_LEVELS)
