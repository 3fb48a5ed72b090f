"""The approval rules as data (trappen/staircase/data/approvals.toml): the shipped rules, and a
bad file refused with every bad key named."""

from __future__ import annotations

import pytest

from trappen.errors import ConfigurationError
from trappen.staircase import default_approval_rules, default_staircase, load_approval_rules

GOOD_COMMITTEE = """
[[committee]]
decision = "placement_without_consent"
name_da = "Anbringelse uden samtykke"
name_en = "Placement without consent"
categories = ["kinship_care", "foster_care", "residential_care"]
law = "Barnets Lov § 47"
why = "the committee decides a placement without consent"
"""


def _load(tmp_path, text):
    path = tmp_path / "approvals.toml"
    path.write_text(text, encoding="utf-8")
    return load_approval_rules(path)


def test_shipped_rules_team_leader_approves_placements_and_the_committee_decides_without_consent():
    rules = default_approval_rules()
    assert [rules.approver(step=s) for s in (1, 2, 3, 4, 5, 6)] == [None, None, None, "teamleader",
                                                                   "teamleader", "teamleader"]
    assert all(len(rules.steps[s].why) > 10 for s in (4, 5, 6))
    assert rules.committee_steps() == default_staircase().placement_steps
    decision = rules.committee_decision(step=5, without_consent=True)
    assert decision is not None and decision.decision == "placement_without_consent"
    assert "Barnets Lov § 47" in decision.law
    assert rules.committee_decision(step=5, without_consent=False) is None
    assert rules.committee_decision(step=3, without_consent=True) is None
    assert rules.needs_approval(step=3, without_consent=False) is False


def test_a_municipality_file_with_its_own_steps(tmp_path):
    rules = _load(tmp_path, 'source = "Kommune X"\n[steps."6"]\napproved_by = "teamleader"\n'
                            'why = "residential care only needs the team leader here"\n' + GOOD_COMMITTEE)
    assert rules.approver(step=4) is None and rules.approver(step=6) == "teamleader"
    assert rules.needs_approval(step=4, without_consent=True)  # the law's rule still holds


def test_a_bad_file_names_each_bad_key_and_value(tmp_path):
    text = ('source = "Kommune X"\n'
            '[steps."4"]\napproved_by = "caseworker"\nwhy = "the caseworker approves herself"\n'
            '[steps."9"]\napproved_by = "teamleader"\nwhy = "a step the staircase does not have"\n'
            '[steps."5"]\napproved_by = "teamleader"\nwhy = "x"\naproved = true\n'
            '[[committee]]\ndecision = "placement_without_consent"\nname_da = "a"\nname_en = "b"\n'
            'categories = ["placement"]\nlaw = "Barnets Lov § 47"\nwhy = "the committee decides this one"\n')
    with pytest.raises(ConfigurationError) as caught:
        _load(tmp_path, text)
    message = str(caught.value)
    assert "approvals.toml" in message
    assert "steps.4.approved_by: unknown approver; use one of teamleader (value: 'caseworker')" in message
    assert "steps.9" in message and "not on the staircase" in message
    assert "steps.5.why" in message and "steps.5.aproved: unknown key" in message
    assert "committee.placement_without_consent.categories[0]: unknown step category" in message
    assert "'placement'" in message


def test_a_file_without_a_source_or_unreadable(tmp_path):
    with pytest.raises(ConfigurationError, match="source: missing"):
        _load(tmp_path, '[steps."4"]\napproved_by = "teamleader"\nwhy = "placements need the team leader"\n')
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        _load(tmp_path, "source = ")
    with pytest.raises(ConfigurationError, match="file not found"):
        load_approval_rules(tmp_path / "missing.toml")
