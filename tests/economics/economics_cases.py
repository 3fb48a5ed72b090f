"""Hand-computable investment cases shared by the economics tests."""

from __future__ import annotations


def golden(rate: float = 0.0, **effect: object) -> dict:
    """A 4-year case small enough to compute by hand.

    Cost: 0.5 FTE x 100,000 DKK = 50,000 DKK a year, paid by the municipality.
    Effect: 10 participants x (0.5 - 0.3) = 2 successful children a year at full effect,
    phase-in 0, 0.5, then 1, so successes are 0, 1, 2, 2.
    Each success is 1 child-year fewer on step 6, priced 60,000 (municipality) + 10,000
    (region) = 70,000 DKK, so savings are 0, 70,000, 140,000, 140,000.
    Net: -50,000, 20,000, 90,000, 90,000.
    """
    eff = {"kind": "som", "participants": 10, "success_rate_with": 0.5,
           "success_rate_without": 0.3, "phase_in": [0.0, 0.5],
           "use_change_per_success": {"6": -1.0}}
    eff.update(effect)
    return {
        "case": {"name": "golden", "price_year": 2024, "horizon_years": 4},
        "discount": {"periods": [{"from_year": 0, "to_year": 35, "rate_per_year": rate}]},
        "costs": [{"name": "caseworker", "payer": "municipality", "fte": 0.5,
                   "dkk_per_fte_per_year": 100_000}],
        "prices": [{"step": 6, "municipality": 60_000, "region": 10_000, "price_year": 2024}],
        "effect": eff,
        "decision_rule": {"name": "earn back after 1, surplus after 3",
                          "earn_back_after_years": 1, "surplus_after_years": 3},
    }
