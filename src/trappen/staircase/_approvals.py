"""Approval of step-ups, as data: which steps need approval before an intervention on them starts
and by whom, and which decisions the law reserves for the children and young people's committee
(børn og unge-udvalget). Read from ``data/approvals.toml`` or a municipality's own file.

Public API::

    from trappen.staircase import load_approval_rules, default_approval_rules
    rules = default_approval_rules()
    rules.approver(step=5)                                    # "teamleader"
    rules.committee_decision(step=5, without_consent=True)    # the § 47 rule
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from trappen._config import read_toml
from trappen._validation import StrictModel, Text, one_of, validate_rule_file
from trappen.staircase._model import CATEGORIES, Staircase, load_staircase

APPROVERS = ("teamleader",)
"""Roles that may approve a step-up (a role of :mod:`trappen.privacy.roles`)."""


@dataclass(frozen=True, kw_only=True)
class StepApproval:
    """Starting an intervention on ``step`` needs approval by ``approved_by``, because ``why``."""

    step: int
    approved_by: str
    why: str


@dataclass(frozen=True, kw_only=True)
class CommitteeDecision:
    """A decision the law reserves for the children and young people's committee.

    Attributes:
        decision: the key (``placement_without_consent``).
        steps: the staircase's step numbers of the decision's categories.
        law: the section of the law, as the law names it.
    """

    decision: str
    name_da: str
    name_en: str
    steps: tuple[int, ...]
    law: str
    why: str

    def name(self, language: str = "da") -> str:
        return self.name_da if language == "da" else self.name_en


@dataclass(frozen=True, kw_only=True)
class ApprovalRules:
    """The loaded rules: approval per step, and the committee's reserved decisions."""

    steps: Mapping[int, StepApproval]
    committee: tuple[CommitteeDecision, ...]
    source: str

    def approver(self, *, step: int) -> str | None:
        """The role that approves an intervention on ``step``; ``None``: no approval needed."""
        rule = self.steps.get(step)
        return rule.approved_by if rule is not None else None

    def committee_steps(self) -> tuple[int, ...]:
        """Steps on which some decision is reserved for the committee (a placement's consent)."""
        return tuple(sorted({s for d in self.committee for s in d.steps}))

    def committee_decision(self, *, step: int, without_consent: bool) -> CommitteeDecision | None:
        """The committee's reserved decision for an intervention on ``step`` (only placements
        without consent are reserved today); ``None`` when the administration decides."""
        if not without_consent:
            return None
        return next((d for d in self.committee if step in d.steps), None)

    def needs_approval(self, *, step: int, without_consent: bool) -> bool:
        """Whether an intervention on ``step`` waits for an approval or a committee decision."""
        return (self.approver(step=step) is not None
                or self.committee_decision(step=step, without_consent=without_consent) is not None)


def _a_reason(why: str) -> str:
    if len(why.strip()) < 10:
        raise PydanticCustomError("no_reason", "needs a `why` sentence (10 characters or more)")
    return why.strip()


def _step_on_staircase(key: str, info: ValidationInfo) -> str:
    numbers = (info.context or {})["steps"]
    try:
        number = int(key)
    except ValueError:
        raise PydanticCustomError("step_key", 'keys must be step numbers, e.g. "5"') from None
    if number not in numbers:
        raise PydanticCustomError("not_on_staircase", "step not on the staircase {numbers}",
                                  {"numbers": ", ".join(str(n) for n in numbers)})
    return key


Why = Annotated[str, AfterValidator(_a_reason)]


class _StepRule(StrictModel):
    model_config = ConfigDict(extra="forbid")

    approved_by: Annotated[str, one_of(APPROVERS, what="approver")]
    why: Why


class _Committee(StrictModel):
    model_config = ConfigDict(extra="forbid")

    decision: Text
    name_da: Text
    name_en: Text
    categories: Annotated[list[Annotated[str, one_of(CATEGORIES, what="step category")]], Field(min_length=1)]
    law: Text
    why: Why


class _ApprovalsFile(StrictModel):
    model_config = ConfigDict(extra="forbid")

    source: Text
    steps: dict[Annotated[str, AfterValidator(_step_on_staircase)], _StepRule] = {}
    committee: list[_Committee] = []


def load_approval_rules(path: Path | str | None = None, *, staircase: Staircase | None = None) -> ApprovalRules:
    """The rules in ``path`` (default: the shipped ``approvals.toml``), checked against ``staircase``.

    Raises:
        ConfigurationError: the file is unreadable or not TOML; an unknown key, an approver that
            is not one of :data:`APPROVERS`, a step the staircase does not have, an unknown
            category, or a rule without a ``why``: every problem, each naming the file, the key
            path (``steps.4.approved_by``) and the value.
    """
    staircase = staircase or load_staircase()
    data, where = read_toml(path, package="trappen.staircase", name="approvals.toml")
    model = validate_rule_file(_ApprovalsFile, data, where=where, named_items={"committee": "decision"},
                               context={"steps": staircase.numbers})
    steps = {int(k): StepApproval(step=int(k), approved_by=r.approved_by, why=r.why)
             for k, r in model.steps.items()}
    committee = tuple(CommitteeDecision(decision=c.decision, name_da=c.name_da, name_en=c.name_en,
                                        steps=staircase.numbers_in(tuple(c.categories)), law=c.law, why=c.why)
                      for c in model.committee)
    return ApprovalRules(steps=steps, committee=committee, source=model.source)


@cache
def default_approval_rules() -> ApprovalRules:
    """The shipped rules (team leader approves steps 4-6; § 47 reserved for the committee)."""
    return load_approval_rules()
