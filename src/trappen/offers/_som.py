"""An offer's evidence as an investment case (SØM style: participants x net success rate x
change in step use x prices), with the effect's uncertainty, as the TOML the economics core
reads (``trappen.economics.load_case``; docs/economics.md).

The expected effect is a standardised mean difference (SMD) with its standard error. It becomes
a difference in success rates by the logit link (Hasselblad & Hedges 1995: ln OR = SMD x pi /
sqrt(3)), around the success rate without the offer; the 95 % interval (SMD +- 1.96 SE) gives a
triangular distribution of the success rate with the offer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from trappen.offers._model import Offer

LOGIT_PER_SMD = math.pi / math.sqrt(3)
"""Hasselblad, V. & Hedges, L. V. (1995), Meta-analysis of screening and diagnostic tests,
Psychological Bulletin 117(1): ln(odds ratio) = SMD x pi / sqrt(3)."""
Z95 = 1.959964


def success_rate_with(smd: float, base_rate: float) -> float:
    """The success rate with the offer, for an effect ``smd`` over ``base_rate`` (logit link)."""
    base = min(max(base_rate, 1e-6), 1 - 1e-6)
    logit = math.log(base / (1 - base)) + smd * LOGIT_PER_SMD
    return 1 / (1 + math.exp(-logit))


@dataclass(frozen=True, kw_only=True)
class OfferCaseInputs:
    """What the case needs besides the offer (from the register and the prices)."""

    start_year: int
    participants_per_year: float
    base_success_rate: float
    """The share of children who succeed without the offer (the comparison group)."""
    price_dkk_per_day: float
    days_per_participant: float
    step_up: int
    """The step a child who does not succeed is assumed to move to."""
    step_up_dkk_per_child_year: float
    child_years_avoided_per_success: float = 1.0
    """ASSUMPTION: a success is this many child-years fewer on ``step_up``."""
    horizon_years: int = 5


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def offer_case_toml(offer: Offer, inputs: OfferCaseInputs) -> str:
    """The investment case of buying (or running) ``offer`` for its participants, as TOML.

    Raises:
        ValueError: the offer claims no expected effect (``expected_effect_smd`` None).
    """
    if offer.expected_effect_smd is None or offer.expected_effect_se is None:
        raise ValueError(f"offer {offer.offer_id} claims no expected effect: nothing to build a case on")
    smd, se = offer.expected_effect_smd, offer.expected_effect_se
    base = inputs.base_success_rate
    low, mode, high = (success_rate_with(v, base) for v in (smd - Z95 * se, smd, smd + Z95 * se))
    yearly_cost = inputs.participants_per_year * inputs.days_per_participant * inputs.price_dkk_per_day
    years = inputs.horizon_years
    price = inputs.step_up_dkk_per_child_year
    description = "Built from the offer catalogue: the offer's expected effect and price; edit the assumptions."
    cost_source = (f"{inputs.participants_per_year:g} participants a year x {inputs.days_per_participant:.0f} days x "
                   f"{inputs.price_dkk_per_day:.0f} DKK a day (offer {offer.offer_id})")
    effect_source = (f"expected effect SMD {smd:g} (SE {se:g}) of {offer.programme or offer.name}: "
                     f"{offer.effect_source or offer.evidence_source}; logit link (Hasselblad & Hedges 1995); "
                     f"evidence level {offer.evidence_level}")
    return "\n".join([
        "[case]",
        f"name = {_q(f'{offer.name}: {offer.programme or offer.offer_id} (from the offer catalogue)')}",
        f"description = {_q(description)}",
        f"price_year = {inputs.start_year}",
        f"start_year = {inputs.start_year}",
        f"horizon_years = {years}",
        "",
        "[[costs]]",
        f"name = {_q(f'{offer.name}: places bought or run')}",
        'payer = "municipality"',
        f"dkk = [{', '.join(f'{yearly_cost:.0f}' for _ in range(years))}]",
        f"price_year = {inputs.start_year}",
        f"source = {_q(cost_source)}",
        "",
        "[effect]",
        'kind = "som"',
        f"participants = [{', '.join(f'{inputs.participants_per_year:g}' for _ in range(years))}]",
        f'success_rate_with = {{ dist = "triangular", low = {low:.4f}, mode = {mode:.4f}, high = {high:.4f} }}',
        f"success_rate_without = {base:.4f}",
        f"source = {_q(effect_source)}",
        "",
        "[effect.use_change_per_success]",
        f'"{inputs.step_up}" = {-inputs.child_years_avoided_per_success:g}',
        "",
        "[[prices]]",
        f"step = {inputs.step_up}",
        f"municipality = {price:.0f}",
        f"price_year = {inputs.start_year}",
        f"source = {_q(f'unit cost of step {inputs.step_up} (the catalogue), DKK per child-year')}",
        "",
    ])
