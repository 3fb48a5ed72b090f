"""Render a :class:`Report` as self-contained HTML (Jinja2, autoescaped), PDF (WeasyPrint) and
an Excel workbook (openpyxl) with one sheet per table and exactly the same numbers."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from trappen.privacy.sanitize import neutralise_formula, neutralise_frame
from trappen.reports._labels import label
from trappen.reports._model import DECIMALS, SUPPRESSION_SUFFIX, Report, ReportTable

logger = logging.getLogger(__name__)

MARKERS = {"primary": "<5", "secondary": "–"}
"""How a hidden cell is shown: a primary-suppressed count (1-4) and a secondary one."""

_ENV = Environment(loader=PackageLoader("trappen.reports", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))


def format_number(value: float | None, *, fmt: str, language: str) -> str:
    """A number as the report shows it: Danish ``1.234,5`` or English ``1,234.5``; ``""`` for null."""
    if value is None:
        return ""
    text = f"{value:,.{DECIMALS[fmt]}f}"
    if language == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def table_cells(table: ReportTable, *, language: str) -> list[list[str]]:
    """The table's body as display strings (hidden cells as ``<5`` / ``–``)."""
    rows = []
    for row in table.frame.iter_rows(named=True):
        cells = []
        for c in table.columns:
            sup = row.get(c.key + SUPPRESSION_SUFFIX)
            if sup is not None:
                cells.append(MARKERS[sup])
            elif c.fmt in DECIMALS:
                cells.append(format_number(row[c.key], fmt=c.fmt, language=language))
            else:
                cells.append("" if row[c.key] is None else str(row[c.key]))
        rows.append(cells)
    return rows


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG; no external URL).

    Every text from data (goal names, labels) is escaped by Jinja2's autoescaping; only the
    charts, drawn by matplotlib from numbers and labels it escapes itself, are marked safe.
    """
    sections = [{"key": s.key, "title": s.title, "paragraphs": s.paragraphs,
                 "charts": [Markup(svg) for svg in s.charts],  # noqa: S704 - matplotlib output
                 "tables": [{"key": t.key, "title": t.title, "headers": [c.label for c in t.columns],
                             "numeric": [c.fmt in DECIMALS for c in t.columns],
                             "rows": table_cells(t, language=report.language),
                             "suppressed": t.has_suppressed} for t in s.tables]}
                for s in report.sections]
    return _ENV.get_template("report.html").render(
        report=report, sections=sections, footnote=report.footnote if report.has_suppressed else None,
        internal=None if report.publish else label(report.language, "method_internal"))


def render_pdf(report: Report, path: Path | str) -> Path:
    """Render the HTML with WeasyPrint to a PDF file at ``path`` (written whole or not at all)."""
    from weasyprint import HTML

    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    HTML(string=render_html(report)).write_pdf(tmp)
    tmp.replace(path)
    return path


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_frame(table: ReportTable) -> pl.DataFrame:
    """Headers as labels; numeric cells as numbers, hidden cells as their markers (text)."""
    exprs = []
    for c in table.columns:
        sup = c.key + SUPPRESSION_SUFFIX
        if sup in table.frame.columns:
            exprs.append(pl.when(pl.col(sup).is_not_null())
                         .then(pl.col(sup).replace_strict(MARKERS, default=None))
                         .otherwise(None).alias(c.key + "__marker"))
    return table.frame.with_columns(exprs)


def render_excel(report: Report, path: Path | str) -> Path:
    """One sheet per table with the report's numbers (as numbers), hidden cells as ``<5``/``–``,
    every text cell neutralised against formula injection, and a README sheet with the method."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    lines = [report.title, report.subtitle, ""]
    for s in report.sections:
        if s.key == "method":
            lines += [s.title, *s.paragraphs]
    if report.has_suppressed:
        lines += ["", report.footnote]
    lines += ["", "Sheets:"] + [f"{t.sheet}: {t.title}" for t in report.tables]
    for i, line in enumerate(lines, start=1):
        readme.cell(row=i, column=1, value=neutralise_formula(line))
    readme["A1"].font = Font(bold=True, size=14)
    used: set[str] = {"README"}
    for t in report.tables:
        name = _SHEET_BAD.sub(" ", t.sheet)[:31]
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        ws.cell(row=1, column=1, value=neutralise_formula(t.title)).font = Font(bold=True)
        for j, c in enumerate(t.columns, start=1):
            ws.cell(row=3, column=j, value=neutralise_formula(c.label)).font = Font(bold=True)
        frame = neutralise_frame(_sheet_frame(t))
        for i, row in enumerate(frame.iter_rows(named=True), start=4):
            for j, c in enumerate(t.columns, start=1):
                marker = row.get(c.key + "__marker")
                value = marker if marker is not None else row[c.key]
                cell = ws.cell(row=i, column=j, value=value)
                if c.fmt in DECIMALS and marker is None and value is not None:
                    cell.number_format = "#,##0" if DECIMALS[c.fmt] == 0 else "#,##0." + "0" * DECIMALS[c.fmt]
        for j, c in enumerate(t.columns, start=1):
            ws.column_dimensions[ws.cell(row=3, column=j).column_letter].width = 14 if c.fmt in DECIMALS else 34
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return path
