"""Casework pages through the test client: My day, the casework page's clocks, forms, team page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from trappen.web.audit.models import AuditEvent
from trappen.web.register import models as m


def _login(client, user):
    client.force_login(user)
    return client


def test_register_notification_shows_24_hour_clock_at_once(client, scene):
    _login(client, scene["user"])
    child = scene["mine"]
    received = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    resp = client.post(f"/children/{child.pk}/notifications/new/",
                       {"received_at": received.strftime("%Y-%m-%dT%H:%M"), "notifier_kind": "school"},
                       follow=True)
    assert resp.status_code == 200
    n = m.Notification.objects.get()
    due = timezone.localtime(n.received_at + dt.timedelta(hours=24))
    body = resp.content.decode()
    assert due.strftime("%Y-%m-%d %H:%M") in body  # the assessment clock, straight after saving
    assert "24" in body


def test_future_notification_is_a_form_error_and_nothing_written(client, scene):
    _login(client, scene["user"])
    future = timezone.localtime(timezone.now() + dt.timedelta(days=2))
    resp = client.post(f"/children/{scene['mine'].pk}/notifications/new/",
                       {"received_at": future.strftime("%Y-%m-%dT%H:%M"), "notifier_kind": "school"})
    assert resp.status_code == 200
    assert "is in the future" in resp.content.decode()
    assert m.Notification.objects.count() == 0


def test_child_outside_districts_is_404_and_audited(client, scene):
    _login(client, scene["user"])
    child = scene["outside"]
    assert client.get(f"/children/{child.pk}/casework/").status_code == 404
    assert client.post(f"/children/{child.pk}/notifications/new/", {}).status_code == 404
    assert AuditEvent.objects.filter(child_id=child.pk, purpose__startswith="refused").count() == 2


def test_investigation_page_shows_4_month_clock(client, scene):
    _login(client, scene["user"])
    child = scene["mine"]
    today = timezone.localdate()
    resp = client.post(f"/children/{child.pk}/investigations/new/",
                       {"started_on": today.isoformat(), "aware_on": today.isoformat()}, follow=True)
    assert resp.status_code == 200
    inv = m.Investigation.objects.get()
    assert inv.started_on == today
    from trappen.deadlines import add_months

    assert add_months(today, 4).isoformat() in resp.content.decode()


def test_my_day_lists_children_with_step_and_overdue_first(client, scene):
    user, child = scene["user"], scene["mine"]
    now = timezone.now()
    # one notification received 3 days ago, never assessed: its 24-hour clock is overdue;
    # one received an hour ago: open
    m.Notification.objects.create(child=child, received_at=now - dt.timedelta(hours=1), notifier_kind="school")
    m.Notification.objects.create(child=child, received_at=now - dt.timedelta(days=3), notifier_kind="police")
    m.Episode.objects.create(child=child, intervention_code="PALS_SCHOOL", step=1,
                             start_date=timezone.localdate() - dt.timedelta(days=10))
    _login(client, user)
    resp = client.get("/my-day/")
    assert resp.status_code == 200
    rows = resp.context["deadlines"]
    assert rows[0]["status"] == "overdue" and rows[0]["duty_id"] == "D1"
    statuses = [r["status"] for r in rows]
    assert statuses == sorted(statuses, key=lambda s: s != "overdue")  # overdue first
    assert '<tr class="overdue"' in resp.content.decode()
    assert [(r["child"].pk, r["step"]) for r in resp.context["children"]] == [(child.pk, 1)]


def test_team_page_caseload_over_target_and_reassign(client, scene, settings):
    settings.TRAPPEN_CASELOAD_TARGET = 0  # hand-set: the one assigned child puts the post over
    _login(client, scene["leader"])
    resp = client.get("/team/")
    assert resp.status_code == 200
    rows = {r["caseworker"].pk: r for r in resp.context["rows"]}
    assert rows[scene["post"].pk]["children"] == 1 and rows[scene["post"].pk]["over"]
    assert rows[scene["other_post"].pk]["children"] == 0 and not rows[scene["other_post"].pk]["over"]
    today = timezone.localdate()
    # not the leader's own case: state the purpose first (audited with every read)
    client.post(f"/security/children/{scene['mine'].pk}/purpose/", {"purpose": "team_leader_review"})
    resp = client.post(f"/children/{scene['mine'].pk}/reassign/",
                       {"caseworker_id": scene["other_post"].pk, "on": (today + dt.timedelta(days=1)).isoformat()})
    assert resp.status_code == 302
    assert m.Assignment.objects.filter(child=scene["mine"]).count() == 2


def test_team_page_is_not_for_caseworkers(client, scene):
    _login(client, scene["user"])
    assert client.get("/team/").status_code == 404
