"""The exception tree of Trappen's pure core.

Adapters translate these: the web layer into form errors or 4xx JSON, the CLI into a message
and exit code 1. A user never sees a traceback.

::

    TrappenError
     ├── ConfigurationError        a staircase, catalogue, price or mapping file is malformed
     └── InvalidInput              bad input from a user, an import or an API call
          ├── EscalationNeedsJustification   moving a child up without naming why lower steps fail
          ├── StepNotAllowed                 an intervention type used on a step it is not for
          ├── CaseClosed                     a write to a child whose case is closed (read-only)
          └── RegisterInvalid                an analytic register fails validation (every row)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


class TrappenError(Exception):
    """Base of every error Trappen raises on purpose."""


class ConfigurationError(TrappenError):
    """A rules file (staircase, catalogue, prices, mapping) is malformed; names file and key.

    ``problems`` lists every offending value when the file was checked as a whole (each with
    its key path as ``field`` and the file as ``table``); empty for a single message.
    """

    def __init__(self, message: str, *, problems: Sequence[Problem] = ()):
        super().__init__(message)
        self.problems: list[Problem] = list(problems)


@dataclass(frozen=True)
class Problem:
    """One offending value: where it is and what is wrong with it.

    ``row`` is 1-based for files (the header is row 0 in CSV terms: data row 1 is the first
    line after the header) and ``None`` for single-record input.
    """

    field: str
    value: object
    message: str
    row: int | None = None
    table: str | None = None

    def __str__(self) -> str:
        where = []
        if self.table:
            where.append(self.table)
        if self.row is not None:
            where.append(f"row {self.row}")
        where.append(f"column '{self.field}'" if self.row is not None else f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message} (value: {self.value!r})"


class InvalidInput(TrappenError):
    """Input refused before anything was written. Carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str, *, field: str = "", value: object = None):
        if isinstance(problems, str):
            problems = [Problem(field=field, value=value, message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:20]) + (
            f"; and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""))


class EscalationNeedsJustification(InvalidInput):
    """Raised when an intervention above the child's current step lacks reasons for lower steps.

    ``missing_steps`` lists the step numbers whose reason is missing.
    """

    def __init__(self, *, target_step: int, missing_steps: list[int]):
        self.target_step = target_step
        self.missing_steps = missing_steps
        steps = ", ".join(str(s) for s in missing_steps)
        super().__init__(Problem(
            field="justification",
            value=None,
            message=(f"moving up to step {target_step} needs a reason why each lower step "
                     f"considered does not meet the need; missing for step(s) {steps}"),
        ))


class StepNotAllowed(InvalidInput):
    """Raised when an intervention type is used on a step its catalogue entry does not allow."""


class CaseClosed(InvalidInput):
    """Raised when a record of a child whose case is closed would be written: closed records are
    read-only until the case is reopened (with a reason, audited)."""


class RegisterInvalid(InvalidInput):
    """Raised when an analytic register fails validation; ``problems`` lists every offending row."""


@dataclass
class ProblemCollector:
    """Collects problems while validating, then raises once with all of them."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, **kwargs: object) -> None:
        self.problems.append(Problem(**kwargs))  # type: ignore[arg-type]

    def raise_if_any(self, cls: type[InvalidInput] = InvalidInput) -> None:
        if self.problems:
            raise cls(self.problems)


class EditConflict(InvalidInput):
    """Raised when a record changed after the user opened it (optimistic locking).

    Nothing is written. Each :class:`Problem` names a field whose stored value differs from
    what the user submitted: ``value`` is the current stored value, the message quotes the
    user's. ``current_version`` is the version to resubmit against after reviewing.
    """

    def __init__(self, problems: list[Problem], *, current_version: int):
        self.current_version = current_version
        super().__init__(problems or [Problem(field="version", value=current_version,
                                              message="the record was changed by someone else")])
