"""Time conventions, against hand-worked calendars (Denmark, 2023-2025)."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trappen.deadlines import (
    COPENHAGEN,
    add_months,
    add_working_days,
    add_working_days_to_dates,
    danish_holidays,
    end_of_local_day,
    is_working_day,
)
from trappen.errors import InvalidInput


def test_good_friday_plus_six_working_days():
    # Received Langfredag, Friday 29 March 2024 14:00 (CET, UTC+1).
    # Not working days: Sat 30 Mar, Sun 31 Mar (Easter Sunday), Mon 1 Apr (2. påskedag).
    # Working days: Tue 2 (1), Wed 3 (2), Thu 4 (3), Fri 5 (4), Mon 8 (5), Tue 9 April (6).
    # Same wall-clock time, now CEST (UTC+2) after the 31 March change.
    due = add_working_days(datetime(2024, 3, 29, 14, 0, tzinfo=COPENHAGEN), 6)
    assert due == datetime(2024, 4, 9, 14, 0, tzinfo=COPENHAGEN)
    assert due.utcoffset() == timedelta(hours=2)


def test_maundy_thursday_plus_one_skips_the_whole_easter():
    # Skærtorsdag Thu 28 March 2024: next working day is Tue 2 April.
    assert add_working_days(datetime(2024, 3, 28, 9, tzinfo=COPENHAGEN), 1).date() == date(2024, 4, 2)


def test_weekend_receipt_counts_from_monday():
    # Saturday 6 April 2024: Mon 8 (1) ... Fri 12 (5), Mon 15 April (6).
    assert add_working_days(datetime(2024, 4, 6, 10, tzinfo=COPENHAGEN), 6).date() == date(2024, 4, 15)
    # Friday 5 April 2024 (a working day, not counted itself): Mon 8 (1) ... Mon 15 (6).
    assert add_working_days(datetime(2024, 4, 5, 10, tzinfo=COPENHAGEN), 6).date() == date(2024, 4, 15)


def test_local_date_decides_not_utc_date():
    # 23:30 UTC on Thu 4 April 2024 is 01:30 Fri 5 April in Copenhagen: counts from Friday.
    start = datetime(2024, 4, 4, 23, 30, tzinfo=UTC)
    assert add_working_days(start, 1) == datetime(2024, 4, 8, 1, 30, tzinfo=COPENHAGEN)


def test_store_bededag_abolished_from_2024():
    # Store Bededag: 4th Friday after Easter; a holiday in 2023 (5 May), abolished from 2024
    # (would have been 26 April 2024).
    assert date(2023, 5, 5) in danish_holidays(2023, 2023)
    assert not is_working_day(date(2023, 5, 5))
    assert is_working_day(date(2024, 4, 26))
    # Thu 4 May 2023 + 1 working day skips Store Bededag to Mon 8 May.
    assert add_working_days(datetime(2023, 5, 4, 12, tzinfo=COPENHAGEN), 1).date() == date(2023, 5, 8)


def test_days_that_are_not_official_holidays_are_working_days():
    # Grundlovsdag (5 June), juleaftensdag (24 Dec) and nytårsaftensdag (31 Dec) are not
    # official public holidays; the holidays package (and so Trappen) counts them as working days.
    assert is_working_day(date(2024, 6, 5))  # Wednesday
    assert is_working_day(date(2024, 12, 24))  # Tuesday
    assert is_working_day(date(2024, 12, 31))  # Tuesday
    assert not is_working_day(date(2024, 12, 25))
    assert not is_working_day(date(2024, 12, 26))
    assert not is_working_day(date(2024, 5, 9))  # Kristi himmelfartsdag
    assert not is_working_day(date(2024, 5, 20))  # 2. pinsedag


def test_christmas_across_the_new_year():
    # Mon 23 Dec 2024: Tue 24 (1), [25, 26 holidays], Fri 27 (2), Mon 30 (3), Tue 31 (4),
    # [1 Jan holiday], Thu 2 Jan 2025 (5), Fri 3 Jan (6).
    assert add_working_days(datetime(2024, 12, 23, 8, tzinfo=COPENHAGEN), 6).date() == date(2025, 1, 3)


def test_vectorised_matches_scalar():
    days = np.array(["2024-03-29", "2024-03-30", "2024-12-23", "2023-05-04"], dtype="datetime64[D]")
    got = add_working_days_to_dates(days, 6)
    expected = [add_working_days(datetime(d.year, d.month, d.day, 12, tzinfo=COPENHAGEN), 6).date()
                for d in days.astype(date)]
    assert list(got.astype(date)) == expected


def test_naive_start_and_negative_n_refused():
    with pytest.raises(InvalidInput, match="start"):
        add_working_days(datetime(2024, 3, 29, 14), 6)
    with pytest.raises(InvalidInput, match="'n'"):
        add_working_days(datetime(2024, 3, 29, 14, tzinfo=COPENHAGEN), -1)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2023, 10, 31), 4) == date(2024, 2, 29)  # leap year
    assert add_months(date(2024, 10, 31), 4) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)


def test_end_of_local_day_across_dst():
    # 31 March 2024 has 23 hours; its last microsecond is 21:59:59.999999 UTC (CEST).
    end = end_of_local_day(date(2024, 3, 31))
    assert end.astimezone(UTC) == datetime(2024, 3, 31, 21, 59, 59, 999999, tzinfo=UTC)
    # 27 October 2024 has 25 hours; it ends 22:59:59.999999 UTC (CET).
    end = end_of_local_day(date(2024, 10, 27))
    assert end.astimezone(UTC) == datetime(2024, 10, 27, 22, 59, 59, 999999, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), n=st.integers(1, 30))
def test_working_days_property(day, n):
    # The result is a working day, later than the start, with exactly n working days in
    # (day, result] counted one by one with the scalar rule.
    start = datetime(day.year, day.month, day.day, 12, tzinfo=COPENHAGEN)
    due = add_working_days(start, n).date()
    assert is_working_day(due) and due > day
    counted = sum(is_working_day(day + timedelta(days=i)) for i in range(1, (due - day).days + 1))
    assert counted == n


@settings(max_examples=50, deadline=None)
@given(pairs=st.lists(st.tuples(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
                                st.integers(-60, 240)), min_size=1, max_size=50))
def test_vectorised_month_arithmetic_matches_scalar(pairs):
    import polars as pl

    from trappen.deadlines._engine import _add_months
    frame = pl.DataFrame({"d": [p[0] for p in pairs], "k": [p[1] for p in pairs]})
    got = frame.select(x=_add_months(pl.col("d"), pl.col("k")))["x"].to_list()
    assert got == [add_months(d, k) for d, k in pairs]


def test_vectorised_month_arithmetic_keeps_nulls():
    import polars as pl

    from trappen.deadlines._engine import _add_months
    frame = pl.DataFrame({"d": [date(2024, 1, 31), None, date(2023, 10, 31)], "k": [1, 3, None]})
    got = frame.select(x=_add_months(pl.col("d"), pl.col("k")))["x"].to_list()
    assert got == [date(2024, 2, 29), None, None]
