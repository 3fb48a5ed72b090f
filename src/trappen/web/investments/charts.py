"""Server-rendered SVG of the cumulative net curve (no script: works under the strict CSP and
in the PDF)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from trappen.economics import CaseResult

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 640, 280, 80, 20, 20, 40


def _fmt_mdkk(v: float) -> str:
    """Millions with one decimal in the active language's format (16,0 in Danish)."""
    return number_format(v / 1e6, 1)


def cumulative_svg(result: CaseResult, *, title: str) -> str:
    """The cumulative net (undiscounted, solid; discounted, dashed) by calendar year, a zero
    line, and a marker at each decision-rule year."""
    years = [int(y) for y in result.calendar_years]
    a = [float(v) for v in result.cumulative]
    b = [float(v) for v in result.cumulative_discounted]
    lo, hi = min(0.0, *a, *b), max(0.0, *a, *b)
    span = (hi - lo) or 1.0
    n = max(len(years) - 1, 1)
    pw, ph = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def x(i: float) -> float:
        return PAD_L + pw * i / n

    def y(v: float) -> float:
        return PAD_T + ph * (hi - v) / span

    def line(vals: list[float]) -> str:
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" class="invest-chart">'
             f"<title>{escape(title)}</title>",
             f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#888"/>']
    for v in (lo, hi):
        parts.append(f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">'
                     f"{_fmt_mdkk(v)} mio</text>")
    for i, yr in enumerate(years):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - PAD_B + 16}" text-anchor="middle" '
                     f'font-size="11">{yr}</text>')
    rule = result.case.decision_rule
    if rule is not None:
        # as the core checks them: earn back = the net of year index ``earn_back_after_years``
        # is positive; surplus = the cumulative at index ``surplus_after_years - 1`` is positive
        marks = ((_("earn back"), rule.earn_back_after_years),
                 (_("surplus"), None if rule.surplus_after_years is None else rule.surplus_after_years - 1))
        for k, (label, idx) in enumerate(marks):  # the second label a line lower: adjacent years
            if idx is None or not 0 <= idx < len(years):
                continue
            xi = x(idx)
            parts.append(f'<line x1="{xi:.1f}" x2="{xi:.1f}" y1="{PAD_T}" y2="{HEIGHT - PAD_B}" '
                         f'stroke="#b35900" stroke-dasharray="2,3" class="rule-marker"/>'
                         f'<text x="{xi + 3:.1f}" y="{PAD_T + 10 + 13 * k}" font-size="11" fill="#b35900">'
                         f"{escape(label)}</text>")
    parts.append(f'<polyline points="{line(a)}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    parts.append(f'<polyline points="{line(b)}" fill="none" stroke="#1f4e79" stroke-width="2" '
                 f'stroke-dasharray="6,4"/>')
    for i, v in enumerate(a):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#1f4e79"/>')
    parts.append("</svg>")
    return "".join(parts)
