"""Caseload rules, read from ``data/caseload.toml``: the target (children per full-time
caseworker) and the weight of a child on each step. The one source of the defaults used by the
KPI engine, the report and the web layer, which may override them from settings
(``TRAPPEN_CASELOAD_TARGET``, ``TRAPPEN_CASELOAD_FILE``) and pass the values in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

import polars as pl
from pydantic import Field, ValidationError

from trappen._config import read_toml
from trappen._validation import Finite, StepKey, StrictModel, problems_from
from trappen.errors import ConfigurationError

Positive = Annotated[Finite, Field(gt=0)]


class _CaseloadFile(StrictModel):
    children_per_fte: Positive
    no_step_weight: Positive = 1.0
    step_weights: dict[StepKey, Positive] = Field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CaseloadRules:
    """The caseload target and the step weights.

    Attributes:
        children_per_fte: children per FTE above which a caseworker counts as over target.
        step_weights: weight of a child whose highest current step is the key.
        no_step_weight: weight of a child with no current step (or a step not in the table).
    """

    children_per_fte: float
    step_weights: Mapping[int, float]
    no_step_weight: float = 1.0

    def weight_expr(self, step: pl.Expr) -> pl.Expr:
        """A child's weight from their highest current step (null: no step)."""
        expr = pl.lit(self.no_step_weight)
        for s, w in sorted(self.step_weights.items()):
            expr = pl.when(step == s).then(pl.lit(w)).otherwise(expr)
        return expr.cast(pl.Float64)

    def weighted_count(self, steps: list[int | None]) -> float:
        """The weighted caseload of children with these highest current steps."""
        return float(sum(self.step_weights.get(s, self.no_step_weight) if s is not None
                         else self.no_step_weight for s in steps))


def load_caseload_rules(path: Path | str | None = None) -> CaseloadRules:
    """The rules in ``path`` (default: the shipped ``caseload.toml``).

    Raises:
        ConfigurationError: the file is unreadable, or a value is missing or not a number above
            0 (names the file, the key and the value).
    """
    data, where = read_toml(path, package="trappen.kpi", name="caseload.toml")
    try:
        parsed = _CaseloadFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{p.field}: {p.message} (got {p.value!r})" for p in problems_from(exc, data))
        raise ConfigurationError(f"{where}: {problems}") from None
    return CaseloadRules(children_per_fte=float(parsed.children_per_fte),
                         step_weights={int(k): float(v) for k, v in parsed.step_weights.items()},
                         no_step_weight=float(parsed.no_step_weight))


def load_caseload_target(path: Path | str | None = None) -> float:
    """The target in ``path`` (default: the shipped ``caseload.toml``)."""
    return load_caseload_rules(path).children_per_fte


@cache
def default_caseload_rules() -> CaseloadRules:
    """The shipped rules (25 children per FTE, the Herning model's; see the data file)."""
    return load_caseload_rules()


def default_caseload_target() -> float:
    """The shipped target (25 children per FTE)."""
    return default_caseload_rules().children_per_fte
