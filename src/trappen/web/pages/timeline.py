"""The child's staircase timeline as a small server-rendered SVG (no script needed)."""

from __future__ import annotations

import datetime as dt

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 200, 40, 10, 10, 30


def timeline_svg(points: list[tuple[dt.date, int]], *, today: dt.date, top_step: int) -> SafeString:
    """A step line over time from the core's ``trajectory`` change points up to ``today``."""
    if not points:
        return format_html('<p class="muted">{}</p>', "—")
    start = points[0][0]
    end = max(today, points[-1][0]) + dt.timedelta(days=1)
    span_days = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span_days

    def y(step: int) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - step / top_step)

    coords = []
    for i, (day, step) in enumerate(points):
        nxt = points[i + 1][0] if i + 1 < len(points) else end
        coords += [(x(day), y(step)), (x(nxt), y(step))]
    path = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
    grid = format_html_join("", '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
                            '<text x="4" y="{}" class="axis">{}</text>',
                            ((LEFT, WIDTH - RIGHT, f"{y(s):.1f}", f"{y(s):.1f}", f"{y(s) + 4:.1f}", s)
                             for s in range(0, top_step + 1)))
    return format_html(
        '<svg class="timeline" viewBox="0 0 {} {}" role="img" aria-label="{}">{}'
        '<polyline points="{}" class="steps"/>'
        '<text x="{}" y="{}" class="axis">{}</text><text x="{}" y="{}" class="axis" text-anchor="end">{}</text></svg>',
        WIDTH, HEIGHT, "timeline", grid, path, LEFT, HEIGHT - 8, start.isoformat(),
        WIDTH - RIGHT, HEIGHT - 8, today.isoformat())
