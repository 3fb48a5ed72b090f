"""Validation of a whole analytic register, vectorised, reporting every offending row.

Each check is a Polars filter over a whole table; only the offending rows are turned into
:class:`~trappen.errors.Problem` objects. Rows are 1-based within their table (row 1 is the
first data row, as in a CSV file after its header).

Decisions:
    * A period whose end equals its start (``end_date == start_date``) is a valid zero-day
      episode: it is never active and costs nothing. Only ``end < start`` is refused.
    * Episodes of the same intervention type for one child must not overlap (touching is fine:
      one may end on the day the next starts). The later-starting row is reported.
    * District codes are checked against ``districts`` only when that table has rows (a register
      without a district list cannot tell a wrong code from an unlisted one).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from trappen.errors import Problem, RegisterInvalid
from trappen.register._container import Register
from trappen.register.schema import (
    APPEALS_OUTCOMES,
    ASSESSMENT_OUTCOMES,
    CASE_SOURCES,
    NOTIFIER_KINDS,
    SEXES,
    TABLES,
)
from trappen.staircase import END_REASONS, Catalogue, default_catalogue

_ROW = "_row"

_PERIODS = (  # (table, start column, end column)
    ("children", "entry_date", "exit_date"),
    ("residences", "start_date", "end_date"),
    ("cases", "opened_on", "closed_on"),
    ("episodes", "start_date", "end_date"),
    ("investigations", "started_on", "concluded_on"),
    ("caseworkers", "start_date", "end_date"),
    ("assignments", "start_date", "end_date"),
)

_CODE_LISTS = (  # (table, column, allowed values)
    ("children", "sex", SEXES),
    ("cases", "source", CASE_SOURCES),
    ("episodes", "end_reason", END_REASONS),
    ("notifications", "notifier_kind", NOTIFIER_KINDS),
    ("notifications", "outcome", ASSESSMENT_OUTCOMES),
    ("complaints", "appeals_outcome", APPEALS_OUTCOMES),
)


def _problems(frame: pl.DataFrame, *, table: str, column: str, message: str) -> list[Problem]:
    """Turn the offending rows (with ``_row``) of one check into problems."""
    if frame.is_empty():
        return []
    rows = frame[_ROW].to_list()
    values = frame[column].to_list()
    return [Problem(field=column, value=v, message=message, row=r, table=table)
            for r, v in zip(rows, values, strict=True)]


def _not_in(frame: pl.DataFrame, column: str, allowed: Iterable[object]) -> pl.DataFrame:
    allowed_series = pl.Series(list(allowed), dtype=frame.schema[column])
    return frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(allowed_series.implode()))


def validate(register: Register, *, catalogue: Catalogue | None = None) -> None:
    """Check a register's values and cross-references; raise once with every offending row.

    Checks: required values present; codes from the fixed lists (sex, case source, end reason,
    notifier kind, assessment outcome, appeals outcome); intervention codes known to the
    catalogue and used on an allowed step; no period ending before it starts; no overlapping
    episodes of the same type for one child; child, episode, caseworker and district ids that
    exist; no notification assessed or acknowledged before it was received; unique keys.

    Args:
        register: the analytic register.
        catalogue: intervention catalogue; the shipped one when ``None``.

    Raises:
        RegisterInvalid: with one :class:`~trappen.errors.Problem` per offending row and check.
    """
    catalogue = catalogue or default_catalogue()
    t = {name: frame.with_row_index(_ROW, offset=1) for name, frame in register.tables.items()}
    out: list[Problem] = []

    # required values (the schema's non-nullable columns); a child without a birth date lands here
    for name, table in TABLES.items():
        for col in table.columns:
            if not col.nullable:
                out += _problems(t[name].filter(pl.col(col.name).is_null()), table=name,
                                 column=col.name, message="required value is missing")
        if len(table.key) and t[name].height:
            dup = t[name].filter(pl.struct(list(table.key)).is_duplicated())
            out += _problems(dup, table=name, column=table.key[0],
                             message=f"duplicate key ({', '.join(table.key)})")

    for name, column, allowed in _CODE_LISTS:
        out += _problems(_not_in(t[name], column, allowed), table=name, column=column,
                         message=f"unknown code; use one of {', '.join(allowed)}")

    # intervention codes and steps
    ep = t["episodes"]
    out += _problems(_not_in(ep, "intervention_code", catalogue.codes), table="episodes",
                     column="intervention_code", message="unknown intervention type")
    allowed_pairs = pl.DataFrame(
        [(it.code, s) for it in catalogue.types for s in it.steps],
        schema={"intervention_code": pl.String, "step": pl.Int8}, orient="row")
    wrong_step = (ep.filter(pl.col("intervention_code").is_in(pl.Series(catalogue.codes).implode()))
                  .join(allowed_pairs, on=["intervention_code", "step"], how="anti"))
    out += _problems(wrong_step.sort(_ROW), table="episodes", column="step",
                     message="intervention type not allowed on this step")

    for name, start, end in _PERIODS:
        bad = t[name].filter(pl.col(end) < pl.col(start))
        out += _problems(bad, table=name, column=end, message=f"{end} is before {start}")

    # overlapping episodes of the same type for one child: an episode starting before the
    # latest end of the earlier-starting ones (null end = ongoing) overlaps one of them
    far = date.max
    overlap = (ep.filter(pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("start_date")))
               .sort("child_id", "intervention_code", "start_date", _ROW)
               .with_columns(pl.col("end_date").fill_null(far).cum_max().shift(1)
                             .over("child_id", "intervention_code").alias("_prev_end"))
               .filter(pl.col("_prev_end").is_not_null() & (pl.col("start_date") < pl.col("_prev_end")))
               .sort(_ROW))
    out += _problems(overlap, table="episodes", column="start_date",
                     message="overlaps another episode of the same intervention type for this child")

    # references
    child_ids = t["children"]["child_id"].implode()
    for name, table in TABLES.items():
        if name != "children" and "child_id" in table.column_names:
            bad = t[name].filter(pl.col("child_id").is_not_null() & ~pl.col("child_id").is_in(child_ids))
            out += _problems(bad, table=name, column="child_id", message="unknown child id")
    episode_ids = ep["episode_id"].implode()
    for name in ("plans", "follow_ups", "supervision_visits"):
        bad = t[name].filter(pl.col("episode_id").is_not_null() & ~pl.col("episode_id").is_in(episode_ids))
        out += _problems(bad, table=name, column="episode_id", message="unknown episode id")
    bad = t["investigations"].filter(
        pl.col("notification_id").is_not_null()
        & ~pl.col("notification_id").is_in(t["notifications"]["notification_id"].implode()))
    out += _problems(bad, table="investigations", column="notification_id", message="unknown notification id")
    bad = t["assignments"].filter(~pl.col("caseworker_id").is_in(t["caseworkers"]["caseworker_id"].implode()))
    out += _problems(bad, table="assignments", column="caseworker_id", message="unknown caseworker id")
    if t["districts"].height:
        codes = t["districts"]["district_code"].implode()
        for name in ("children", "residences", "caseworkers", "population"):
            bad = t[name].filter(pl.col("district_code").is_not_null() & ~pl.col("district_code").is_in(codes))
            out += _problems(bad, table=name, column="district_code", message="unknown district")

    # notification timing
    no = t["notifications"]
    for col in ("assessed_at", "acknowledged_at"):
        out += _problems(no.filter(pl.col(col) < pl.col("received_at")), table="notifications",
                         column=col, message=f"{col} is before received_at")
    ages = t["population"].filter((pl.col("age") < 0) | (pl.col("age") > 17))
    out += _problems(ages, table="population", column="age", message="age must be 0-17")

    if out:
        raise RegisterInvalid(out)
