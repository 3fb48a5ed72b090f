"""The municipality's collaboration duties (``data/collaboration.toml``), computed beside the
duties of Barnets Lov: agreed actions by their due date (C1) and a cross-disciplinary meeting at
a set interval while a child is helped on the lower steps (C2). Vectorised with Polars; the
rows have the columns of :data:`~trappen.deadlines.DEADLINE_ITEM_SCHEMA`.

The inputs are plain tables, so the core stays free of the web layer:

- ``actions``: action_id, meeting_id, child_id, due_on (date), status ("open", "done",
  "cancelled"), done_on (date or null);
- ``meetings``: meeting_id, child_id, kind, held_on (date);
- ``episodes``: the register's episodes (child_id, step, start_date, end_date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated

import polars as pl
from pydantic import Field

from trappen._config import read_toml
from trappen._validation import StrictModel, Text, rule_file_error, validate_rule_file
from trappen.deadlines._calendar import COPENHAGEN, require_aware
from trappen.deadlines._engine import DEADLINE_ITEM_SCHEMA, UTC, _add_months, _end_of_day, _start_of_day, item_status
from trappen.errors import Problem

ACTION_SCHEMA: dict[str, pl.DataType] = {"action_id": pl.Int64(), "meeting_id": pl.Int64(), "child_id": pl.Int64(),
                                         "due_on": pl.Date(), "status": pl.String(), "done_on": pl.Date()}
MEETING_SCHEMA: dict[str, pl.DataType] = {"meeting_id": pl.Int64(), "child_id": pl.Int64(), "kind": pl.String(),
                                          "held_on": pl.Date()}


@dataclass(frozen=True, kw_only=True)
class CollaborationDuty:
    """One collaboration duty: its names, rule and the municipal rule it rests on."""

    id: str
    name_da: str
    name_en: str
    rule: str
    source_da: str
    source_en: str
    ref_table: str
    months: int = 0
    steps: tuple[int, ...] = ()
    meeting_kinds: tuple[str, ...] = ()

    @property
    def legal_source(self) -> str:
        """What the duty rests on (Danish, as the law's duties give theirs)."""
        return self.source_da

    def name(self, language: str = "da") -> str:
        return self.name_da if language == "da" else self.name_en

    def source(self, language: str = "da") -> str:
        return self.source_da if language == "da" else self.source_en


@dataclass(frozen=True, kw_only=True)
class CollaborationDuties:
    source: str
    duties: tuple[CollaborationDuty, ...] = field(default_factory=tuple)

    def get(self, duty_id: str) -> CollaborationDuty:
        for d in self.duties:
            if d.id == duty_id:
                return d
        raise KeyError(duty_id)


class _Params(StrictModel):
    months: Annotated[int, Field(ge=1, le=24)] | None = None
    steps: list[Annotated[int, Field(ge=1, le=9)]] = []
    meeting_kinds: list[Text] = []


class _Duty(StrictModel):
    id: Text
    name_da: Text
    name_en: Text
    rule: Text
    source_da: Text
    source_en: Text
    ref_table: Text
    params: _Params = _Params()


class _File(StrictModel):
    duties: Annotated[list[_Duty], Field(min_length=1)]


_NEEDS = {"C1": (), "C2": ("months", "steps", "meeting_kinds")}


def load_collaboration_duties(path: Path | str | None = None) -> CollaborationDuties:
    """Load the collaboration duties; ``None`` gives the shipped ``data/collaboration.toml``.

    Raises:
        ConfigurationError: the file is missing or malformed, or C1/C2 is missing or lacks a
            parameter its rule needs (each problem names the file, key path and value).
    """
    data, where = read_toml(path, package="trappen.deadlines", name="collaboration.toml")
    model = validate_rule_file(_File, data, where=where, named_items={"duties": "id"})
    found = {d.id: d for d in model.duties}
    problems = [Problem(field="duties", value=sorted(found), message=f"{duty_id} is missing")
                for duty_id in _NEEDS if duty_id not in found]
    problems += [Problem(field=f"duties.{duty_id}.params.{key}", value=None, message="missing")
                 for duty_id, keys in _NEEDS.items() if duty_id in found
                 for key in keys if not getattr(found[duty_id].params, key)]
    if problems:
        raise rule_file_error(problems, where=where)
    return CollaborationDuties(source=where, duties=tuple(
        CollaborationDuty(id=d.id, name_da=d.name_da, name_en=d.name_en, rule=d.rule, source_da=d.source_da,
                          source_en=d.source_en, ref_table=d.ref_table, months=d.params.months or 0,
                          steps=tuple(d.params.steps), meeting_kinds=tuple(d.params.meeting_kinds))
        for d in model.duties))


@cache
def default_collaboration_duties() -> CollaborationDuties:
    """The shipped collaboration duties (cached)."""
    return load_collaboration_duties()


def _actions(actions: pl.LazyFrame, duty: CollaborationDuty) -> pl.LazyFrame:
    # C1: each action not cancelled, due at the end of its due day, done on the day marked done.
    return (actions.filter(pl.col("status") != "cancelled")
            .sort("meeting_id", "due_on", "action_id")
            .select(duty_id=pl.lit(duty.id), child_id=pl.col("child_id"), ref_table=pl.lit(duty.ref_table),
                    ref_id=pl.col("meeting_id"),
                    seq=(pl.int_range(pl.len()).over("meeting_id") + 1).cast(pl.Int32),
                    due_on=pl.col("due_on"), due_at=_end_of_day(pl.col("due_on")),
                    done_at=pl.when(pl.col("status") == "done")
                    .then(_start_of_day(pl.col("done_on").fill_null(pl.col("due_on")))).otherwise(None)))


def _cadence(meetings: pl.LazyFrame, episodes: pl.LazyFrame, duty: CollaborationDuty, *, months: int,
             today: date) -> pl.LazyFrame:
    # C2: while a measure on `steps` runs today, a meeting within `months` of its start, then within
    # `months` of the previous meeting. Item k is due `months` after anchor k (the start, then each
    # meeting held since) and done by the next meeting.
    running = (episodes.filter(pl.col("step").cast(pl.Int64).is_in(list(duty.steps)),
                               pl.col("start_date") <= today,
                               pl.col("end_date").is_null() | (pl.col("end_date") > today))
               .group_by("child_id").agg(start=pl.col("start_date").min()))
    held = (meetings.filter(pl.col("kind").is_in(list(duty.meeting_kinds)), pl.col("held_on") <= today)
            .join(running, on="child_id").filter(pl.col("held_on") >= pl.col("start"))
            .select("child_id", on=pl.col("held_on")))
    anchors = (pl.concat([running.select("child_id", on=pl.col("start")), held])
               .sort("child_id", "on")
               .with_columns(done_on=pl.col("on").shift(-1).over("child_id"),
                             seq=(pl.int_range(pl.len()).over("child_id") + 1).cast(pl.Int32)))
    due_on = _add_months(pl.col("on"), months)
    return (anchors.with_columns(due_on=due_on)
            .select(duty_id=pl.lit(duty.id), child_id=pl.col("child_id"), ref_table=pl.lit(duty.ref_table),
                    ref_id=pl.col("child_id"), seq=pl.col("seq"), due_on=pl.col("due_on"),
                    due_at=_end_of_day(pl.col("due_on")), done_at=_start_of_day(pl.col("done_on"))))


def collaboration_items(*, actions: pl.DataFrame, meetings: pl.DataFrame, episodes: pl.DataFrame, now: datetime,
                        months: int | None = None, since: date | None = None,
                        duties: CollaborationDuties | None = None) -> pl.DataFrame:
    """Every item of the collaboration duties C1 and C2, as :func:`~trappen.deadlines.deadline_items`
    gives the law's: the columns of :data:`DEADLINE_ITEM_SCHEMA`, sorted by due_at, duty_id,
    ref_id, seq, with ``status`` at ``now``.

    Args:
        actions, meetings: see the module docstring; episodes: the register's.
        now: the evaluation instant, timezone-aware.
        months: the meeting interval the municipality sets (C2); ``None`` = the file's; ``0`` =
            no C2 duty (the municipality sets no interval).
        since: leave out items done and due before this local day (one still missing stays:
            the records are Trappen's own, not an extract's unrecorded past).
        duties: the collaboration duties; ``None`` = the shipped file.
    """
    require_aware(now, field="now")
    duties = duties or default_collaboration_duties()
    today = now.astimezone(COPENHAGEN).date()
    actions_duty, cadence_duty = duties.get("C1"), duties.get("C2")
    months = cadence_duty.months if months is None else months
    parts = [_actions(actions.lazy().cast(ACTION_SCHEMA), actions_duty)]  # type: ignore[arg-type]
    if months > 0:
        parts.append(_cadence(meetings.lazy().cast(MEETING_SCHEMA), episodes.lazy(),  # type: ignore[arg-type]
                              cadence_duty, months=months, today=today))
    items = pl.concat(parts, how="vertical_relaxed")
    if since is not None:  # an action or meeting still missing stays, however old (one per action or child)
        items = items.filter((pl.col("due_on") >= since) | pl.col("done_at").is_null())
    sources = pl.LazyFrame({"duty_id": [d.id for d in duties.duties],
                            "legal_source": [d.legal_source for d in duties.duties]})
    return (items.with_columns(pl.col("due_at").cast(UTC), pl.col("done_at").cast(UTC), status=item_status(now))
            .join(sources, on="duty_id", how="left")
            .select(list(DEADLINE_ITEM_SCHEMA))
            .cast(DEADLINE_ITEM_SCHEMA)  # type: ignore[arg-type]
            .sort("due_at", "duty_id", "ref_id", "seq")
            .collect(engine="in-memory"))
