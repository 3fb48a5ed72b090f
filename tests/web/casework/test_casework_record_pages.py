"""The record pages through the test client: a good post lands and shows on the casework
timeline; a bad one is a form error naming field and value, with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trappen.web import rules
from trappen.web.register import models as m


@pytest.fixture
def cw(client, scene):
    client.force_login(scene["user"])
    return client


@pytest.fixture
def placement(scene):
    return m.Episode.objects.create(child=scene["mine"], intervention_code="foster",
                                    step=rules.staircase().placement_steps[0], start_date=dt.date(2025, 1, 15))


def test_breakdown_page_shows_derived_age_and_duration_and_ends_placement(cw, scene, placement):
    url = f"/episodes/{placement.pk}/breakdown/"
    # born 2015-03-01; [2025-01-15, 2025-06-01) = 137 days, age 10
    shown = cw.post(url, {"end_date": "2025-06-01", "reason": "", "version": "0"}).content.decode()
    assert "137" in shown and "<dd>10</dd>" in shown
    assert "reason" in shown and "is required" in shown
    placement.refresh_from_db()
    assert placement.end_date is None
    resp = cw.post(url, {"end_date": "2025-06-01", "reason": "Plejefamilien opsagde", "version": "0"},
                   follow=True)
    body = resp.content.decode()
    assert 'id="casework-timeline"' in body and "breakdown" in body and "Plejefamilien opsagde" in body
    placement.refresh_from_db()
    assert placement.end_reason == "breakdown"


def test_supervision_visit_page_refuses_date_before_placement(cw, placement):
    url = f"/episodes/{placement.pk}/supervision-visits/new/"
    body = cw.post(url, {"visited_on": "2025-01-01"}).content.decode()
    assert "is before the placement started" in body and "2025-01-01" in body
    assert m.SupervisionVisit.objects.count() == 0
    assert cw.post(url, {"visited_on": "2025-02-01"}).status_code == 302
    assert m.SupervisionVisit.objects.get().visited_on == dt.date(2025, 2, 1)


def test_conversation_plan_and_complaint_pages(cw, scene):
    child = scene["mine"]
    today = timezone.localdate()
    future = (today + dt.timedelta(days=3)).isoformat()
    body = cw.post(f"/children/{child.pk}/conversations/new/",
                   {"held_on": future, "kind": "alone"}).content.decode()
    assert "is in the future" in body and future in body
    assert m.ChildConversation.objects.count() == 0
    assert cw.post(f"/children/{child.pk}/conversations/new/",
                   {"held_on": today.isoformat(), "kind": "with_parent", "notes": "God samtale"}).status_code == 302
    body = cw.post(f"/children/{child.pk}/plan/", {"made_on": today.isoformat(), "goals": "\n"}).content.decode()
    assert "at least one concrete goal" in body
    assert cw.post(f"/children/{child.pk}/plan/",
                   {"made_on": today.isoformat(), "goals": "Møder i skole\nSover hjemme"}).status_code == 302
    assert m.Plan.objects.get().goals == ["Møder i skole", "Sover hjemme"]
    body = cw.post(f"/children/{child.pk}/complaints/new/",
                   {"received_on": "2025-05-10", "reassessed_on": "2025-05-01",
                    "municipality_upheld": "true", "appeals_outcome": ""}).content.decode()
    assert "is before the complaint was received" in body and "2025-05-01" in body
    assert m.Complaint.objects.count() == 0
    resp = cw.post(f"/children/{child.pk}/complaints/new/",
                   {"received_on": "2025-05-10", "reassessed_on": "2025-05-20",
                    "municipality_upheld": "true", "appeals_outcome": "upheld"}, follow=True)
    body = resp.content.decode()
    for kind in ("child_conversation", "plan", "complaint"):
        assert f'class="{kind}"' in body
    # labels, never codes (#15 item 6): Ankestyrelsen's outcome by its Danish name
    assert "Møder i skole; Sover hjemme" in body and "Ankestyrelsen: Afgørelsen stadfæstet" in body


def test_pages_for_a_child_outside_districts_are_404(cw, scene):
    outside = scene["outside"]
    ep = m.Episode.objects.create(child=outside, intervention_code="foster",
                                  step=rules.staircase().placement_steps[0], start_date=dt.date(2025, 1, 15))
    for url in (f"/episodes/{ep.pk}/breakdown/", f"/episodes/{ep.pk}/supervision-visits/new/",
                f"/children/{outside.pk}/conversations/new/", f"/children/{outside.pk}/plan/",
                f"/children/{outside.pk}/complaints/new/"):
        assert cw.post(url, {}).status_code == 404, url
    assert m.Complaint.objects.count() == m.Plan.objects.count() == m.ChildConversation.objects.count() == 0
