"""Casework services: valid writes land; bad input is refused naming field and value, and
nothing is written."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from trappen.errors import EscalationNeedsJustification, InvalidInput, StepNotAllowed
from trappen.web.casework import services as svc
from trappen.web.register import models as m
from trappen.web.register.services import intervention_end, intervention_start

CPH = ZoneInfo("Europe/Copenhagen")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=CPH)


def _fields(exc: pytest.ExceptionInfo) -> dict[str, object]:
    return {p.field: p.value for p in exc.value.problems}


def test_notification_register_and_assess(scene):
    user, child = scene["user"], scene["mine"]
    n = svc.notification_register(actor=user, child=child, received_at=NOW - dt.timedelta(hours=2),
                                  notifier_kind="school", now=NOW)
    assert m.Notification.objects.get().notifier_kind == "school"
    svc.notification_assess(actor=user, notification=n, assessed_at=NOW - dt.timedelta(hours=1),
                            outcome="investigation", now=NOW)
    n.refresh_from_db()
    assert n.outcome == "investigation"
    assert n.assessed_at == NOW - dt.timedelta(hours=1)


def test_notification_needs_the_tables_create_grant(scene, make_user):
    """Registering follows permissions.toml: a team leader holds notification/create (team: the
    cases of their team), an administrator and an analyst do not (refused before anything is
    looked up or written)."""
    from django.core.exceptions import PermissionDenied

    leader = make_user("tl2", "teamleader", [scene["mine"].district_id])
    leader.team = scene["team"]  # the child's case is held by a post of this team
    leader.save()
    svc.notification_register(actor=leader, child=scene["mine"], received_at=NOW - dt.timedelta(hours=1),
                              notifier_kind="police", now=NOW)
    for role in ("admin", "analyst"):
        with pytest.raises(PermissionDenied, match="notification/create"):
            svc.notification_register(actor=make_user(f"x_{role}", role), child=scene["mine"],
                                      received_at=NOW - dt.timedelta(hours=1), notifier_kind="police", now=NOW)
    assert m.Notification.objects.count() == 1


def test_notification_in_the_future_or_unknown_kind_is_refused(scene):
    with pytest.raises(InvalidInput) as exc:
        svc.notification_register(actor=scene["user"], child=scene["mine"],
                                  received_at=NOW + dt.timedelta(minutes=5), notifier_kind="martian",
                                  now=NOW)
    assert set(_fields(exc)) == {"received_at", "notifier_kind"}
    assert _fields(exc)["notifier_kind"] == "martian"
    assert m.Notification.objects.count() == 0


def test_naive_received_at_is_refused(scene):
    with pytest.raises(InvalidInput) as exc:
        svc.notification_register(actor=scene["user"], child=scene["mine"],
                                  received_at=dt.datetime(2026, 3, 1, 9, 0), notifier_kind="school", now=NOW)
    assert "received_at" in _fields(exc)
    assert m.Notification.objects.count() == 0


def test_assessment_before_receipt_or_unknown_outcome_is_refused(scene):
    user = scene["user"]
    n = svc.notification_register(actor=user, child=scene["mine"], received_at=NOW - dt.timedelta(hours=2),
                                  notifier_kind="police", now=NOW)
    with pytest.raises(InvalidInput) as exc:
        svc.notification_assess(actor=user, notification=n, assessed_at=NOW - dt.timedelta(hours=3),
                                outcome="shrug", now=NOW)
    assert set(_fields(exc)) == {"assessed_at", "outcome"}
    n.refresh_from_db()
    assert n.assessed_at is None and n.outcome is None


def test_child_outside_districts_is_404_and_nothing_written(scene):
    with pytest.raises(Http404):
        svc.notification_register(actor=scene["user"], child=scene["outside"],
                                  received_at=NOW - dt.timedelta(hours=1), notifier_kind="school", now=NOW)
    assert m.Notification.objects.count() == 0


def test_investigation_open_and_conclude(scene):
    user, child = scene["user"], scene["mine"]
    n = svc.notification_register(actor=user, child=child, received_at=dt.datetime(2026, 1, 5, 9, tzinfo=CPH),
                                  notifier_kind="daycare", now=NOW)
    inv = svc.investigation_open(actor=user, child=child, started_on=dt.date(2026, 1, 7), notification=n,
                                 today=NOW.date())
    assert inv.aware_on == dt.date(2026, 1, 5)  # defaults to the receipt date
    svc.investigation_conclude(actor=user, investigation=inv, concluded_on=dt.date(2026, 3, 1), today=NOW.date())
    inv.refresh_from_db()
    assert inv.concluded_on == dt.date(2026, 3, 1)


def test_investigation_dates_in_wrong_order_are_refused(scene):
    user, child = scene["user"], scene["mine"]
    with pytest.raises(InvalidInput) as exc:
        svc.investigation_open(actor=user, child=child, started_on=dt.date(2026, 1, 7),
                               aware_on=dt.date(2026, 1, 9), today=NOW.date())
    assert _fields(exc) == {"aware_on": "2026-01-09"}
    with pytest.raises(InvalidInput) as exc:
        svc.investigation_open(actor=user, child=child, started_on=dt.date(2026, 4, 1), today=NOW.date())
    assert _fields(exc) == {"started_on": "2026-04-01"}
    assert m.Investigation.objects.count() == 0
    inv = svc.investigation_open(actor=user, child=child, started_on=dt.date(2026, 1, 7), today=NOW.date())
    with pytest.raises(InvalidInput) as exc:
        svc.investigation_conclude(actor=user, investigation=inv, concluded_on=dt.date(2026, 1, 6), today=NOW.date())
    assert _fields(exc) == {"concluded_on": "2026-01-06"}
    inv.refresh_from_db()
    assert inv.concluded_on is None


def test_follow_up_record_and_refusals(scene):
    user, child = scene["user"], scene["mine"]
    ep = intervention_start(actor=user, child=child, intervention_code="PALS_SCHOOL", step=1,
                            start_date=dt.date(2026, 1, 1))
    svc.follow_up_record(actor=user, episode=ep, held_on=dt.date(2026, 3, 1), today=NOW.date())
    with pytest.raises(InvalidInput) as exc:
        svc.follow_up_record(actor=user, episode=ep, held_on=dt.date(2025, 12, 1), today=NOW.date())
    assert _fields(exc) == {"held_on": "2025-12-01"}
    with pytest.raises(InvalidInput) as exc:
        svc.follow_up_record(actor=user, episode=ep, held_on=dt.date(2026, 3, 11), today=NOW.date())
    assert _fields(exc) == {"held_on": "2026-03-11"}
    assert m.FollowUp.objects.count() == 1


def test_escalation_needs_justification_and_type_must_fit_step(scene):
    user, child = scene["user"], scene["mine"]
    with pytest.raises(EscalationNeedsJustification) as exc:
        intervention_start(actor=user, child=child, intervention_code="FOSTER_GENERAL", step=5,
                           start_date=dt.date(2026, 1, 1))
    assert exc.value.problems[0].field == "justification"
    with pytest.raises(StepNotAllowed) as exc:
        intervention_start(actor=user, child=child, intervention_code="FOSTER_GENERAL", step=3,
                           start_date=dt.date(2026, 1, 1))
    assert exc.value.problems[0].field == "step"
    assert m.Episode.objects.count() == 0
    reasons = {s: f"step {s} was tried and is not enough" for s in range(1, 5)}
    ep = intervention_start(actor=user, child=child, intervention_code="FOSTER_GENERAL", step=5,
                            start_date=dt.date(2026, 1, 1), justification=reasons)
    intervention_end(actor=user, episode=ep, end_date=dt.date(2026, 2, 1), end_reason="moved_down")
    assert m.Episode.objects.get().end_date == dt.date(2026, 2, 1)


def test_reassign_keeps_history(scene):
    leader, child = scene["leader"], scene["mine"]
    svc.child_reassign(actor=leader, child=child, caseworker_id=scene["other_post"].pk, on=dt.date(2026, 3, 1))
    rows = list(m.Assignment.objects.filter(child=child).order_by("start_date")
                .values_list("caseworker_id", "start_date", "end_date"))
    assert rows == [(scene["post"].pk, dt.date(2024, 1, 1), dt.date(2026, 3, 1)),
                    (scene["other_post"].pk, dt.date(2026, 3, 1), None)]


def test_reassign_refusals_write_nothing(scene):
    from django.core.exceptions import PermissionDenied

    child = scene["mine"]
    with pytest.raises(PermissionDenied):
        svc.child_reassign(actor=scene["user"], child=child, caseworker_id=scene["other_post"].pk,
                           on=dt.date(2026, 3, 1))
    with pytest.raises(InvalidInput) as exc:
        svc.child_reassign(actor=scene["leader"], child=child, caseworker_id=999999, on=dt.date(2026, 3, 1))
    assert _fields(exc) == {"caseworker_id": 999999}
    with pytest.raises(InvalidInput) as exc:
        svc.child_reassign(actor=scene["leader"], child=child, caseworker_id=scene["post"].pk,
                           on=dt.date(2026, 3, 1))
    assert "caseworker_id" in _fields(exc)
    assert m.Assignment.objects.filter(child=child).count() == 1
    assert m.Assignment.objects.get(child=child).end_date is None
