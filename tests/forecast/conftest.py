"""Registers for the forecast tests: a tiny hand-built one and a small synthetic one."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from trappen.register import Register


@pytest.fixture(scope="session")
def tiny() -> Register:
    """Three children, hand-made, for hand-computed counts.

    Child 1 (born 2010-01-15): step 3 from 2019-01-01, step 5 from 2020-01-01 (ongoing).
    Child 2 (born 2012-06-01): never on the staircase, moved out on 2020-06-01.
    Child 3 (born 2003-03-01): step 6 from 2018-01-01 until its 18th birthday, aftercare
    (step 3) from 2021-03-01 until 2022-03-01.
    """
    children = pl.DataFrame({
        "child_id": [1, 2, 3],
        "birth_date": [date(2010, 1, 15), date(2012, 6, 1), date(2003, 3, 1)],
        "sex": ["F", "M", "F"],
        "district_code": ["D01"] * 3,
        "entry_date": [date(2010, 1, 15), date(2012, 6, 1), date(2003, 3, 1)],
        "exit_date": [None, date(2020, 6, 1), None],
    })
    episodes = pl.DataFrame({
        "episode_id": [1, 2, 3, 4],
        "child_id": [1, 1, 3, 3],
        "intervention_code": ["FAMILY_TREATMENT", "FOSTER_GENERAL", "RESIDENTIAL_INSTITUTION", "CONTACT_PERSON"],
        "step": [3, 5, 6, 3],
        "start_date": [date(2019, 1, 1), date(2020, 1, 1), date(2018, 1, 1), date(2021, 3, 1)],
        "end_date": [date(2020, 1, 1), None, date(2021, 3, 1), date(2022, 3, 1)],
        "end_reason": ["moved_up", None, "turned_18", "planned_end"],
    })
    return Register.from_frames(children=children, episodes=episodes)


@pytest.fixture(scope="session")
def synthetic() -> Register:
    from trappen.synthetic import generate

    return generate(children=3000, years=6, seed=11)
