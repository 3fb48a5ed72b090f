"""calibration_report measures the national figures on a register."""

from datetime import date

import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.register import Register
from trappen.synthetic import MODEL_TOLERANCE, calibration_report


def _episode(eid, child, step, code, start, end):
    return (eid, child, code, step, start, end, None if end is None else "planned_end")


@pytest.fixture
def tiny():
    """1,000 children; 3 placed on 31 Dec 2025 (2 in family care); 1 entry into care."""
    episodes = pl.DataFrame([
        _episode(1, 1, 4, "NETWORK_FOSTER_FAMILY", date(2024, 1, 1), None),
        _episode(2, 2, 3, "FAMILY_TREATMENT", date(2024, 1, 1), date(2025, 3, 1)),
        _episode(3, 2, 6, "OPHOLDSSTED", date(2025, 3, 1), date(2026, 2, 1)),  # entered care
        _episode(4, 3, 5, "FOSTER_GENERAL", date(2024, 1, 1), date(2025, 6, 1)),  # ended
        _episode(5, 4, 4, "NETWORK_FOSTER_FAMILY", date(2024, 1, 1), date(2025, 5, 1)),
        _episode(6, 4, 5, "FOSTER_GENERAL", date(2025, 5, 1), None),  # a move, not an entry
        _episode(7, 5, 3, "MST", date(2025, 9, 1), None),
    ], schema=["episode_id", "child_id", "intervention_code", "step", "start_date", "end_date",
               "end_reason"], orient="row")
    notifications = pl.select(
        pl.lit(pl.Series("notification_id", [1, 2, 3, 4])),
        pl.lit(pl.Series("child_id", [1, 1, 5, 5])),
        pl.datetime(pl.lit(pl.Series([2025, 2025, 2025, 2024])), pl.lit(pl.Series([2, 8, 9, 9])), 1,
                    time_zone="UTC").alias("received_at"),
        pl.lit("school").alias("notifier_kind"),
        pl.lit(None, pl.Datetime("us", "UTC")).alias("assessed_at"),
        pl.lit(None, pl.String).alias("outcome"),
        pl.lit(None, pl.Datetime("us", "UTC")).alias("acknowledged_at"),
    )
    population = pl.DataFrame({"year": [2025], "district_code": ["D01"], "age": [5],
                               "children": [1000]})
    return Register.from_frames(episodes=episodes, notifications=notifications,
                                population=population)


def test_report_counts_by_hand(tiny):
    report = calibration_report(tiny)
    got = dict(zip(report["figure"], report["generated"], strict=True))
    assert got["placed 0-22 on 31 Dec per 1,000 children 0-17"] == pytest.approx(3.0)
    assert got["share of placed children in family care (kinship + foster)"] == pytest.approx(2 / 3)
    assert got["children entering care during the year per 1,000"] == pytest.approx(1.0)
    assert got["with a home-based (preventive) measure on 31 Dec per 1,000"] == pytest.approx(1.0)
    assert got["notifications in the year per 1,000"] == pytest.approx(3.0)
    assert got["children with >= 1 notification per 1,000"] == pytest.approx(2.0)
    targets = dict(zip(report["figure"], report["target"], strict=True))
    # per 1,000 of Denmark's children 0-17 in the figure's own year (2018: 1,157,000)
    assert targets["placed 0-22 on 31 Dec per 1,000 children 0-17"] == pytest.approx(13_823 / 1157)
    assert targets["notifications in the year per 1,000"] == pytest.approx(138_000 / 1153)
    # three placed children give a very wide band; the table is still honest about it
    assert (report["tolerance"] > MODEL_TOLERANCE).all()


def test_generated_register_is_within_tolerance(register20k):
    report = calibration_report(register20k)
    assert report.height == 6
    assert report["within"].all(), report
    # the bands are narrow enough to mean something at this size
    assert (report["tolerance"] < 0.30).all()


def test_a_register_without_population_is_refused():
    with pytest.raises(InvalidInput, match="population"):
        calibration_report(Register.from_frames())
