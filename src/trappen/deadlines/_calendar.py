"""Time conventions: Copenhagen calendar days, elapsed hours, Danish working days.

* Every instant is timezone-aware; the register stores UTC.
* Hour-based deadlines (D1's 24 hours) count *elapsed* hours: 24 hours after Saturday 30 March
  2024 10:00 (CET) is Sunday 31 March 11:00 (CEST), because the clocks jump at 02:00.
* Date-based deadlines count calendar dates in Europe/Copenhagen. A duty due on a date may be
  done until the end of that local day.
* Working days are Monday-Friday except Danish public holidays as the ``holidays`` package
  lists them for ``DK`` (public category): New Year's Day, Maundy Thursday, Good Friday, Easter
  Sunday and Monday, Ascension Day, Whit Sunday and Monday, Christmas Day and Boxing Day, and
  Store Bededag up to 2023 (abolished from 2024 by lov nr. 137 of 28 February 2023). Grundlovsdag
  (5 June), Christmas Eve and New Year's Eve are not official public holidays and are working
  days here, as in the package.
* Months are added on the calendar and clamped to the month's last day: 31 October + 4 months is
  28 February (29 in a leap year); 31 January + 1 month is 28/29 February.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import numpy as np
from numpy.typing import NDArray

from trappen.errors import InvalidInput, Problem

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TIMEZONE = "Europe/Copenhagen"
WEEKMASK = "1111100"  # Monday-Friday


def require_aware(value: datetime, *, field: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise InvalidInput."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(Problem(field=field, value=value,
                                   message="must be a timezone-aware datetime"))
    return value


@lru_cache(maxsize=64)
def _holidays_between(first_year: int, last_year: int) -> tuple[date, ...]:
    found = holidays.country_holidays("DK", years=range(first_year, last_year + 1))
    return tuple(sorted(found))


def danish_holidays(first_year: int, last_year: int) -> tuple[date, ...]:
    """Danish public holidays from 1 January ``first_year`` to 31 December ``last_year``."""
    return _holidays_between(first_year, last_year)


def is_working_day(day: date) -> bool:
    """Monday-Friday and not a Danish public holiday."""
    return day.weekday() < 5 and day not in _holidays_between(day.year, day.year)


def add_working_days_to_dates(days: NDArray[np.datetime64], n: int) -> NDArray[np.datetime64]:
    """The ``n``-th working day after each date (vectorised; the date itself never counts).

    Args:
        days: ``datetime64[D]`` array, shape (k,), local calendar dates.
        n: working days to add, >= 0. With 0, a date that is not a working day moves back to
            the previous working day.

    Returns:
        ``datetime64[D]`` array, shape (k,).
    """
    days = np.asarray(days, dtype="datetime64[D]")
    if days.size == 0:
        return days
    years = days.astype("datetime64[Y]").astype(int) + 1970
    # n working days are at most ~2n + 20 calendar days ahead: one spare year covers any n < 100.
    hol = np.array(_holidays_between(int(years.min()), int(years.max()) + 1 + n // 200),
                   dtype="datetime64[D]")
    # roll="backward" first: received on a Saturday counts from Friday, so Monday is day 1.
    return np.busday_offset(days, n, roll="backward", weekmask=WEEKMASK, holidays=hol)


def add_working_days(start: datetime, n: int) -> datetime:
    """The same Copenhagen wall-clock time on the ``n``-th working day after ``start``'s date.

    The start day itself never counts, whether or not it is a working day. Example: received
    Good Friday 29 March 2024 14:00 + 6 working days = Tuesday 9 April 2024 14:00 (Easter
    Saturday, Sunday and Monday are skipped). The duty is then met until the end of that day.

    Args:
        start: a timezone-aware instant.
        n: working days to add, >= 0.

    Returns:
        A datetime in Europe/Copenhagen.

    Raises:
        InvalidInput: ``start`` is naive or ``n`` is negative.
    """
    require_aware(start, field="start")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidInput(Problem(field="n", value=n, message="must be a whole number >= 0"))
    local = start.astimezone(COPENHAGEN)
    due = add_working_days_to_dates(np.array([local.date()], dtype="datetime64[D]"), n)[0]
    due_day = due.astype(date)
    return datetime.combine(due_day, local.time().replace(tzinfo=None), tzinfo=COPENHAGEN)


def end_of_local_day(day: date) -> datetime:
    """The last microsecond of ``day`` in Copenhagen, as an aware datetime."""
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=COPENHAGEN)
    return next_midnight - timedelta(microseconds=1)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the last day of the month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_first - timedelta(days=1)).day))
