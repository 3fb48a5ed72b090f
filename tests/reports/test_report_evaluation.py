"""The council report's evaluation section: built from staggered_did when districts have a pilot
date, absent otherwise; Danish caveats in the Danish report."""

from __future__ import annotations

from datetime import date

import pytest

from trappen.evaluation import build_panel, staggered_did
from trappen.reports import build_report, render_html
from trappen.reports._build import EVALUATION_DRAWS, EVALUATION_SEED
from trappen.synthetic import generate


@pytest.fixture(scope="module")
def pilot_register():
    return generate(children=1500, years=5, seed=4, pilot_districts=3, pilot_from=2023)


def test_evaluation_section_equals_staggered_did(pilot_register):
    report = build_report(pilot_register, year=2024, language="da")
    section = next(s for s in report.sections if s.key == "evaluation")
    row = section.tables[0].frame.row(0, named=True)
    first = pilot_register.episodes["start_date"].min().year
    panel = build_panel(pilot_register, freq="quarter", start=date(max(2020, first), 1, 1), end=date(2025, 1, 1))
    want = staggered_did(panel, outcome="placements_per_1000", draws=EVALUATION_DRAWS, seed=EVALUATION_SEED)
    assert row["att"] == pytest.approx(round(want.overall["att"].item(), 2))
    assert row["treated"] == want.clusters.treated == 3
    assert row["control"] == want.clusters.control
    assert list(section.paragraphs[1:]) == want.caveats("da") != want.caveats("en")
    assert [s.key for s in report.sections][-2:] == ["evaluation", "method"]
    html = render_html(report)
    assert "Evaluering af omlægningen" in html and "Distrikter der har lagt om" in html


def test_no_evaluation_section_without_pilot_districts():
    report = build_report(generate(children=600, years=3, seed=5), year=2024, language="en")
    assert "evaluation" not in [s.key for s in report.sections]
