"""The report as data: sections of paragraphs, tables (Polars frames) and charts (SVG)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from trappen.kpi.goals import Goal, GoalStatus

FORMATS = ("int", "dec1", "dec2", "text")
"""Cell formats: whole numbers, one or two decimals, text. Numbers are rounded to this
precision when the table is built, so the HTML, the PDF and the Excel file show the same value."""

DECIMALS = {"int": 0, "dec1": 1, "dec2": 2}

SUPPRESSION_SUFFIX = "__sup"
"""A column ``x`` may have a companion ``x__sup``: ``"primary"`` (shown ``<5``), ``"secondary"``
(shown ``–``) or null (the value is shown)."""


@dataclass(frozen=True, kw_only=True)
class Column:
    """One displayed column: its key in the frame, its heading and its format."""

    key: str
    label: str
    fmt: str = "text"


@dataclass(frozen=True, kw_only=True)
class ReportTable:
    """One table. ``frame`` holds the ``columns`` keys (numbers already rounded) and, for
    suppressible columns, ``<key>__sup``. ``sheet`` is the Excel sheet name (<= 31 chars)."""

    key: str
    title: str
    sheet: str
    columns: tuple[Column, ...]
    frame: pl.DataFrame

    @property
    def has_suppressed(self) -> bool:
        sup = [c for c in self.frame.columns if c.endswith(SUPPRESSION_SUFFIX)]
        return any(self.frame[c].null_count() < self.frame.height for c in sup)


@dataclass(frozen=True, kw_only=True)
class Section:
    """A section: heading, paragraphs, tables and charts (SVG markup made by matplotlib)."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[ReportTable, ...] = ()
    charts: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ReportGoal:
    """A goal with the name the council knows it by (free text; escaped on output)."""

    name: str
    goal: Goal


@dataclass(frozen=True, kw_only=True)
class GoalResult:
    """A goal with its status already computed by the caller (the web layer's goal-progress
    function, so the report shows what the Goals page shows). ``status`` None: ``hidden`` (the
    latest value counts 1-4 persons, published view) or no observation (``problem``)."""

    name: str
    goal: Goal
    status: GoalStatus | None
    hidden: bool = False
    problem: str = ""
    district_name: str = ""


@dataclass(frozen=True, kw_only=True)
class Report:
    """The annual goals-and-results report, ready to render.

    ``kpis`` is the KPI engine's frame for the year (``compute_kpis`` at 31 December over the
    calendar year), kept so that every number in the tables can be traced to it.
    """

    year: int
    language: str
    publish: bool
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    footnote: str
    kpis: pl.DataFrame

    @property
    def tables(self) -> tuple[ReportTable, ...]:
        return tuple(t for s in self.sections for t in s.tables)

    @property
    def has_suppressed(self) -> bool:
        return any(t.has_suppressed for t in self.tables)
