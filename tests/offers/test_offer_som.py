"""An offer's evidence as an investment case: the TOML the economics core reads, the effect
through the logit link, the uncertainty as a triangular range."""

from __future__ import annotations

import dataclasses

import pytest

from trappen._config import parse_toml
from trappen.economics import case_from_dict, evaluate_case
from trappen.offers._som import OfferCaseInputs, offer_case_toml, success_rate_with
from trappen.synthetic import synthetic_offers

INPUTS = OfferCaseInputs(start_year=2026, participants_per_year=20, base_success_rate=0.5, price_dkk_per_day=800,
                         days_per_participant=120, step_up=5, step_up_dkk_per_child_year=470_000)


def _offer():
    return next(o for o in synthetic_offers(seed=1).offers if o.expected_effect_smd)


def test_no_effect_is_no_change_and_a_positive_effect_raises_success():
    assert success_rate_with(0.0, 0.4) == pytest.approx(0.4)
    assert success_rate_with(0.3, 0.4) > 0.4 > success_rate_with(-0.3, 0.4)


def test_the_case_reads_and_its_savings_follow_som():
    offer = _offer()
    case = case_from_dict(parse_toml(offer_case_toml(offer, INPUTS), field="(toml)"))
    effect = case.effect
    assert effect.participants_per_year == (20,) * 5
    net = effect.net_success_rate
    assert net == pytest.approx(success_rate_with(offer.expected_effect_smd, 0.5) - 0.5, abs=1e-4)
    result = evaluate_case(case)
    yearly = result.yearly()
    first = yearly.row(0, named=True)
    # SØM: participants x net success rate x change in step use x price
    assert first["saving_dkk"] == pytest.approx(20 * net * 1.0 * 470_000)
    assert first["cost_dkk"] == pytest.approx(20 * 120 * 800)  # participants x days x price per day
    assert case.uncertain  # the effect's range is a distribution


def test_an_offer_without_an_effect_is_refused():
    offer = dataclasses.replace(_offer(), expected_effect_smd=None, expected_effect_se=None)
    with pytest.raises(ValueError, match="claims no expected effect"):
        offer_case_toml(offer, INPUTS)
