"""Optimistic locking: two clients edit the same record; the second save is refused with the
current values against the user's, and nothing is silently overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from trappen.errors import EditConflict
from trappen.web import rules
from trappen.web.casework import services as svc
from trappen.web.register import models as m


def _two_clients(user) -> tuple[Client, Client]:
    a, b = Client(), Client()
    a.force_login(user)
    b.force_login(user)
    return a, b


def _hidden_version(body: str) -> int:
    marker = 'name="version" value="'
    return int(body[body.index(marker) + len(marker):].split('"', 1)[0])


def test_assessment_two_clients_second_gets_conflict_listing_changes(scene):
    child = scene["mine"]
    received = timezone.now() - dt.timedelta(hours=3)
    n = m.Notification.objects.create(child=child, received_at=received, notifier_kind="school")
    a, b = _two_clients(scene["user"])
    url = f"/notifications/{n.pk}/assess/"
    assert _hidden_version(a.get(url).content.decode()) == 0
    assert _hidden_version(b.get(url).content.decode()) == 0
    at = timezone.localtime(received + dt.timedelta(hours=1))
    ok = a.post(url, {"assessed_at": at.strftime("%Y-%m-%dT%H:%M"), "outcome": "investigation",
                      "version": "0"})
    assert ok.status_code == 302
    late = b.post(url, {"assessed_at": at.strftime("%Y-%m-%dT%H:%M"), "outcome": "no_action",
                        "version": "0"})
    body = late.content.decode()
    assert late.status_code == 200
    assert 'id="conflict"' in body
    assert "outcome" in body and "investigation" in body and "no_action" in body  # stored vs yours
    assert _hidden_version(body) == 1  # resubmitting is a deliberate second step
    n.refresh_from_db()
    assert (n.outcome, n.version) == ("investigation", 1)


def test_plan_two_clients_conflict_then_deliberate_resubmit(scene):
    child = scene["mine"]
    plan = m.Plan.objects.create(child=child, made_on=dt.date(2025, 1, 1), goals=["Trives i skolen"])
    a, b = _two_clients(scene["user"])
    url = f"/children/{child.pk}/plan/"
    assert "Trives i skolen" in a.get(url).content.decode()
    assert a.post(url, {"made_on": "2025-01-01", "goals": "Trives i skolen\nSover hjemme",
                        "version": "0"}).status_code == 302
    late = b.post(url, {"made_on": "2025-01-01", "goals": "Går til fodbold", "version": "0"})
    body = late.content.decode()
    assert 'id="conflict"' in body and "Sover hjemme" in body and "Går til fodbold" in body
    plan.refresh_from_db()
    assert plan.goals == ["Trives i skolen", "Sover hjemme"] and plan.version == 1
    again = b.post(url, {"made_on": "2025-01-01", "goals": "Går til fodbold", "version": "1"})
    assert again.status_code == 302
    plan.refresh_from_db()
    assert plan.goals == ["Går til fodbold"] and plan.version == 2


def test_breakdown_and_conclude_pages_conflict(scene):
    child = scene["mine"]
    ep = m.Episode.objects.create(child=child, intervention_code="foster",
                                  step=rules.staircase().placement_steps[0], start_date=dt.date(2025, 1, 15))
    inv = m.Investigation.objects.create(child=child, aware_on=dt.date(2025, 1, 1), started_on=dt.date(2025, 1, 2))
    a, b = _two_clients(scene["user"])
    assert a.post(f"/investigations/{inv.pk}/conclude/", {"concluded_on": "2025-03-01",
                                                          "version": "0"}).status_code == 302
    late = b.post(f"/investigations/{inv.pk}/conclude/", {"concluded_on": "2025-04-01", "version": "0"})
    assert 'id="conflict"' in late.content.decode() and "2025-03-01" in late.content.decode()
    inv.refresh_from_db()
    assert inv.concluded_on == dt.date(2025, 3, 1)
    ep.version = 3  # someone else edited the episode in between
    ep.save(update_fields=["version"])
    late = b.post(f"/episodes/{ep.pk}/breakdown/", {"end_date": "2025-06-01", "reason": "Brud", "version": "2"})
    assert 'id="conflict"' in late.content.decode()
    ep.refresh_from_db()
    assert ep.end_date is None and ep.version == 3


def test_write_between_read_and_update_is_caught_by_the_conditional_update(scene):
    """The race the hidden field cannot see: the row changed after this request read it."""
    child = scene["mine"]
    plan = m.Plan.objects.create(child=child, made_on=dt.date(2025, 1, 1), goals=["A"])
    stale = m.Plan.objects.get(pk=plan.pk)
    m.Plan.objects.filter(pk=plan.pk).update(goals=["B"], version=1)  # the other writer
    with pytest.raises(EditConflict) as exc:
        svc.plan_update(actor=scene["user"], plan=stale, made_on=dt.date(2025, 1, 1), goals=["C"], version=0)
    assert {p.field: p.value for p in exc.value.problems} == {"goals": "B"}
    assert exc.value.current_version == 1
    plan.refresh_from_db()
    assert plan.goals == ["B"]


def test_intervention_end_two_clients_second_is_refused_naming_stored_values(scene):
    child = scene["mine"]
    ep = m.Episode.objects.create(child=child, intervention_code="daycare", step=1, start_date=dt.date(2025, 1, 15))
    a, b = _two_clients(scene["user"])
    url = f"/episodes/{ep.pk}/end/"
    assert _hidden_version(a.get(url).content.decode()) == 0
    assert _hidden_version(b.get(url).content.decode()) == 0
    assert a.post(url, {"end_date": "2025-06-01", "end_reason": "goal_reached", "version": "0"}).status_code == 302
    body = b.post(url, {"end_date": "2025-07-01", "end_reason": "planned_end", "version": "0"}).content.decode()
    assert "changed by someone else to 2025-06-01" in body and "yours: 2025-07-01" in body
    assert "changed by someone else to goal_reached" in body
    ep.refresh_from_db()
    assert (ep.end_date, ep.end_reason, ep.version) == (dt.date(2025, 6, 1), "goal_reached", 1)
