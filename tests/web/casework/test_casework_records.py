"""Placement breakdowns, supervision visits, child conversations, plans with goals, complaints:
valid writes land with hand-computed derived values; bad input is refused naming field and
value with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.errors import InvalidInput
from trappen.web import rules
from trappen.web.casework import services as svc
from trappen.web.casework.selectors import casework_timeline
from trappen.web.register import models as m

TODAY = dt.date(2026, 3, 10)


def _fields(exc: pytest.ExceptionInfo) -> dict[str, object]:
    return {p.field: p.value for p in exc.value.problems}


@pytest.fixture
def placement(scene):
    step = rules.staircase().placement_steps[0]
    return m.Episode.objects.create(child=scene["mine"], intervention_code="foster", step=step,
                                    start_date=dt.date(2025, 1, 15))


@pytest.fixture
def home_help(scene):
    step = min(s.number for s in rules.staircase().steps)
    return m.Episode.objects.create(child=scene["mine"], intervention_code="daycare", step=step,
                                    start_date=dt.date(2025, 1, 15))


def test_age_years_counts_whole_years_around_the_birthday():
    assert svc.age_years(dt.date(2015, 3, 1), dt.date(2026, 2, 28)) == 10
    assert svc.age_years(dt.date(2015, 3, 1), dt.date(2026, 3, 1)) == 11
    assert svc.age_years(dt.date(2016, 2, 29), dt.date(2025, 2, 28)) == 8  # leap-day child


def test_breakdown_ends_the_placement_and_derives_age_and_duration(scene, placement):
    svc.placement_breakdown(actor=scene["user"], episode=placement, end_date=dt.date(2026, 2, 1),
                            reason="  Plejefamilien kunne ikke rumme barnet ", today=TODAY, version=0)
    placement.refresh_from_db()
    assert (placement.end_date, placement.end_reason) == (dt.date(2026, 2, 1), "breakdown")
    assert placement.breakdown_reason == "Plejefamilien kunne ikke rumme barnet"
    assert placement.version == 1
    # born 2015-03-01: 10 on 2026-02-01; [2025-01-15, 2026-02-01) = 17 + 365 = 382 days
    assert svc.placement_facts(placement, on=TODAY) == {"age_years": 10, "duration_days": 382}


def test_breakdown_refuses_non_placement_future_date_and_empty_reason(scene, home_help):
    with pytest.raises(InvalidInput) as exc:
        svc.placement_breakdown(actor=scene["user"], episode=home_help, end_date=dt.date(2026, 4, 1),
                                reason=" ", today=TODAY)
    got = _fields(exc)
    assert got["episode_id"] == home_help.pk
    assert got["end_date"] == "2026-04-01"
    assert "reason" in got
    home_help.refresh_from_db()
    assert home_help.end_date is None and home_help.version == 0


def test_supervision_visit_only_on_placements_and_within_the_placement(scene, placement, home_help):
    svc.supervision_visit_record(actor=scene["user"], episode=placement, visited_on=dt.date(2025, 1, 15),
                                 today=TODAY)
    assert m.SupervisionVisit.objects.get().visited_on == dt.date(2025, 1, 15)
    with pytest.raises(InvalidInput) as exc:
        svc.supervision_visit_record(actor=scene["user"], episode=home_help, visited_on=dt.date(2025, 2, 1),
                                     today=TODAY)
    assert _fields(exc) == {"episode_id": home_help.pk}
    with pytest.raises(InvalidInput) as exc:
        svc.supervision_visit_record(actor=scene["user"], episode=placement, visited_on=dt.date(2025, 1, 14),
                                     today=TODAY)
    assert _fields(exc) == {"visited_on": "2025-01-14"}
    with pytest.raises(InvalidInput) as exc:
        svc.supervision_visit_record(actor=scene["user"], episode=placement, visited_on=dt.date(2026, 3, 11),
                                     today=TODAY)
    assert _fields(exc) == {"visited_on": "2026-03-11"}
    assert m.SupervisionVisit.objects.count() == 1


def test_child_conversation_recorded_and_bad_kind_refused(scene):
    child = scene["mine"]
    svc.child_conversation_record(actor=scene["user"], child=child, held_on=dt.date(2026, 3, 2),
                                  kind="alone", notes="Barnet vil gerne blive i klassen", today=TODAY)
    assert m.ChildConversation.objects.get().kind == "alone"
    with pytest.raises(InvalidInput) as exc:
        svc.child_conversation_record(actor=scene["user"], child=child, held_on=dt.date(2014, 1, 1),
                                      kind="by_phone", today=TODAY)
    assert _fields(exc) == {"held_on": "2014-01-01", "kind": "by_phone"}
    assert m.ChildConversation.objects.count() == 1


def test_plan_needs_a_concrete_goal(scene):
    child = scene["mine"]
    with pytest.raises(InvalidInput) as exc:
        svc.plan_record(actor=scene["user"], child=child, made_on=dt.date(2026, 3, 1), goals=["", "  "],
                        today=TODAY)
    assert "goals" in _fields(exc)
    assert m.Plan.objects.count() == 0
    plan = svc.plan_record(actor=scene["user"], child=child, made_on=dt.date(2026, 3, 1),
                           goals=["Møder i skole 4 dage om ugen", " Sover hjemme "], today=TODAY)
    plan.refresh_from_db()
    assert plan.goals == ["Møder i skole 4 dage om ugen", "Sover hjemme"]


def test_complaint_dates_and_outcome_checked(scene):
    child = scene["mine"]
    with pytest.raises(InvalidInput) as exc:
        svc.complaint_record(actor=scene["user"], child=child, received_on=dt.date(2026, 2, 10),
                             reassessed_on=dt.date(2026, 2, 9), municipality_upheld=True,
                             appeals_outcome="won", today=TODAY)
    assert _fields(exc) == {"reassessed_on": "2026-02-09", "appeals_outcome": "won"}
    with pytest.raises(InvalidInput) as exc:
        svc.complaint_record(actor=scene["user"], child=child, received_on=dt.date(2026, 2, 10),
                             reassessed_on=dt.date(2026, 2, 20), municipality_upheld=False,
                             appeals_outcome="changed", today=TODAY)
    assert _fields(exc) == {"appeals_outcome": "changed"}  # a changed decision never reaches the board
    assert m.Complaint.objects.count() == 0
    svc.complaint_record(actor=scene["user"], child=child, received_on=dt.date(2026, 2, 10),
                         reassessed_on=dt.date(2026, 2, 10), municipality_upheld=True,
                         appeals_outcome="remitted", today=TODAY)
    assert m.Complaint.objects.get().appeals_outcome == "remitted"


def test_timeline_holds_every_kind_newest_first(scene, placement):
    user, child = scene["user"], scene["mine"]
    svc.supervision_visit_record(actor=user, episode=placement, visited_on=dt.date(2025, 6, 1), today=TODAY)
    svc.child_conversation_record(actor=user, child=child, held_on=dt.date(2025, 7, 1), kind="alone", today=TODAY)
    svc.plan_record(actor=user, child=child, made_on=dt.date(2025, 2, 1), goals=["Trives"], today=TODAY)
    svc.complaint_record(actor=user, child=child, received_on=dt.date(2025, 8, 1), today=TODAY)
    svc.placement_breakdown(actor=user, episode=placement, end_date=dt.date(2025, 9, 1), reason="Brud",
                            today=TODAY)
    kinds = [(r["on"].isoformat(), r["kind"]) for r in casework_timeline(child)]
    assert kinds == [("2025-09-01", "breakdown"), ("2025-08-01", "complaint"),
                     ("2025-07-01", "child_conversation"), ("2025-06-01", "supervision_visit"),
                     ("2025-02-01", "plan"), ("2025-01-15", "intervention")]
