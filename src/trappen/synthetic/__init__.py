"""Synthetic municipality generator: a seeded, calibrated analytic register.

Public API::

    from trappen.synthetic import generate, calibration_report

    register = generate(children=20_000, years=10, seed=1)
    calibration_report(register)
    header, episodes = synthetic_ssda903(children=1_000, seed=1)  # England's SSDA903 files
"""

from trappen.synthetic._calibration import MODEL_TOLERANCE, calibration_report
from trappen.synthetic._generator import generate
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

__all__ = [
    "HERNING_CASELOAD", "MODEL_TOLERANCE", "NORMAL_CASELOAD", "PILOT_DOWN_FACTOR",
    "PILOT_EARLY_HELP_FACTOR", "PILOT_PLACEMENT_FACTOR", "PILOT_UP_FACTOR",
    "PILOT_YOUNG_NOTIFICATION_FACTOR", "calibration_report", "generate", "synthetic_ssda903",
]
