"""Properties: every real date round-trips; the vectorised validator agrees with the scalar one."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trappen.errors import InvalidInput
from trappen.privacy.cpr import MASKED, birth_date, parse_cpr, parse_cpr_column


def _seventh_digits(year: int) -> list[int]:
    """The 7th digits whose century rule gives ``year`` (inverse of the CPR office table)."""
    yy = year % 100
    out = []
    for d in range(10):
        if d <= 3:
            century = 1900
        elif d in (4, 9):
            century = 2000 if yy <= 36 else 1900
        else:
            century = 2000 if yy <= 57 else 1800
        if century + yy == year:
            out.append(d)
    return out


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1858, 1, 1), max_value=date(2057, 12, 31)),
       st.integers(0, 999), st.data())
def test_every_real_date_round_trips(born, serial, data):
    digits = _seventh_digits(born.year)
    assert digits  # every year 1858-2057 is reachable
    seventh = data.draw(st.sampled_from(digits))
    text = f"{born:%d%m%y}-{seventh}{serial:03d}"
    assert birth_date(text) == born
    assert parse_cpr(text.replace("-", "")) == text.replace("-", "")


def test_unreachable_years():
    assert _seventh_digits(1857) == [] and _seventh_digits(2058) == []


_CANDIDATE = st.one_of(
    st.from_regex(r"\A[0-3][0-9][01][0-9][0-9]{2}-?[0-9]{4}\Z"),
    st.text(alphabet="0123456789- x", max_size=12),
)


def _scalar_ok(text: str) -> bool:
    try:
        parse_cpr(text)
    except InvalidInput:
        return False
    return True


@settings(max_examples=100, deadline=None)
@given(st.lists(_CANDIDATE, min_size=1, max_size=30))
def test_column_agrees_with_scalar(texts):
    expected_bad = [i + 1 for i, t in enumerate(texts) if not _scalar_ok(t)]
    series = pl.Series("cpr", texts, dtype=pl.String)
    if expected_bad:
        with pytest.raises(InvalidInput) as info:
            parse_cpr_column(series, table="children")
        assert [p.row for p in info.value.problems] == expected_bad
        assert {p.value for p in info.value.problems} == {MASKED}
    else:
        assert parse_cpr_column(series).to_list() == [parse_cpr(t) for t in texts]


def test_column_reports_every_row_masked():
    series = pl.Series("cpr", ["010190-1234", "290200-1000", None, "310490-5678", "0101901234"])
    with pytest.raises(InvalidInput) as info:
        parse_cpr_column(series, table="children", first_row=2)
    problems = info.value.problems
    assert [(p.row, p.table, p.field) for p in problems] == [
        (3, "children", "cpr"), (4, "children", "cpr"), (5, "children", "cpr")]
    assert "required" in problems[1].message
    assert "290200" not in str(info.value) and "5678" not in str(info.value)


def test_column_success_keeps_name_and_order():
    out = parse_cpr_column(pl.Series("id_no", [" 010190-1234", "2902004000"]))
    assert out.name == "id_no" and out.to_list() == ["0101901234", "2902004000"]


def test_column_not_after():
    series = pl.Series("cpr", ["231126-4000", "241126-4000", "010136-4000", "010190-1234"])
    with pytest.raises(InvalidInput) as info:
        parse_cpr_column(series, not_after=date(2026, 11, 23))
    assert [(p.row, "future" in p.message) for p in info.value.problems] == [(2, True), (3, True)]
    assert parse_cpr_column(series).len() == 4
