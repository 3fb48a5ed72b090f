"""Staircase rules for one child: current step, trajectory, escalation and step checks.

Dates: an episode is active on day ``d`` when ``start <= d`` and (``end is None`` or
``d < end``): the end date is the first day without the intervention, so an intervention that
ends on the day another starts does not overlap it, and an episode lasts ``end - start`` days.
The vectorised versions for whole registers live in :mod:`trappen.register`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from trappen.errors import EscalationNeedsJustification, Problem, StepNotAllowed
from trappen.staircase._model import NOT_ON_STAIRCASE, Catalogue, Staircase

MIN_REASON_CHARS = 10
"""A reason shorter than this is not a reason ("n/a", "no")."""

END_REASONS = (
    "goal_reached",
    "planned_end",
    "moved_up",
    "moved_down",
    "breakdown",
    "moved_away",
    "turned_18",
    "turned_23",
    "other",
)
"""The fixed list of reasons an intervention episode ends (foundation issue)."""


@dataclass(frozen=True, kw_only=True)
class Span:
    """A step held over a period: the minimal view of an intervention episode."""

    step: int
    start: date
    end: date | None = None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def current_step(spans: Iterable[Span], *, on: date) -> int:
    """The child's step on ``on``: the highest step of its active interventions, else 0."""
    return max((s.step for s in spans if s.active_on(on)), default=NOT_ON_STAIRCASE)


def trajectory(spans: Iterable[Span]) -> list[tuple[date, int]]:
    """The child's step over time, as (date the step began, step) change points.

    A final ``(date, 0)`` marks the day the child left the staircase, if it did.
    """
    spans = list(spans)
    days = sorted({s.start for s in spans} | {s.end for s in spans if s.end is not None})
    points: list[tuple[date, int]] = []
    for day in days:
        step = current_step(spans, on=day)
        if not points or points[-1][1] != step:
            points.append((day, step))
    return points


def steps_needing_reasons(*, current: int, target: int) -> list[int]:
    """The lower steps an escalation from ``current`` to ``target`` must say were considered.

    Every step from the current one (or step 1 for a child not on the staircase) up to the step
    below the target: the law asks for the measure that best meets the need, and Herning asks
    for the step closest to everyday life that still works, so each step passed over must be
    accounted for. Moving onto the lowest step needs none.
    """
    if target <= current:
        return []
    return list(range(max(current, 1), target))


def check_escalation(*, current: int, target: int, reasons: Mapping[int, str] | None) -> None:
    """Refuse an escalation whose justification does not cover every lower step.

    Args:
        current: the child's step on the start date of the new intervention.
        target: the step of the new intervention.
        reasons: for each lower step considered, why it does not meet the child's need.

    Raises:
        EscalationNeedsJustification: a required step has no reason of at least
            ``MIN_REASON_CHARS`` characters.
    """
    reasons = reasons or {}
    missing = [s for s in steps_needing_reasons(current=current, target=target)
               if len((reasons.get(s) or "").strip()) < MIN_REASON_CHARS]
    if missing:
        raise EscalationNeedsJustification(target_step=target, missing_steps=missing)


def check_step_allowed(catalogue: Catalogue, *, code: str, step: int) -> None:
    """Refuse an unknown intervention code or one used on a step its entry does not allow.

    Raises:
        StepNotAllowed: the code is unknown, or ``step`` is not among its steps.
    """
    if code not in catalogue:
        raise StepNotAllowed(Problem(field="intervention_code", value=code,
                                     message="unknown intervention type"))
    allowed = catalogue.get(code).steps
    if step not in allowed:
        raise StepNotAllowed(Problem(
            field="step", value=step,
            message=f"intervention type {code} may be used on step(s) "
                    f"{', '.join(map(str, allowed))} only"))


def move_direction(*, before: int, after: int) -> str:
    """'up', 'down' or 'same' for a change of step."""
    return "up" if after > before else "down" if after < before else "same"


def validate_staircase_step(staircase: Staircase, step: int) -> None:
    """Refuse a step number the staircase does not have."""
    if step not in staircase.numbers:
        raise StepNotAllowed(Problem(field="step", value=step,
                                     message=f"not a step of this staircase {staircase.numbers}"))
