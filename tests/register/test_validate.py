"""validate(): every offending row is reported with table, 1-based row, column and value."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from trappen.errors import RegisterInvalid
from trappen.register import Register, validate

UTC = UTC


def _good(**over: pl.DataFrame) -> Register:
    frames = dict(
        districts=pl.DataFrame({"district_code": ["N", "S"], "name": ["Nord", "Syd"], "pilot_from": [None, None]}),
        children=pl.DataFrame({
            "child_id": [1, 2, 3], "birth_date": [date(2010, 1, 1), date(2015, 6, 1), date(2020, 3, 1)],
            "sex": ["F", "M", "F"], "district_code": ["N", "S", "N"],
            "entry_date": [date(2010, 1, 1), date(2015, 6, 1), date(2020, 3, 1)], "exit_date": [None, None, None]}),
        episodes=pl.DataFrame({
            "episode_id": [10, 11, 12, 13], "child_id": [1, 1, 2, 3],
            "intervention_code": ["FAMILY_TREATMENT", "FAMILY_TREATMENT", "FOSTER_GENERAL", "PARENTING_COURSE"],
            "step": [3, 3, 5, 2],
            # 10 ends the day 11 starts: touching, not overlapping; 13 is a zero-day episode (valid)
            "start_date": [date(2020, 1, 1), date(2020, 6, 1), date(2021, 1, 1), date(2022, 1, 1)],
            "end_date": [date(2020, 6, 1), None, None, date(2022, 1, 1)],
            "end_reason": ["planned_end", None, None, "other"]}),
        notifications=pl.DataFrame({
            "notification_id": [100], "child_id": [1],
            "received_at": [datetime(2020, 1, 1, 9, tzinfo=UTC)], "notifier_kind": ["school"],
            "assessed_at": [datetime(2020, 1, 1, 15, tzinfo=UTC)], "outcome": ["investigation"],
            "acknowledged_at": [None]}),
    )
    frames.update(over)
    return Register.from_frames(**frames)


def _problems(reg: Register) -> set[tuple]:
    with pytest.raises(RegisterInvalid) as info:
        validate(reg)
    return {(p.table, p.row, p.field, p.value) for p in info.value.problems}


def test_good_register_passes():
    validate(_good())


def test_every_offending_episode_row_is_reported():
    ep = _good().episodes.with_columns(
        pl.Series("intervention_code", ["FAMILY_TREATMENT", "NO_SUCH", "FOSTER_GENERAL", "PARENTING_COURSE"]),
        pl.Series("step", [3, 3, 6, 2], dtype=pl.Int8),
        pl.Series("end_reason", ["planned_end", "bogus", None, "other"]),
        pl.Series("end_date", [date(2020, 6, 1), None, None, date(2021, 12, 31)]),
    )
    got = _problems(_good(episodes=ep))
    assert got == {
        ("episodes", 2, "intervention_code", "NO_SUCH"),
        ("episodes", 3, "step", 6),  # FOSTER_GENERAL is step 5 only
        ("episodes", 2, "end_reason", "bogus"),
        ("episodes", 4, "end_date", date(2021, 12, 31)),  # before its start 2022-01-01
    }


def test_overlapping_episodes_of_same_type():
    ep = _good().episodes.with_columns(
        pl.Series("start_date", [date(2020, 1, 1), date(2020, 5, 31), date(2021, 1, 1), date(2022, 1, 1)]))
    assert _problems(_good(episodes=ep)) == {("episodes", 2, "start_date", date(2020, 5, 31))}


def test_unknown_children_districts_and_codes():
    ch = _good().children.with_columns(pl.Series("district_code", ["N", "X", "N"]),
                                       pl.Series("birth_date", [date(2010, 1, 1), None, date(2020, 3, 1)]))
    no = _good().tables["notifications"].with_columns(
        pl.Series("child_id", [9]), pl.Series("notifier_kind", ["teacher"]), pl.Series("outcome", ["maybe"]),
        pl.Series("assessed_at", [datetime(2019, 12, 31, tzinfo=UTC)]))
    got = _problems(_good(children=ch, notifications=no))
    assert got == {
        ("children", 2, "district_code", "X"),
        ("children", 2, "birth_date", None),
        ("notifications", 1, "child_id", 9),
        ("notifications", 1, "notifier_kind", "teacher"),
        ("notifications", 1, "outcome", "maybe"),
        ("notifications", 1, "assessed_at", datetime(2019, 12, 31, tzinfo=UTC)),
    }


def test_message_names_row_and_column():
    ep = _good().episodes.with_columns(pl.Series("intervention_code", ["FAMILY_TREATMENT", "NOPE",
                                                                       "FOSTER_GENERAL", "PARENTING_COURSE"]))
    with pytest.raises(RegisterInvalid, match=r"episodes, row 2, column 'intervention_code'"):
        validate(_good(episodes=ep))
