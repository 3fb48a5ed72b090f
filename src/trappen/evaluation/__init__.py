"""Evaluation: did the change work?

Staggered difference-in-differences (Callaway & Sant'Anna), TWFE only as a diagnostic with its
Goodman-Bacon decomposition, honest inference with few districts, synthetic control against
other municipalities, and competing-risk durations on the steps. Pure core: no Django.

Public API::

    from trappen.evaluation import build_panel, staggered_did, twfe, bacon_decomposition
"""

from trappen.evaluation._did import (
    Cells,
    DidResult,
    PanelArrays,
    PretrendTest,
    att_cells,
    cluster_counts,
    panel_arrays,
    randomisation_p_value,
    staggered_did,
)
from trappen.evaluation._durations import (
    CAUSE_OF_END_REASON,
    EXIT_CAUSES,
    aalen_johansen,
    cause_specific_cox,
    competing_exits,
    expected_years_on_steps,
    naive_km_risk,
    restricted_mean_time,
)
from trappen.evaluation._inference import (
    FEW_TREATED_CLUSTERS,
    ClusterCounts,
    InferenceFlags,
    bootstrap_weights,
    caveats,
    inference_flags,
)
from trappen.evaluation._panel import OUTCOMES_DOC, adoption_dates, build_panel
from trappen.evaluation._synth import SyntheticControlResult, synth_weights, synthetic_control
from trappen.evaluation._twfe import TwfeResult, bacon_decomposition, twfe

__all__ = [
    "CAUSE_OF_END_REASON", "EXIT_CAUSES", "aalen_johansen", "cause_specific_cox", "competing_exits",
    "expected_years_on_steps", "naive_km_risk", "restricted_mean_time",
    "SyntheticControlResult", "synth_weights", "synthetic_control",
    "FEW_TREATED_CLUSTERS", "OUTCOMES_DOC", "Cells", "ClusterCounts", "DidResult", "InferenceFlags",
    "PanelArrays", "PretrendTest", "TwfeResult", "adoption_dates", "att_cells", "bacon_decomposition",
    "bootstrap_weights", "build_panel", "caveats", "cluster_counts", "inference_flags", "panel_arrays",
    "randomisation_p_value", "staggered_did", "twfe",
]
