"""Retention as data: how long each kind of record is kept after it ends, and what then.

The rules live in ``trappen/privacy/data/retention.toml`` (or a municipality's own copy), each
with its legal source and a flag for periods the municipality must set itself. This module only
*computes*: given every record's id and end date per kind, and a date, :func:`retention_due`
says which records each rule would archive or delete on that date. Nothing here (or anywhere
in Trappen) deletes; the report is a dry run, ids and counts only.

A record is due under a rule when it has ended and ``end date + period <= at`` (so on the day
the period runs out it is due). Periods are whole years or months; a date plus a period that
lands on a missing day (29 February plus one year) is that month's last day.

Raises :class:`trappen.errors.ConfigurationError` for a malformed rules file (names the file,
the rule and the field) and :class:`trappen.errors.InvalidInput` for records without the
``id``/``ended_on`` columns or a rule's kind missing from the records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trappen._config import read_toml
from trappen.errors import ConfigurationError, InvalidInput

__all__ = ["ACTIONS", "KINDS", "RetentionReport", "RetentionRule", "RuleOutcome", "load_retention_rules",
           "retention_due"]

KINDS = ("child_case_file", "child_identity", "audit_event", "user_account")
"""The kinds of record a rule can cover (the web layer computes each kind's end dates)."""

ACTIONS = ("archive", "delete")
"""``archive``: deliver to the municipality's archive (kept until the transfer is confirmed);
``delete``: remove from the database."""

Kind = Literal["child_case_file", "child_identity", "audit_event", "user_account"]
Action = Literal["archive", "delete"]


class RetentionRule(BaseModel):
    """One rule: records of ``kind`` are archived or deleted ``after`` their end."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Kind
    action: Action
    after: str = Field(pattern=r"^[0-9]+(y|mo)$")
    """A Polars duration of whole years or months: ``"5y"``, ``"6mo"``."""
    ends: str = Field(min_length=1)
    municipality_sets: bool
    source: str = Field(min_length=10)
    note: str = ""


def load_retention_rules(path: Path | str | None = None) -> tuple[RetentionRule, ...]:
    """The retention rules from ``path``, or the shipped ``retention.toml`` when None.

    Raises:
        ConfigurationError: unreadable file, no rules, a malformed rule (names the rule and
            field) or two rules with one code.
    """
    data, where = read_toml(path, package="trappen.privacy", name="retention.toml")
    raw = data.get("rule")
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError(f"{where}: no [[rule]] tables")
    rules = []
    for number, item in enumerate(raw, start=1):
        code = item.get("code", f"#{number}") if isinstance(item, dict) else f"#{number}"
        try:
            rules.append(RetentionRule.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(rule)"
            raise ConfigurationError(f"{where}: rule {code!r}, field '{field}': {first['msg']}") from None
    codes = [r.code for r in rules]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ConfigurationError(f"{where}: rule code(s) used twice: {', '.join(duplicates)}")
    return tuple(rules)


@dataclass(frozen=True, kw_only=True)
class RuleOutcome:
    """What one rule would do on the report's date.

    Attributes:
        rule: the rule.
        records: records of the rule's kind.
        open: records with no end date yet (still in use).
        not_yet_due: ended, but the period has not run out.
        due_ids: ids the rule would archive or delete, ascending.
    """

    rule: RetentionRule
    records: int
    open: int
    not_yet_due: int
    due_ids: tuple[int, ...]

    @property
    def due(self) -> int:
        return len(self.due_ids)

    def to_dict(self) -> dict[str, object]:
        r = self.rule
        return {"code": r.code, "kind": r.kind, "action": r.action, "after": r.after,
                "municipality_sets": r.municipality_sets, "source": r.source, "records": self.records,
                "open": self.open, "not_yet_due": self.not_yet_due, "due": self.due, "due_ids": list(self.due_ids)}


@dataclass(frozen=True, kw_only=True)
class RetentionReport:
    """A dry run of every rule on ``at``: what would be archived or deleted, ids only."""

    at: dt.date
    outcomes: tuple[RuleOutcome, ...]

    def due_by_action(self) -> dict[str, int]:
        """Records due per action (``archive``, ``delete``)."""
        return {a: sum(o.due for o in self.outcomes if o.rule.action == a) for a in ACTIONS}

    def to_dict(self) -> dict[str, object]:
        return {"at": self.at.isoformat(), "dry_run": True, "due_by_action": self.due_by_action(),
                "rules": [o.to_dict() for o in self.outcomes]}


_SCHEMA = {"id": pl.Int64, "ended_on": pl.Date}


def _checked(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in _SCHEMA if c not in frame.columns]
    if missing:
        raise InvalidInput(f"records of kind {kind!r} lack column(s) {', '.join(missing)}",
                           field=kind, value=list(frame.columns))
    try:
        return frame.select(pl.col("id").cast(pl.Int64), pl.col("ended_on").cast(pl.Date))
    except pl.exceptions.InvalidOperationError:
        raise InvalidInput(f"records of kind {kind!r}: id must be integers and ended_on dates",
                           field=kind, value=dict(frame.schema)) from None


def retention_due(records: Mapping[str, pl.DataFrame], *, rules: Sequence[RetentionRule],
                  at: dt.date) -> RetentionReport:
    """Which records each rule would archive or delete on ``at`` (a dry run).

    Args:
        records: per kind, a frame with ``id`` (integer) and ``ended_on`` (date; null = the
            record has not ended, e.g. a case still open).
        rules: the rules (:func:`load_retention_rules`).
        at: the date the report is for.

    Returns:
        One outcome per rule, in the rules' order.

    Raises:
        InvalidInput: a rule's kind has no frame in ``records``, or a frame lacks a column.
    """
    absent = sorted({r.kind for r in rules} - set(records))
    if absent:
        raise InvalidInput(f"no records given for kind(s) {', '.join(absent)}", field="records", value=absent)
    frames = {kind: _checked(kind, frame) for kind, frame in records.items()}
    outcomes = []
    for rule in rules:
        frame = frames[rule.kind]
        due_on = pl.col("ended_on").dt.offset_by(rule.after)
        flagged = frame.select(
            pl.col("id"),
            pl.col("ended_on").is_null().alias("open"),
            (due_on <= at).fill_null(False).alias("due"),
        )
        open_count = int(flagged["open"].sum())
        due_ids = flagged.filter(pl.col("due"))["id"].sort()
        outcomes.append(RuleOutcome(rule=rule, records=frame.height, open=open_count,
                                    not_yet_due=frame.height - open_count - due_ids.len(),
                                    due_ids=tuple(due_ids.to_list())))
    return RetentionReport(at=at, outcomes=tuple(outcomes))
