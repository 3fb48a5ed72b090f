"""Deliveries to Danmarks Statistik (issue 20): golden files, the delta, validation, periods.

A small hand-made register: four children, five measures. Synthetic CPR numbers only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.exchange.dst import (
    IDENTITY_SCHEMA,
    LEDGER_SCHEMA,
    MEASURE_SCHEMA,
    Contact,
    Period,
    Sender,
    build_delivery,
    check_xml,
    empty,
    ledger_state,
)
from trappen.staircase import default_paragraph_codes, load_paragraph_codes

GOLDEN = Path(__file__).parent / "golden"
D = dt.date
SENDER = Sender(municipality_code="657", cvr="29189684", p_number="1003388487",
                contacts=(Contact(role="Faglig ansvarlig", email="boern@example.dk"),
                          Contact(role="Kvitteringsmodtager", email="dst@example.dk")),
                system_version="0.1")
NOW = dt.datetime(2026, 2, 3, 10, 30, 0)
JAN, FEB = Period.parse("2026M01"), Period.parse("2026M02")


def measures(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=MEASURE_SCHEMA, orient="row")


BASE = [
    ("E1", 1, "FAMILY_TREATMENT", D(2025, 11, 1), None),           # ongoing
    ("E2", 2, "CONTACT_PERSON", D(2026, 1, 10), D(2026, 1, 21)),   # ends 20 January (last day)
    ("E3", 3, "FAMILY_COUNSELLING", D(2026, 1, 5), D(2026, 3, 1)),  # ends after January
    ("E4", 4, "FOSTER_GENERAL", D(2025, 6, 1), None),              # a placement: not L201
    ("E5", 1, "NETWORK_GROUP", D(2026, 2, 2), None),               # starts in February
]
IDENTITIES = pl.DataFrame(
    [(1, "0101151234", "0203804321", "id1"), (2, "1502164242", "1111791111", "id2"),
     (3, "3112172468", "0505855555", "id3"), (4, "0707180002", "0808880008", "id4")],
    schema=IDENTITY_SCHEMA, orient="row")


def build(rows=BASE, *, period=JAN, ledger=None, identities=IDENTITIES, statistic="L201", codes=None, **kw):
    return build_delivery(statistic=statistic, period=period, measures=measures(*rows), identities=identities,
                          ledger=empty(LEDGER_SCHEMA) if ledger is None else ledger,
                          codes=codes or default_paragraph_codes(), sender=SENDER, created_at=NOW, **kw)


def accept(*deliveries) -> pl.DataFrame:
    """The ledger after DST accepted ``deliveries`` in this order."""
    history = pl.concat([d.records.with_columns(pl.lit(d.period.end).alias("period_end"),
                                                pl.lit(i).alias("seq")) for i, d in enumerate(deliveries)])
    return ledger_state(history)


def rows_of(delivery) -> list[tuple]:
    return delivery.records.select("measure_id", "report_type", "code", "start_date", "end_date").rows()


def test_a_small_register_gives_a_byte_stable_delivery():
    first, again = build(), build()
    assert first.report.ok, first.report.lines()
    assert first.xml == again.xml and first.sha256 == again.sha256
    # reviewed by hand once; the test pins every byte (regenerate only for a deliberate change)
    assert first.xml == (GOLDEN / "l201_2026M01.xml").read_bytes()
    assert check_xml(first.xml, statistic="L201") == []
    assert first.kind == "initial"
    assert first.file_name == "P_657_L201_P2026M01_V01_D20260203T103000.xml"


def test_the_period_holds_only_its_measures_and_censors_later_ends():
    d = build()
    assert rows_of(d) == [
        ("E1", "new", "420", D(2025, 11, 1), None),
        ("E2", "new", "230", D(2026, 1, 10), D(2026, 1, 20)),  # DST's end: the last day
        ("E3", "new", "405", D(2026, 1, 5), None),              # ends in March: not known in January
    ]
    assert d.report.excluded == {"placement": 1}
    assert b"E5" not in d.xml and b"E4" not in d.xml


@pytest.mark.parametrize("label", ["2026M01", "2026M02", "2025K4", "2026", "2025-12-15..2026-01-15"])
def test_a_delivery_never_contains_a_measure_outside_its_period(label):
    period = Period.parse(label)
    d = build(period=period)
    starts = dict(zip([r[0] for r in BASE], [r[3] for r in BASE], strict=True))
    ends = {r[0]: (r[4] - dt.timedelta(days=1) if r[4] else None) for r in BASE}
    for mid in d.records["measure_id"]:
        assert starts[mid] <= period.end and (ends[mid] is None or ends[mid] >= period.start), mid
    for end in d.records["end_date"].drop_nulls():
        assert period.start <= end <= period.end


def test_unchanged_measures_are_not_sent_again():
    jan = build()
    feb = build(period=FEB, ledger=accept(jan))
    # E2 ended in January (DST knows it), E1 is unchanged; E3's end (28 February) is now in
    # the period, so it is a change; E5 is new
    assert rows_of(feb) == [("E3", "changed", "405", D(2026, 1, 5), D(2026, 2, 28)),
                            ("E5", "new", "401", D(2026, 2, 2), None)]
    assert feb.kind == "delta"


def test_a_change_a_cancellation_and_a_correction_give_exactly_the_delta_records():
    jan = build()
    feb = build(period=FEB, ledger=accept(jan))
    ledger = accept(jan, feb)
    changed = [r for r in BASE if r[0] != "E3"]  # E3 registered by mistake: deleted
    changed[0] = ("E1", 1, "FAMILY_TREATMENT", D(2025, 11, 1), D(2026, 2, 15))  # E1 ends 14 February
    march = Period.parse("2026M03")
    # February again after the change: E1 changed (end), E3 cancelled (it was held for February);
    # built with the same codes filed under L231, so the file shows L231's report types
    feb_fix = build(changed, period=FEB, ledger=ledger, correction=True, statistic="L231",
                    codes=_as_l231())
    assert rows_of(feb_fix) == [
        ("E1", "changed", "420", D(2025, 11, 1), D(2026, 2, 14)),
        ("E3", "cancelled", "405", D(2026, 1, 5), D(2026, 2, 28)),
    ]
    assert feb_fix.kind == "correction"
    assert b"<INDBERETNINGSTYPE>Annullering</INDBERETNINGSTYPE>" in feb_fix.xml
    assert b"<INDBERETNINGSTYPE>\xc3\x86ndring</INDBERETNINGSTYPE>" in feb_fix.xml
    assert check_xml(feb_fix.xml, statistic="L231") == []
    # a correction of January only: E3 was held for January too, E1's end is after January
    jan_fix = build(changed, period=JAN, ledger=ledger, correction=True)
    assert rows_of(jan_fix) == [("E3", "cancelled", "405", D(2026, 1, 5), None)]  # as DST held it for January
    assert [i.check for i in jan_fix.report.warnings] == ["code_unverified", "code_unverified",
                                                         "cancellation_not_in_l201"]
    # once the correction of February is accepted, March sends nothing new for E1 and E3
    after = accept(jan, feb, feb_fix)
    assert rows_of(build(changed, period=march, ledger=after)) == []


def _as_l231():
    """The shipped codes with every L201 row moved to L231 (a handicap catalogue for the test)."""
    from dataclasses import replace

    from trappen.staircase import ParagraphCodes

    codes = default_paragraph_codes()
    return ParagraphCodes(rows=tuple(replace(r, statistic="L231") if r.statistic == "L201" else r
                                     for r in codes.rows), source="test")


def test_a_changed_cpr_number_is_a_change():
    jan = build()
    moved = IDENTITIES.with_columns(pl.when(pl.col("child_id") == 3).then(pl.lit("id3-new"))
                                    .otherwise(pl.col("identity")).alias("identity"))
    again = build(identities=moved, ledger=accept(jan))
    assert [r[:2] for r in rows_of(again)] == [("E3", "changed")]


def test_a_measure_without_a_code_fails_validation_with_its_measure_id():
    rows = [*BASE, ("E9", 2, "MUNICIPAL_SPECIAL", D(2026, 1, 3), None)]
    d = build(rows)
    assert not d.report.ok and d.xml == b"" and d.sha256 == ""
    (error,) = d.report.errors
    assert (error.check, error.measure_id) == ("no_paragraph_code", "E9")
    text = "\n".join(d.report.lines())
    assert "E9" in text and "1502164242" not in text  # by measure id, never by CPR


def test_a_code_not_valid_on_the_start_date_fails(tmp_path):
    f = tmp_path / "codes.toml"
    f.write_text('[[codes]]\nintervention = "FAMILY_TREATMENT"\nstatistic = "L201"\nsection = "BL § 32"\n'
                 'dst_code = "420"\nconfidence = "dst"\nsource = "test"\nvalid_from = 2026-01-01\n', encoding="utf-8")
    d = build([BASE[0]], codes=load_paragraph_codes(f))
    assert [(e.check, e.measure_id) for e in d.report.errors] == [("no_paragraph_code", "E1")]


def test_inconsistent_dates_and_missing_fields_are_errors_by_measure_id():
    rows = [("E7", 1, "FAMILY_TREATMENT", D(2026, 1, 10), D(2026, 1, 10)),  # ends the day it starts
            ("E8", 5, "CONTACT_PERSON", D(2026, 1, 2), None)]               # child 5: no identity
    ids = pl.concat([IDENTITIES.filter(pl.col("child_id") != 1),
                     pl.DataFrame([(1, "0101151234", None, "x")], schema=IDENTITY_SCHEMA, orient="row")])
    d = build(rows, identities=ids)
    assert sorted((e.check, e.measure_id) for e in d.report.errors) == [
        ("child_cpr_missing", "E8"), ("custody_cpr_missing", "E7"), ("custody_cpr_missing", "E8"),
        ("end_before_start", "E7")]


def test_a_bad_sender_is_an_error():
    bad = Sender(municipality_code="x", cvr="123")
    d = build_delivery(statistic="L201", period=JAN, measures=measures(*BASE), identities=IDENTITIES,
                       ledger=empty(LEDGER_SCHEMA), codes=default_paragraph_codes(), sender=bad, created_at=NOW)
    assert {e.check for e in d.report.errors} == {"sender"}


def test_test_deliveries_use_the_t_form():
    d = build(test=True)
    assert b"<dst:FormID>T201</dst:FormID>" in d.xml and d.file_name.startswith("T_657_T201_")


@pytest.mark.parametrize(("text", "label", "start", "end"), [
    ("2026M02", "2026M02", D(2026, 2, 1), D(2026, 2, 28)),
    ("2025K4", "2025K4", D(2025, 10, 1), D(2025, 12, 31)),
    ("2025", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("2025-01-05..2025-02-03", "20250105-20250203", D(2025, 1, 5), D(2025, 2, 3)),
])
def test_periods(text, label, start, end):
    p = Period.parse(text)
    assert (p.label, p.start, p.end) == (label, start, end)


@pytest.mark.parametrize("text", ["2025M13", "25", "2026-02-01..2026-01-01", "next year"])
def test_a_bad_period_is_refused_by_name(text):
    with pytest.raises(InvalidInput) as exc:
        Period.parse(text)
    assert exc.value.problems[0].field == "period"


def test_check_xml_finds_a_broken_record():
    d = build()
    broken = d.xml.replace(b"<ForanstaltningKode>420</", b"<ForanstaltningKode>42</")
    assert check_xml(broken, statistic="L201") == ["measure E1: ForanstaltningKode does not match [0-9]{3}"]
    assert check_xml(b"<x", statistic="L201")[0].startswith("not well-formed")
