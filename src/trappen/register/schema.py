"""The analytic register: a few columnar tables, their columns, types and meaning.

This is the contract between everything that writes a register (the synthetic generator, the
snapshot from the operational database, file importers) and everything that reads one (KPIs,
economics, forecasts, evaluation). ``docs/data-model.md`` documents the same schema for people;
a test keeps the two in step.

Conventions:
    * Dates are ``pl.Date``; instants are ``pl.Datetime("us", "UTC")``.
    * Periods are half-open: active on day ``d`` when ``start_date <= d`` and (``end_date`` is
      null or ``d < end_date``). ``end_date`` is the first day without; days = end - start.
    * Ids are pseudonymous integers. No names, CPR numbers or free text ever appear here.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SCHEMA_VERSION = 1

UTC_DATETIME = pl.Datetime("us", "UTC")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType | type[pl.DataType]
    nullable: bool
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def schema(self) -> dict[str, pl.DataType | type[pl.DataType]]:
        return {c.name: c.dtype for c in self.columns}

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _t(name: str, description: str, key: tuple[str, ...], *cols: tuple) -> Table:
    return Table(name, description, tuple(Column(*c) for c in cols), key)


NOTIFIER_KINDS = (
    "school", "daycare", "health_visitor", "health_service", "police", "social_services",
    "parent", "child", "relative", "citizen", "anonymous", "other_professional",
)
"""Who sent a notification. All but parent, child, relative, citizen and anonymous are
professionals with the duty to notify (Barnets Lov § 133), who get an acknowledgement."""

PROFESSIONAL_NOTIFIERS = frozenset({
    "school", "daycare", "health_visitor", "health_service", "police", "social_services",
    "other_professional",
})

ASSESSMENT_OUTCOMES = ("no_action", "preliminary_inquiry", "investigation", "immediate_measure")

CASE_SOURCES = ("notification", "application", "moved_in", "other")

APPEALS_OUTCOMES = ("upheld", "changed", "remitted", "dismissed")
"""Ankestyrelsen's outcome: the decision stands, is changed, sent back, or the complaint is
dismissed (avvist)."""

SEXES = ("F", "M")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _t(
            "districts",
            "School districts (skoledistrikter) and when each adopted the model.",
            ("district_code",),
            ("district_code", pl.String, False, "District code, unique in the municipality"),
            ("name", pl.String, False, "District name"),
            ("pilot_from", pl.Date, True, "Date the district adopted the Herning way of working; null = not (yet)"),
        ),
        _t(
            "children",
            "Every child known to the register, one row each.",
            ("child_id",),
            ("child_id", pl.Int64, False, "Pseudonymous child id"),
            ("birth_date", pl.Date, False, "Date of birth"),
            ("sex", pl.String, False, "F or M"),
            ("district_code", pl.String, False, "District of residence (latest; history in residences)"),
            ("entry_date", pl.Date, False, "Day the child entered the municipality (birth or moving in)"),
            (
                "exit_date",
                pl.Date,
                True,
                "First day the child no longer lived in the municipality; null = still lives there",
            ),
        ),
        _t(
            "residences",
            "District of residence over time.",
            ("child_id", "start_date"),
            ("child_id", pl.Int64, False, "Child"),
            ("district_code", pl.String, False, "District"),
            ("start_date", pl.Date, False, "First day in the district"),
            ("end_date", pl.Date, True, "First day no longer in the district; null = still there"),
        ),
        _t(
            "cases",
            "Cases (sager) opened for a child.",
            ("case_id",),
            ("case_id", pl.Int64, False, "Case id"),
            ("child_id", pl.Int64, False, "Child"),
            ("opened_on", pl.Date, False, "Day the case was opened"),
            ("closed_on", pl.Date, True, "Day the case was closed; null = open"),
            ("source", pl.String, False, "How it came in: " + ", ".join(CASE_SOURCES)),
        ),
        _t(
            "episodes",
            "Intervention episodes: one intervention for one child over a period.",
            ("episode_id",),
            ("episode_id", pl.Int64, False, "Episode id"),
            ("child_id", pl.Int64, False, "Child"),
            ("intervention_code", pl.String, False, "Catalogue code (trappen.staircase)"),
            ("step", pl.Int8, False, "Staircase step the intervention was given on"),
            ("start_date", pl.Date, False, "First day of the intervention"),
            ("end_date", pl.Date, True, "First day without it; null = ongoing"),
            ("end_reason", pl.String, True, "Why it ended (trappen.staircase.END_REASONS); null while ongoing"),
        ),
        _t(
            "notifications",
            "Notifications (underretninger) received.",
            ("notification_id",),
            ("notification_id", pl.Int64, False, "Notification id"),
            ("child_id", pl.Int64, False, "Child"),
            ("received_at", UTC_DATETIME, False, "When it was received"),
            ("notifier_kind", pl.String, False, "Who sent it: " + ", ".join(NOTIFIER_KINDS)),
            ("assessed_at", UTC_DATETIME, True, "When it was assessed (§ 136: within 24 hours)"),
            ("outcome", pl.String, True, "Assessment outcome: " + ", ".join(ASSESSMENT_OUTCOMES)),
            ("acknowledged_at", UTC_DATETIME, True, "Receipt acknowledged to a professional notifier (6 working days)"),
        ),
        _t(
            "investigations",
            "Child investigations (børnefaglige undersøgelser, § 20).",
            ("investigation_id",),
            ("investigation_id", pl.Int64, False, "Investigation id"),
            ("child_id", pl.Int64, False, "Child"),
            ("notification_id", pl.Int64, True, "Notification that led to it, if any"),
            ("aware_on", pl.Date, False, "Day the municipality became aware (the 4-month clock starts)"),
            ("started_on", pl.Date, False, "Day the investigation was opened"),
            ("concluded_on", pl.Date, True, "Day it was concluded; null = ongoing"),
        ),
        _t(
            "plans",
            "The child's plan (barnets plan, § 91).",
            ("plan_id",),
            ("plan_id", pl.Int64, False, "Plan id"),
            ("child_id", pl.Int64, False, "Child"),
            ("episode_id", pl.Int64, True, "Measure the plan was made for"),
            ("made_on", pl.Date, False, "Day the plan was made"),
        ),
        _t(
            "follow_ups",
            "Follow-ups on measures (opfølgning, § 95).",
            ("follow_up_id",),
            ("follow_up_id", pl.Int64, False, "Follow-up id"),
            ("child_id", pl.Int64, False, "Child"),
            ("episode_id", pl.Int64, False, "Measure followed up"),
            ("held_on", pl.Date, False, "Day the follow-up was held"),
        ),
        _t(
            "supervision_visits",
            "Supervision visits to placed children (tilsyn, § 156).",
            ("visit_id",),
            ("visit_id", pl.Int64, False, "Visit id"),
            ("child_id", pl.Int64, False, "Child"),
            ("episode_id", pl.Int64, False, "Placement visited"),
            ("visited_on", pl.Date, False, "Day of the visit"),
        ),
        _t(
            "complaints",
            "Complaints about decisions (klager).",
            ("complaint_id",),
            ("complaint_id", pl.Int64, False, "Complaint id"),
            ("child_id", pl.Int64, False, "Child"),
            ("received_on", pl.Date, False, "Day the complaint was received"),
            ("reassessed_on", pl.Date, True, "Day the municipality re-assessed its decision (within 4 weeks)"),
            (
                "municipality_upheld",
                pl.Boolean,
                True,
                "True = the municipality kept its decision and forwarded the complaint",
            ),
            ("appeals_outcome", pl.String, True, "Ankestyrelsen: " + ", ".join(APPEALS_OUTCOMES)),
        ),
        _t(
            "caseworkers",
            "Caseworkers (myndighedsrådgivere), pseudonymous.",
            ("caseworker_id",),
            ("caseworker_id", pl.Int64, False, "Caseworker id"),
            ("district_code", pl.String, False, "District the caseworker serves"),
            ("team_code", pl.String, False, "Team"),
            ("fte", pl.Float64, False, "Full-time equivalents"),
            ("start_date", pl.Date, False, "First day in post"),
            ("end_date", pl.Date, True, "First day no longer in post; null = in post"),
        ),
        _t(
            "assignments",
            "Which caseworker holds which child's case, over time.",
            ("child_id", "start_date"),
            ("child_id", pl.Int64, False, "Child"),
            ("caseworker_id", pl.Int64, False, "Caseworker"),
            ("start_date", pl.Date, False, "First day of the assignment"),
            ("end_date", pl.Date, True, "First day no longer assigned; null = current"),
        ),
        _t(
            "population",
            "Children 0-17 living in each district on 31 December, by age.",
            ("year", "district_code", "age"),
            ("year", pl.Int16, False, "Calendar year (count on 31 December)"),
            ("district_code", pl.String, False, "District"),
            ("age", pl.Int8, False, "Age in whole years, 0-17"),
            ("children", pl.Int32, False, "Number of children"),
        ),
    )
}

TABLE_NAMES = tuple(TABLES)


def empty(name: str) -> pl.DataFrame:
    """An empty frame with the table's schema."""
    return pl.DataFrame(schema=TABLES[name].schema)


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Select the table's columns in order and cast to its types (raises on a missing column)."""
    table = TABLES[name]
    missing = [c for c in table.column_names if c not in frame.columns]
    if missing:
        raise KeyError(f"{name}: missing column(s) {missing}")
    return frame.select([pl.col(c.name).cast(c.dtype) for c in table.columns])
