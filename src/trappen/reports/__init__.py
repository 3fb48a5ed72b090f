"""The annual goals-and-results report for the municipal council (HTML, PDF, Excel).

Public API::

    from trappen.reports import build_report, render_html, render_pdf, render_excel, ReportGoal

    report = build_report(register, year=2024, language="da", goals=[...], publish=True)
    render_pdf(report, "report.pdf")

Every number comes from the KPI engine (:func:`trappen.kpi.compute_kpis`); tables that count
children go through disclosure control (:func:`trappen.kpi.disclosure.suppress`) when
``publish`` is true.
"""

from trappen.reports._build import THRESHOLD, TREND_YEARS, build_report
from trappen.reports._model import Column, GoalResult, Report, ReportGoal, ReportTable, Section
from trappen.reports._render import MARKERS, format_number, render_excel, render_html, render_pdf, table_cells

__all__ = ["MARKERS", "THRESHOLD", "TREND_YEARS", "Column", "GoalResult", "Report", "ReportGoal", "ReportTable",
           "Section", "build_report", "format_number", "render_excel", "render_html", "render_pdf", "table_cells"]
