"""Labels, never codes, in the annual report (#15 item 6): in Danish (the default) and English,
the tables, the HTML and the Excel workbook head and fill their columns with names: steps by
number and name (never a bare "Trin 3"), KPIs, placement types, duties and goal districts by
name. A KPI's code may stand in its own "KPI code" column beside the name, never alone.

The codes looked for come from the core's own lists (as in ``tests/web/test_labels_on_pages``)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from openpyxl import load_workbook

from trappen.kpi import kpi_catalogue
from trappen.kpi.goals import Goal
from trappen.register.schema import APPEALS_OUTCOMES, ASSESSMENT_OUTCOMES, NOTIFIER_KINDS
from trappen.reports import build_report, render_excel, render_html
from trappen.staircase import CATEGORIES, END_REASONS, default_catalogue, default_staircase
from trappen.synthetic import generate

BARE_STEP = re.compile(r"^(Trin|Step) \d+$")
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
STEP_COLUMNS = {"step", "from_step", "to_step"}


def _codes() -> set[str]:
    """Codes no report cell may show (outside the KPI code column)."""
    catalogue = default_catalogue()
    words = {*ASSESSMENT_OUTCOMES, *NOTIFIER_KINDS, *END_REASONS, *APPEALS_OUTCOMES, *CATEGORIES}
    return ({t.code for t in catalogue.types} | {k.code for k in kpi_catalogue()}
            | {w for w in words if "_" in w} | {f"step_{n}" for n in default_staircase().numbers})


@pytest.fixture(scope="module")
def reg():
    return generate(children=800, years=6, seed=3)


@pytest.fixture(scope="module", params=["da", "en"])
def report(request, reg):
    district = reg.districts["district_code"][0]
    goal = Goal(kpi_code="NEW_CASES", baseline_value=30.0, baseline_date=date(2023, 1, 1), target_value=20.0,
                target_date=date(2026, 1, 1), district=district)
    return build_report(reg, year=2024, language=request.param, goals=[goal])


def test_tables_show_names_not_codes(report, reg):
    codes, problems = _codes(), []
    districts = set(reg.districts["district_code"].to_list()) - set(reg.districts["name"].to_list())
    for table in report.tables:
        for column in table.columns:
            if BARE_STEP.match(column.label) or SNAKE.match(column.label) or column.label in codes:
                problems.append(f"{table.key}: header {column.label!r}")
            if column.key == "code":  # the KPI code column, beside the KPI's name
                continue
            for value in table.frame[column.key].to_list():
                text = "" if value is None else str(value)
                if text in codes or SNAKE.match(text) or text in districts:
                    problems.append(f"{table.key}.{column.key}: code {text!r}")
                if column.key in STEP_COLUMNS and text.isdigit():
                    problems.append(f"{table.key}.{column.key}: bare step number {text!r}")
    assert problems == [], "\n".join(problems)


def test_step_columns_are_named(report):
    names = {s.name(report.language) for s in default_staircase().steps}
    for key in ("steps_district", "trend"):
        table = next(t for t in report.tables if t.key == key)
        headers = " | ".join(c.label for c in table.columns)
        assert all(name in headers for name in names), headers


def test_html_and_excel_show_no_code(report, tmp_path):
    codes = _codes() - {k.code for k in kpi_catalogue()}  # KPI codes have their own column
    html = render_html(report)
    tokens = set(re.findall(r"[A-Za-z0-9_]+", re.sub(r"<[^>]+>", " ", html)))
    assert not codes & tokens, sorted(codes & tokens)
    book = load_workbook(render_excel(report, tmp_path / "report.xlsx"))
    cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert not codes & cells, sorted(codes & cells)
    assert not [c for c in cells if BARE_STEP.match(c)]
