"""Planned against realised: hand-computed on the golden 4-year case (start 2024, no discounting)."""

from __future__ import annotations

import polars as pl
import pytest

from trappen.economics import case_from_dict, evaluate_case, planned_vs_realised
from trappen.errors import InvalidInput


def test_planned_vs_realised_by_hand(golden):
    r = evaluate_case(case_from_dict(golden(0.0)))
    # baseline 2023 = 1,000,000; realised 2024 = 1,000,000 (saving 0), 2025 = 900,000 (saving
    # 100k); 2026, 2027 not yet in the register.
    realised = pl.DataFrame({"calendar_year": [2023, 2024, 2025],
                             "amount_dkk": [1_000_000.0, 1_000_000.0, 900_000.0]})
    out = planned_vs_realised(r, realised=realised)
    assert out["calendar_year"].to_list() == [2024, 2025, 2026, 2027]
    # planned savings (municipality + region): 0, 60k+10k, 120k+20k, 120k+20k
    assert out["planned_saving_dkk"].to_list() == pytest.approx([0, 70_000, 140_000, 140_000])
    assert out["planned_cost_dkk"].to_list() == pytest.approx([50_000] * 4)
    assert out["realised_saving_dkk"].to_list()[:2] == pytest.approx([0, 100_000])
    assert out["realised_saving_dkk"].to_list()[2:] == [None, None]
    # gap = realised - planned saving: 0 - 0, 100k - 70k
    assert out["saving_gap_dkk"].to_list()[:2] == pytest.approx([0, 30_000])
    assert out["cumulative_planned_saving_dkk"].to_list() == pytest.approx([0, 70_000, 210_000, 350_000])
    assert out["cumulative_realised_saving_dkk"].to_list()[:2] == pytest.approx([0, 100_000])


def test_missing_baseline_or_column_is_refused(golden):
    r = evaluate_case(case_from_dict(golden(0.0)))
    with pytest.raises(InvalidInput, match="2023"):
        planned_vs_realised(r, realised=pl.DataFrame({"calendar_year": [2024], "amount_dkk": [1.0]}))
    with pytest.raises(InvalidInput, match="amount_dkk"):
        planned_vs_realised(r, realised=pl.DataFrame({"calendar_year": [2023]}))
    with pytest.raises(InvalidInput, match="calendar_year"):
        planned_vs_realised(r, realised=pl.DataFrame({"calendar_year": [2023, 2023],
                                                      "amount_dkk": [1.0, 2.0]}))
