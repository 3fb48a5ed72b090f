"""CPR parsing, validation, masking: hand-worked synthetic numbers (dates checked by hand)."""

from datetime import date

import pytest

from trappen.errors import InvalidInput
from trappen.privacy.cpr import MASKED, birth_date, mask, parse_cpr, sex


@pytest.mark.parametrize(("text", "born"), [
    # 7th digit 0-3: always 1900s
    ("010190-1234", date(1990, 1, 1)),
    ("311299-0003", date(1999, 12, 31)),
    ("150500-3111", date(1900, 5, 15)),
    # 7th digit 4 and 9: 2000s when YY <= 36, else 1900s
    ("010136-4000", date(2036, 1, 1)),
    ("010137-4000", date(1937, 1, 1)),
    ("020312-9001", date(2012, 3, 2)),
    ("020399-9001", date(1999, 3, 2)),
    # 7th digit 5-8: 2000s when YY <= 57, else 1800s
    ("010157-5000", date(2057, 1, 1)),
    ("010158-5000", date(1858, 1, 1)),
    ("241215-6789", date(2015, 12, 24)),
    ("241285-8789", date(1885, 12, 24)),
    ("010110-7000", date(2010, 1, 1)),
])
def test_century_rule(text, born):
    assert birth_date(text) == born


@pytest.mark.parametrize("text", [
    "290200-4000",   # 2000 is a leap year (divisible by 400)
    "290200-5000",   # 5 with YY 00 <= 57: 2000
    "290296-1000",   # 1996 leap year
    "290212-9000",   # 2012 leap year
    "300490-1234",   # 30 April exists
])
def test_real_dates_accepted(text):
    assert parse_cpr(text) == text.replace("-", "")


@pytest.mark.parametrize("text", [
    "290200-1000",   # 1900 is not a leap year (divisible by 100, not 400)
    "290200-3000",   # idem
    "290297-1000",   # 1997 not a leap year
    "290258-5000",   # 5 with YY 58 > 57: 1858, not a leap year
    "310490-1234",   # 31 April does not exist
    "300290-1234",   # 30 February
    "000190-1234",   # day 00
    "011390-1234",   # month 13
    "010090-1234",   # month 00
])
def test_impossible_dates_refused(text):
    with pytest.raises(InvalidInput) as info:
        parse_cpr(text)
    assert info.value.problems[0].field == "cpr"


def test_both_formats_and_whitespace():
    assert parse_cpr("0101901234") == "0101901234"
    assert parse_cpr("  010190-1234\n") == "0101901234"


def test_no_modulus_11_check():
    # 010190-1234 fails the pre-2007 modulus-11 test (weights 4327654321 give 128, 128 % 11 = 7)
    assert sum(int(d) * w for d, w in zip("0101901234", (4, 3, 2, 7, 6, 5, 4, 3, 2, 1), strict=True)) % 11 == 7
    assert parse_cpr("010190-1234") == "0101901234"


@pytest.mark.parametrize("text", [
    "", "010190", "010190-123", "010190-12345", "01019-01234", "010190 1234", "0101901234x",
    "O10190-1234", "010190--1234", "٠١٠١٩٠١٢٣٤",  # Arabic-Indic digits are not accepted
])
def test_malformed_refused(text):
    with pytest.raises(InvalidInput):
        parse_cpr(text)


def test_non_text_refused():
    with pytest.raises(InvalidInput):
        parse_cpr(101901234)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [
    "310492-5678",     # bad date
    "311197-9876",     # 31 November
    "456789-1234",     # month 67
    "310492-56789",    # too long
    "310492_5678",     # wrong separator
    "290293-1357",     # 1993 not leap
])
def test_error_never_contains_the_digits(text):
    with pytest.raises(InvalidInput) as info:
        parse_cpr(text)
    exc = info.value
    rendered = str(exc) + repr(exc.args) + repr(exc.problems)
    digits = "".join(ch for ch in text if ch.isdigit())
    for part in (text, digits, digits[:6], digits[6:10], text[:4], text[2:6]):
        assert part not in rendered
    assert exc.problems[0].value == MASKED
    assert exc.__cause__ is None
    assert exc.__context__ is None or exc.__suppress_context__


def test_sex_from_last_digit():
    assert sex("010190-1234") == "F"  # 4 even
    assert sex("010190-1230") == "F"  # 0 even
    assert sex("010190-1235") == "M"
    assert sex("0101901239") == "M"


def test_mask():
    assert mask("010190-1234") == "010190-XXXX"
    assert mask(" 0101901234 ") == "010190-XXXX"
    with pytest.raises(InvalidInput):
        mask("310490-1234")


def test_not_after_refuses_future_births():
    today = date(2026, 11, 23)
    assert parse_cpr("231126-4000", not_after=today) == "2311264000"  # born today
    with pytest.raises(InvalidInput, match="future") as info:
        parse_cpr("241126-4000", not_after=today)
    assert "241126" not in str(info.value)
    assert parse_cpr("241126-4000") == "2411264000"  # without a reference date: allowed
