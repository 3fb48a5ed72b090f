"""The child's timeline SVG: coordinates computed by hand."""

from __future__ import annotations

import datetime as dt

from trappen.web.pages.timeline import timeline_svg


def test_step_line_coordinates():
    # 10 days on step 3 then off the staircase; drawn until today + 1 day = 20 days in all.
    svg = timeline_svg([(dt.date(2024, 1, 1), 3), (dt.date(2024, 1, 11), 0)],
                       today=dt.date(2024, 1, 20), top_step=6)
    # x: 40 + 590 * days / 20; y: 10 + 160 * (1 - step / 6)
    assert 'points="40.0,90.0 335.0,90.0 335.0,170.0 630.0,170.0"' in svg
    assert "2024-01-01" in svg and "2024-01-20" in svg


def test_no_script_or_style_attributes():
    svg = timeline_svg([(dt.date(2024, 1, 1), 1)], today=dt.date(2024, 2, 1), top_step=6)
    assert "<script" not in svg and "style=" not in svg  # CSP: no inline script or style
