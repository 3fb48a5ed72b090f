"""derive: steps, ages and population on a day, checked by hand."""

from datetime import date

import polars as pl

from trappen.register import Register, age_on, monthly_steps, population_on, steps_on
from trappen.staircase import Span, current_step


def _reg() -> Register:
    return Register.from_frames(
        children=pl.DataFrame({
            "child_id": [1, 2, 3, 4],
            "birth_date": [date(2008, 2, 29), date(2015, 6, 1), date(2006, 1, 1), date(2025, 1, 1)],
            "sex": ["F", "M", "F", "M"], "district_code": ["N", "S", "N", "N"],
            "entry_date": [date(2008, 2, 29), date(2015, 6, 1), date(2006, 1, 1), date(2025, 1, 1)],
            "exit_date": [None, date(2024, 3, 1), None, None]}),
        residences=pl.DataFrame({"child_id": [1, 1], "district_code": ["N", "S"],
                                 "start_date": [date(2008, 2, 29), date(2023, 1, 1)],
                                 "end_date": [date(2023, 1, 1), None]}),
        episodes=pl.DataFrame({
            "episode_id": [1, 2, 3, 4], "child_id": [1, 1, 2, 3],
            "intervention_code": ["FAMILY_TREATMENT", "FOSTER_GENERAL", "PARENTING_COURSE", "MST"],
            "step": [3, 5, 2, 3],
            "start_date": [date(2024, 1, 1), date(2024, 2, 15), date(2023, 1, 1), date(2024, 3, 1)],
            "end_date": [None, date(2024, 4, 1), date(2024, 2, 1), date(2024, 3, 1)],  # 4: zero days
            "end_reason": [None, "moved_down", "planned_end", "other"]}),
    )


def test_steps_on_takes_highest_active_and_omits_none():
    got = steps_on(_reg(), on=date(2024, 3, 1))
    # child 1: FT (3) and foster (5) active -> 5; child 2 ended 2024-02-01; child 3 zero-day -> omitted
    assert got.to_dicts() == [{"child_id": 1, "step": 5}]
    # end date is the first day without: on 2024-04-01 the foster episode is over -> 3
    assert steps_on(_reg(), on=date(2024, 4, 1)).to_dicts() == [{"child_id": 1, "step": 3}]


def test_monthly_steps_matches_current_step_per_child():
    reg = _reg()
    months = [date(2023, 12, 31), date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
    got = monthly_steps(reg, months=months)
    assert got.columns == ["child_id", "month", "step"]
    lookup = {(r["child_id"], r["month"]): r["step"] for r in got.to_dicts()}
    for cid, rows in reg.episodes.partition_by("child_id", as_dict=True).items():
        spans = [Span(step=r["step"], start=r["start_date"], end=r["end_date"]) for r in rows.to_dicts()]
        for m in months:
            assert lookup.get((cid[0], m), 0) == current_step(spans, on=m)
    # by hand: 2023-12-31 child 2 on step 2; 2024-01-31 child 1 on 3 and child 2 on 2;
    # 2024-02-29 child 1 on 5; 2024-03-31 child 1 on 5
    assert sorted(lookup.items()) == sorted({
        (2, date(2023, 12, 31)): 2, (1, date(2024, 1, 31)): 3, (2, date(2024, 1, 31)): 2,
        (1, date(2024, 2, 29)): 5, (1, date(2024, 3, 31)): 5}.items())


def test_age_on_leap_day_and_unborn():
    got = dict(age_on(_reg(), on=date(2024, 2, 28)).iter_rows())
    # born 2008-02-29: on 2024-02-28 still 15; born 2015-06-01: 8; 2006-01-01: 18; 2025 not born
    assert got == {1: 15, 2: 8, 3: 18}
    assert dict(age_on(_reg(), on=date(2023, 3, 1)).iter_rows())[1] == 15  # turns 15 on 1 March 2023


def test_population_on_uses_residence_and_drops_adults_and_leavers():
    got = population_on(_reg(), on=date(2024, 6, 1)).to_dicts()
    # child 2 left 2024-03-01; child 3 is 18; child 4 unborn; child 1 lives in S since 2023
    assert got == [{"child_id": 1, "district_code": "S", "age": 16}]
