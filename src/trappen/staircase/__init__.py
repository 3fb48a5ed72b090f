"""The intervention staircase (indsatstrappen): steps, catalogue and rules, as data.

Public API::

    from trappen.staircase import default_staircase, default_catalogue, current_step, Span
    from trappen.staircase import default_paragraph_codes   # section and DST code per intervention
    from trappen.staircase import default_approval_rules    # which step-ups need approval
"""

from trappen.staircase._approvals import (
    ApprovalRules,
    CommitteeDecision,
    StepApproval,
    default_approval_rules,
    load_approval_rules,
)
from trappen.staircase._codes import (
    ParagraphCode,
    ParagraphCodes,
    default_paragraph_codes,
    load_paragraph_codes,
)
from trappen.staircase._model import (
    CATEGORIES,
    FAMILY_CARE_CATEGORIES,
    NOT_ON_STAIRCASE,
    PLACEMENT_CATEGORIES,
    Catalogue,
    InterventionType,
    Staircase,
    Step,
    default_catalogue,
    default_staircase,
    load_catalogue,
    load_staircase,
)
from trappen.staircase._rules import (
    END_REASONS,
    MIN_REASON_CHARS,
    Span,
    check_escalation,
    check_step_allowed,
    current_step,
    move_direction,
    steps_needing_reasons,
    trajectory,
    validate_staircase_step,
)

__all__ = [
    "CATEGORIES", "END_REASONS", "FAMILY_CARE_CATEGORIES", "MIN_REASON_CHARS", "NOT_ON_STAIRCASE",
    "PLACEMENT_CATEGORIES", "Catalogue", "InterventionType", "Span", "Staircase", "Step",
    "check_escalation", "check_step_allowed", "current_step", "default_catalogue",
    "default_staircase", "load_catalogue", "load_staircase", "move_direction",
    "steps_needing_reasons", "trajectory", "validate_staircase_step",
    "ParagraphCode", "ParagraphCodes", "default_paragraph_codes", "load_paragraph_codes",
    "ApprovalRules", "CommitteeDecision", "StepApproval", "default_approval_rules", "load_approval_rules",
]
