"""Retention rules: the shipped file's shape, and hand-computed due dates."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from trappen.errors import ConfigurationError, InvalidInput
from trappen.privacy.retention import KINDS, RetentionRule, load_retention_rules, retention_due

D = dt.date


def _rule(kind: str = "audit_event", after: str = "5y", action: str = "delete", code: str = "r") -> RetentionRule:
    return RetentionRule(code=code, kind=kind, action=action, after=after, ends="end", municipality_sets=True,
                         source="a legal source for tests")


def _frame(rows: list[tuple[int, dt.date | None]]) -> pl.DataFrame:
    return pl.DataFrame({"id": [r[0] for r in rows], "ended_on": [r[1] for r in rows]},
                        schema={"id": pl.Int64, "ended_on": pl.Date})


def test_shipped_rules_cover_every_kind_and_name_their_source():
    rules = load_retention_rules()
    assert {r.kind for r in rules} == set(KINDS)
    case_files = [r for r in rules if r.kind == "child_case_file"]
    # children's case files are preserved for the archive, never deleted by a rule
    assert [r.action for r in case_files] == ["archive"]
    assert "arkiv" in case_files[0].source.lower() and "591" in case_files[0].source
    for r in rules:
        assert "art. 5(1)(e)" in r.source or "arkivloven" in r.source.lower(), r.code
    # every period in the shipped file is a placeholder the municipality must set
    assert all(r.municipality_sets for r in rules)


def test_five_years_hand_computed():
    # at 2025-06-30 with 5 years: ended 2020-06-30 is due that very day; 2020-07-01 is a day short;
    # an open record (no end) and one ending after the date are never due
    frame = _frame([(3, D(2020, 6, 30)), (1, D(2020, 7, 1)), (2, None), (7, D(2019, 1, 1)), (9, D(2026, 1, 1))])
    report = retention_due({"audit_event": frame}, rules=[_rule()], at=D(2025, 6, 30))
    (outcome,) = report.outcomes
    assert outcome.due_ids == (3, 7)  # ascending ids
    assert (outcome.records, outcome.open, outcome.not_yet_due, outcome.due) == (5, 1, 2, 2)
    assert report.due_by_action() == {"archive": 0, "delete": 2}


def test_a_leap_day_plus_one_year_is_the_last_of_february():
    frame = _frame([(1, D(2020, 2, 29))])
    rules = [_rule(after="1y")]
    assert retention_due({"audit_event": frame}, rules=rules, at=D(2021, 2, 27)).outcomes[0].due == 0
    assert retention_due({"audit_event": frame}, rules=rules, at=D(2021, 2, 28)).outcomes[0].due_ids == (1,)


def test_months_land_on_the_month_end():
    # 31 August + 6 months = 28 February (2025 is not a leap year)
    frame = _frame([(1, D(2024, 8, 31)), (2, D(2024, 9, 1))])
    report = retention_due({"user_account": frame}, rules=[_rule(kind="user_account", after="6mo")],
                           at=D(2025, 2, 28))
    assert report.outcomes[0].due_ids == (1,)


def test_rules_apply_each_to_its_own_kind():
    records = {"child_case_file": _frame([(10, D(2010, 1, 1)), (11, None)]),
               "audit_event": _frame([(10, D(2024, 1, 1))])}
    rules = [_rule(kind="child_case_file", action="archive", code="a"), _rule(code="b")]
    report = retention_due(records, rules=rules, at=D(2025, 1, 1))
    assert [o.due_ids for o in report.outcomes] == [(10,), ()]
    assert report.due_by_action() == {"archive": 1, "delete": 0}
    as_json = report.to_dict()
    assert as_json["dry_run"] is True and as_json["rules"][0]["due_ids"] == [10]


def test_missing_kind_or_column_is_refused_by_name():
    with pytest.raises(InvalidInput, match="user_account"):
        retention_due({}, rules=[_rule(kind="user_account")], at=D(2025, 1, 1))
    with pytest.raises(InvalidInput, match="ended_on"):
        retention_due({"audit_event": pl.DataFrame({"id": [1]})}, rules=[_rule()], at=D(2025, 1, 1))


def test_empty_records_give_zero_counts():
    report = retention_due({"audit_event": _frame([])}, rules=[_rule()], at=D(2025, 1, 1))
    assert (report.outcomes[0].records, report.outcomes[0].due) == (0, 0)


@pytest.mark.parametrize(("text", "message"), [
    ("", "no \\[\\[rule\\]\\]"),
    ('[[rule]]\ncode = "x"\nkind = "child_case_file"\naction = "shred"\nafter = "5y"\nends = "e"\n'
     'municipality_sets = true\nsource = "some legal source"\n', "rule 'x', field 'action'"),
    ('[[rule]]\ncode = "x"\nkind = "audit_event"\naction = "delete"\nafter = "5 years"\nends = "e"\n'
     'municipality_sets = true\nsource = "some legal source"\n', "rule 'x', field 'after'"),
    ('[[rule]]\ncode = "x"\nkind = "audit_event"\naction = "delete"\nafter = "5y"\nends = "e"\n'
     'municipality_sets = true\n', "field 'source'"),
])
def test_malformed_rules_file_names_rule_and_field(tmp_path, text, message):
    path = tmp_path / "retention.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_retention_rules(path)


def test_duplicate_codes_are_refused(tmp_path):
    one = ('[[rule]]\ncode = "x"\nkind = "audit_event"\naction = "delete"\nafter = "5y"\nends = "e"\n'
           'municipality_sets = false\nsource = "some legal source"\n')
    path = tmp_path / "retention.toml"
    path.write_text(one + one, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="used twice: x"):
        load_retention_rules(path)
