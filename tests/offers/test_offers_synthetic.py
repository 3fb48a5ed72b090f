"""The synthetic offer catalogue: 30-60 valid offers over all six steps, own and bought, some tight,
some closing or closed, the evidence-based programmes by name; the same seed, the same offers."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.offers import BOUGHT, offer_problems
from trappen.staircase import default_catalogue
from trappen.synthetic import TIGHT_SHARE, USUAL_PLACES_BY_STEP, is_tight, synthetic_offers

SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_realistic_catalogue(seed: int) -> None:
    offers = synthetic_offers(seed=seed).offers
    assert 30 <= len(offers) <= 60
    assert offer_problems(offers, catalogue=default_catalogue()) == []
    assert {s for o in offers for s in o.steps} == {1, 2, 3, 4, 5, 6}
    assert any(o.provider_kind == "own_municipality" for o in offers)
    assert any(o.provider_kind in BOUGHT for o in offers)
    assert any(is_tight(o) for o in offers)
    today = dt.date(2026, 12, 1)
    assert {"open", "closing", "closed"} <= {o.status_on(today) for o in offers}
    assert {"PMTO", "MST", "FFT", "De Utrolige År"} <= {o.programme for o in offers}
    assert any(o.prices for o in offers) and any(not o.prices for o in offers)  # some use the fallback
    assert all(o.national_register_id for o in offers if o.bought)


def test_the_same_seed_gives_the_same_catalogue() -> None:
    assert synthetic_offers(seed=5) == synthetic_offers(seed=5)
    assert synthetic_offers(seed=5) != synthetic_offers(seed=6)


@pytest.mark.parametrize("offers", [30, 60])
def test_the_number_of_offers_can_be_chosen(offers: int) -> None:
    assert len(synthetic_offers(seed=1, offers=offers)) == offers


@pytest.mark.parametrize("offers", [29, 61])
def test_a_number_outside_30_60_is_refused(offers: int) -> None:
    with pytest.raises(ValueError, match="30-60"):
        synthetic_offers(seed=1, offers=offers)


def test_tight_means_few_places_for_the_step() -> None:
    offer = synthetic_offers(seed=1).offers[0]
    from dataclasses import replace

    usual = USUAL_PLACES_BY_STEP[max(offer.steps)]
    assert is_tight(replace(offer, places=int(usual * TIGHT_SHARE)))
    assert not is_tight(replace(offer, places=usual))
