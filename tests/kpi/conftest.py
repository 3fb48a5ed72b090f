"""A small register whose every KPI is computed by hand in tests/kpi/test_engine.py."""

from datetime import date

import polars as pl
import pytest

from trappen.register import Register, validate

D = date


def hand_register() -> Register:
    """Six children, ten episodes; at = 2024-12-31, period = calendar 2024 (366 days)."""
    children = pl.DataFrame({
        "child_id": [1, 2, 3, 4, 5, 6],
        "birth_date": [D(2010, 5, 1), D(2016, 3, 10), D(2020, 7, 1), D(2023, 6, 15), D(2008, 1, 20), D(2024, 3, 1)],
        "sex": ["F", "M", "F", "M", "F", "M"],
        "district_code": ["N", "N", "S", "S", "N", "S"],
        "entry_date": [D(2010, 5, 1), D(2016, 3, 10), D(2020, 7, 1), D(2023, 6, 15), D(2008, 1, 20), D(2024, 3, 1)],
        "exit_date": [None] * 6,
    })
    episodes = pl.DataFrame(
        [
            # id child code                 step start          end             reason
            (1, 1, "RESIDENTIAL_INSTITUTION", 6, D(2022, 1, 1), D(2024, 3, 1), "moved_down"),
            (2, 1, "FOSTER_GENERAL", 5, D(2024, 3, 1), None, None),
            (3, 2, "FAMILY_TREATMENT", 3, D(2023, 6, 1), D(2024, 9, 1), "moved_up"),
            (4, 2, "NETWORK_FOSTER_FAMILY", 4, D(2024, 9, 1), D(2024, 11, 1), "breakdown"),
            (5, 2, "NETWORK_FOSTER_FAMILY", 4, D(2024, 12, 1), None, None),
            (6, 3, "PARENTING_COURSE", 2, D(2023, 10, 1), None, None),
            (7, 4, "FAMILY_TREATMENT", 3, D(2023, 11, 1), D(2024, 5, 1), "moved_down"),
            (8, 4, "PARENTING_COURSE", 2, D(2024, 5, 1), None, None),
            (9, 5, "OPHOLDSSTED", 6, D(2024, 2, 1), None, None),
            (10, 6, "HV_EXTRA_VISITS", 1, D(2024, 3, 1), D(2024, 6, 1), "planned_end"),
        ],
        schema=["episode_id", "child_id", "intervention_code", "step", "start_date", "end_date", "end_reason"],
        orient="row",
    )
    cases = pl.DataFrame({
        "case_id": [1, 2, 3, 4, 5], "child_id": [1, 6, 4, 3, 4],
        "opened_on": [D(2024, 2, 1), D(2024, 1, 15), D(2023, 11, 1), D(2024, 7, 1), D(2024, 2, 1)],
        "closed_on": [None] * 5, "source": ["notification"] * 5,
    })
    follow_ups = pl.DataFrame({"follow_up_id": [1, 2], "child_id": [1, 5], "episode_id": [2, 9],
                               "held_on": [D(2024, 5, 15), D(2025, 2, 1)]})
    caseworkers = pl.DataFrame({
        "caseworker_id": [1, 2, 3], "district_code": ["N", "S", "N"], "team_code": ["T", "T", "T"],
        "fte": [1.0, 0.5, 1.0], "start_date": [D(2020, 1, 1)] * 3, "end_date": [None, None, D(2024, 6, 1)],
    })
    assignments = pl.DataFrame({
        "child_id": [1, 2, 3, 4, 5, 6, 6], "caseworker_id": [1, 1, 1, 2, 2, 1, 3],
        "start_date": [D(2024, 1, 1)] * 5 + [D(2024, 3, 1), D(2024, 1, 1)],
        "end_date": [None] * 5 + [D(2024, 6, 1), D(2024, 3, 1)],
    })
    complaints = pl.DataFrame({
        "complaint_id": [1, 2, 3, 4], "child_id": [1, 2, 4, 5],
        "received_on": [D(2024, 3, 1), D(2024, 5, 1), D(2024, 6, 1), D(2023, 12, 1)],
        "reassessed_on": [None] * 4, "municipality_upheld": [True, True, None, True],
        "appeals_outcome": ["upheld", "changed", None, "upheld"],
    })
    population = pl.DataFrame({"year": [2024, 2024], "district_code": ["N", "S"], "age": [5, 5],
                               "children": [600, 400]})  # 1,000 children 0-17 in 2024
    districts = pl.DataFrame({"district_code": ["N", "S"], "name": ["Nord", "Syd"], "pilot_from": [None, None]})
    return Register.from_frames(children=children, episodes=episodes, cases=cases, follow_ups=follow_ups,
                                caseworkers=caseworkers, assignments=assignments, complaints=complaints,
                                population=population, districts=districts)


@pytest.fixture(scope="session")
def reg() -> Register:
    r = hand_register()
    validate(r)
    return r
