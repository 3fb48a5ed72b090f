"""The pure core: the sharing decision (consent from every custody holder, legal basis with its
groups and organisation kinds, withdrawal from its day) and the collaboration KPIs, each checked
against an independent count."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from trappen.collaboration import Grounds, decide_sharing, kpi, legal_bases, load_legal_bases
from trappen.errors import ConfigurationError

D = dt.date(2026, 6, 1)


def _consent(giver, *, ref=1, groups=("identity", "meetings"), org=7, withdrawn=None, to=None):
    return Grounds(kind="consent", ref=ref, organisation_ids=frozenset({org}), field_groups=frozenset(groups),
                   valid_from=dt.date(2026, 1, 1), valid_to=to, withdrawn_on=withdrawn, giver=giver)


def test_both_custody_holders_needed_unless_sole_custody():
    one = [_consent("custody_holder_1")]
    both = one + [_consent("custody_holder_2", ref=2)]
    args = {"organisation_id": 7, "organisation_kind": "school", "group": "meetings", "day": D}
    assert not decide_sharing(one, **args).allowed
    assert decide_sharing(one, custody_holders=1, **args).allowed
    assert decide_sharing(both, **args).reason == "consent:1,2"
    assert not decide_sharing(both, **{**args, "organisation_id": 8}).allowed  # another organisation
    assert not decide_sharing(both, **{**args, "group": "placements"}).allowed  # not consented to


def test_withdrawal_and_expiry_take_effect_on_their_day():
    rows = [_consent("custody_holder_1", withdrawn=D), _consent("custody_holder_2", ref=2, to=D + dt.timedelta(days=5))]
    args = {"organisation_id": 7, "organisation_kind": "school", "group": "identity"}
    assert decide_sharing(rows, day=D - dt.timedelta(days=1), **args).allowed
    assert not decide_sharing(rows, day=D, **args).allowed


def test_legal_basis_covers_its_groups_and_kinds_only():
    basis = [Grounds(kind="basis", ref=3, organisation_ids=frozenset({7}), field_groups=frozenset(),
                     valid_from=dt.date(2026, 1, 1), basis="early_preventive_exchange")]
    ok = decide_sharing(basis, organisation_id=7, organisation_kind="school", group="meetings", day=D)
    assert ok.allowed and ok.reason == "basis:early_preventive_exchange:3"
    for group in ("placements", "assessments", "case_notes"):
        assert not decide_sharing(basis, organisation_id=7, organisation_kind="school", group=group, day=D).allowed
    assert not decide_sharing(basis, organisation_id=7, organisation_kind="voluntary", group="meetings", day=D).allowed


def test_every_basis_names_its_law_and_a_source_link():
    for b in legal_bases().values():
        assert b.law and b.url.startswith("https://") and b.sources and all(s.startswith("https://") for s in b.sources)


def test_a_bad_basis_file_names_the_value(tmp_path):
    bad = tmp_path / "bases.toml"
    bad.write_text('[bases.x]\nlabel_da="a"\nlabel_en="a"\nlaw="l"\nsection="s"\nurl="u"\nsources=[]\nwhy="w"\n'
                   'field_groups=["identity", "shoe_size"]\norganisation_kinds=["school"]\n')
    with pytest.raises(ConfigurationError, match="shoe_size"):
        load_legal_bases(bad)


def test_unknown_group_is_an_error_not_a_denial():
    with pytest.raises(ValueError, match="shoe_size"):
        decide_sharing([], organisation_id=1, organisation_kind="school", group="shoe_size", day=D)


# ------------------------------------------------------------------ KPIs vs independent counts
def test_consultations_per_month_by_kind_matches_a_count_and_hides_small_cells():
    rng = random.Random(3)
    rows = [(dt.date(2026, rng.randint(1, 3), rng.randint(1, 28)), rng.choice(("school", "daycare")))
            for _ in range(60)]
    rows += [(dt.date(2026, 4, 2), "gp")] * 2
    got = kpi.consultations_per_month(rows)
    for (month, kind), n in got.items():
        count = sum(1 for d, k in rows if d.isoformat()[:7] == month and k == kind)
        assert n == (count if count >= 5 else None)
    assert got[("2026-04", "gp")] is None
    assert sum(v for v in got.values() if v) == sum(1 for d, _ in rows if d.month < 4)


def test_actions_on_time_by_owner_kind_matches_a_count():
    rng = random.Random(5)
    today = dt.date(2026, 6, 30)
    rows = []
    for _ in range(200):
        due = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        status = rng.choice(("open", "done", "done", "cancelled"))
        done = due + dt.timedelta(days=rng.randint(-5, 5)) if status == "done" else None
        rows.append((rng.choice(("caseworker", "partner")), due, status, done))
    got = kpi.actions_on_time_by_owner_kind(rows, today=today)
    for kind in ("caseworker", "partner"):
        due = [r for r in rows if r[0] == kind and r[2] != "cancelled" and r[1] <= today]
        on_time = [r for r in due if r[2] == "done" and r[3] <= r[1]]
        assert (got[kind].numerator, got[kind].denominator) == (len(on_time), len(due))
        assert got[kind].rate == pytest.approx(len(on_time) / len(due))


def test_network_meeting_before_first_placement_matches_a_count():
    placed = {c: dt.date(2026, 3, 1) + dt.timedelta(days=c) for c in range(20)}
    meetings = {c: [("network_meeting" if c % 3 else "cross_disciplinary", placed[c] - dt.timedelta(days=10))]
                for c in range(12)}
    meetings[19] = [("family_group_conference", placed[19] + dt.timedelta(days=1))]  # after: does not count
    share = kpi.placed_with_network_meeting_before(placed, meetings)
    expected = sum(1 for c in range(12) if c % 3)
    assert (share.numerator, share.denominator) == (expected, 20)


def test_notifications_preceded_by_consultation_and_small_numerators_hidden():
    share = kpi.notifications_preceded_by_consultation(range(40), [1, 2, 3, 50])
    assert (share.numerator, share.denominator, share.rate) == (None, 40, None)  # 3 of 40: hidden
    share = kpi.notifications_preceded_by_consultation(range(40), range(0, 40, 4))
    assert (share.numerator, share.denominator) == (10, 40)


def test_days_from_first_concern_to_first_meeting_is_the_median():
    first = {c: dt.date(2026, 1, 1) for c in range(7)}
    meetings = {c: [dt.date(2025, 12, 1), dt.date(2026, 1, 1) + dt.timedelta(days=2 * c)] for c in range(7)}
    assert kpi.days_first_concern_to_first_meeting(first, meetings) == 6.0  # days 0,2,..,12: median 6
    assert kpi.days_first_concern_to_first_meeting(dict(list(first.items())[:3]), meetings) is None


def test_step1_goal_met_share():
    share = kpi.step1_supports_goal_met(["goal_met"] * 6 + ["not_met"] * 4 + [""] * 9)
    assert (share.numerator, share.denominator) == (6, 10)


def test_plan_goals_achieved_counts_decided_goals_only():
    rng = random.Random(8)
    outcomes = [rng.choice((True, False, None)) for _ in range(50)]
    share = kpi.plan_goals_achieved(outcomes)
    decided = [o for o in outcomes if o is not None]
    assert (share.numerator, share.denominator) == (sum(decided), len(decided))


def test_placements_in_network_care_matches_a_count():
    rng = random.Random(11)
    codes = [rng.choice(("NETWORK_FOSTER_FAMILY", "FOSTER_GENERAL", "RESIDENTIAL_INSTITUTION")) for _ in range(40)]
    share = kpi.placements_in_network_care(codes)
    assert (share.numerator, share.denominator) == (codes.count("NETWORK_FOSTER_FAMILY"), 40)
