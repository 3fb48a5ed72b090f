"""Synthetic municipality generator: a seeded, calibrated analytic register.

Public API::

    from trappen.synthetic import generate, calibration_report

    register = generate(children=20_000, years=10, seed=1)
    calibration_report(register)
    calibration_by_year(register)  # every published figure, per year, with its deviation
    header, episodes = synthetic_ssda903(children=1_000, seed=1)  # England's SSDA903 files
    offers = synthetic_offers(seed=1)  # an offer catalogue (tilbud), 30-60 offers
    nation = synthetic_nation(municipalities=98, children_scale=150, seed=1)  # code -> register
"""

from trappen.synthetic._calibration import MODEL_TOLERANCE, calibration_report
from trappen.synthetic._generator import generate
from trappen.synthetic._nation import SyntheticMunicipality, synthetic_municipalities, synthetic_nation
from trappen.synthetic._offers import TIGHT_SHARE, USUAL_PLACES_BY_STEP, is_tight, synthetic_offers
from trappen.synthetic._params import (
    HERNING_CASELOAD,
    NORMAL_CASELOAD,
    PILOT_DOWN_FACTOR,
    PILOT_EARLY_HELP_FACTOR,
    PILOT_PLACEMENT_FACTOR,
    PILOT_UP_FACTOR,
    PILOT_YOUNG_NOTIFICATION_FACTOR,
)
from trappen.synthetic._ssda903 import synthetic_ssda903
from trappen.synthetic._trend import calibration_by_year, generated_series

__all__ = [
    "HERNING_CASELOAD", "MODEL_TOLERANCE", "NORMAL_CASELOAD", "PILOT_DOWN_FACTOR",
    "PILOT_EARLY_HELP_FACTOR", "PILOT_PLACEMENT_FACTOR", "PILOT_UP_FACTOR",
    "PILOT_YOUNG_NOTIFICATION_FACTOR", "SyntheticMunicipality", "calibration_by_year",
    "calibration_report", "generate", "generated_series",
    "synthetic_municipalities", "synthetic_nation", "synthetic_ssda903",
    "TIGHT_SHARE", "USUAL_PLACES_BY_STEP", "is_tight", "synthetic_offers",
]
