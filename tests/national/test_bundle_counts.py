"""KPIs that count (new cases, complaints) carry the constant 1 as their denominator: that 1 is not a
person, so a municipality's 37 new cases are published, and 3 are hidden. The old rule counted the
1 as a person and hid every such row in every bundle."""

from __future__ import annotations

import polars as pl

from trappen.national._bundle import disclosure_controlled


def _rows(code: str, counts: list[float]) -> pl.DataFrame:
    return pl.DataFrame({"kpi_code": [code] * len(counts), "year": [2024] * len(counts),
                         "value": counts, "numerator": counts, "denominator": [1.0] * len(counts)})


def test_counted_kpis_are_published_unless_the_count_is_small():
    for code in ("NEW_CASES", "COMPLAINTS"):
        shown = disclosure_controlled(_rows(code, [37.0]))
        assert shown["suppressed"].to_list() == [False] and shown["value"].to_list() == [37.0]
        hidden = disclosure_controlled(_rows(code, [3.0]))
        assert hidden["suppressed"].to_list() == [True] and hidden["value"].to_list() == [None]
