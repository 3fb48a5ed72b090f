"""List pages and refused lookups by object id leave audit rows (#14 item 2): one row per list
request naming the page and the children shown (ids only, so their number), and one row per
refused /episodes/, /notifications/, /investigations/ lookup outside the user's scope."""

from __future__ import annotations

import pytest
from django.test import Client

from trappen.web.audit.models import AuditEvent
from trappen.web.audit.services import audit_verify


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _list_events(endpoint: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(endpoint=endpoint))


@pytest.mark.parametrize(("role", "url", "endpoint"), [
    ("caseworker", "/children/", "my_children"),
    ("teamleader", "/children/", "my_children"),
    ("caseworker", "/my-day/", "my_day"),
    ("teamleader", "/my-day/", "my_day"),
    ("teamleader", "/team/", "team"),
])
def test_a_list_page_writes_one_audit_row_with_the_children_shown(scene, role, url, endpoint):
    user = scene["users"][role]
    response = _client(user).get(url)
    assert response.status_code == 200
    events = _list_events(endpoint)
    assert len(events) == 1
    event = events[0]
    assert (event.user_id, event.action, event.child_id) == (user.pk, "read", None)
    assert event.child_ids == [scene["inside"].pk]  # the caseworker's case, in district N
    assert scene["outside"].pk not in event.child_ids
    assert audit_verify() == []  # child_ids is in the hash chain


def test_the_partners_notification_list_is_audited(scene):
    from trappen.web.register.models import Notification

    partner = scene["users"]["partner"]
    Notification.objects.filter(pk=scene["ids"]["in"]["notification_id"]).update(submitted_by=partner)
    response = _client(partner).get("/notify/sent/")
    assert response.status_code == 200
    [event] = _list_events("partner_notifications")
    assert event.child_ids == [scene["inside"].pk]


def test_a_list_event_holds_ids_only_never_names(scene):
    _client(scene["users"]["teamleader"]).get("/children/")
    row = AuditEvent.objects.filter(endpoint="my_children").values().get()
    assert "Barn" not in repr(row)


@pytest.mark.parametrize(("url", "key"), [
    ("/episodes/{}/follow-ups/new/", "episode_id"),
    ("/episodes/{}/breakdown/", "episode_id"),
    ("/episodes/{}/supervision-visits/new/", "episode_id"),
    ("/notifications/{}/assess/", "notification_id"),
    ("/investigations/{}/conclude/", "investigation_id"),
])
def test_a_refused_lookup_by_object_id_is_audited(scene, url, key):
    caseworker = scene["users"]["caseworker"]
    pk = scene["ids"]["out"][key]
    response = _client(caseworker).get(url.format(pk))
    assert response.status_code == 404
    [event] = AuditEvent.objects.filter(user=caseworker, purpose__startswith="refused")
    assert event.child_id == scene["outside"].pk  # the record's child, for the access request
    assert event.purpose.endswith(f" {pk})")
    missing = _client(caseworker).get(url.format(999_999))
    assert missing.status_code == 404
    assert AuditEvent.objects.filter(user=caseworker, purpose__startswith="refused", child_id=None).count() == 1


def test_a_citizens_access_export_includes_the_lists_that_showed_the_child(scene):
    from trappen.web.security.exports import audit_events

    _client(scene["users"]["caseworker"]).get("/children/")
    _client(scene["users"]["teamleader"]).get("/team/")
    inside = scene["inside"].pk
    assert sorted(audit_events(child_id=inside).values_list("endpoint", flat=True)) == ["my_children", "team"]
    assert not audit_events(child_id=scene["outside"].pk).exists()


def test_the_api_children_list_writes_one_row_per_request(scene):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {scene['tokens']['caseworker']}")
    assert client.get("/api/v1/children").status_code == 200
    [event] = AuditEvent.objects.filter(endpoint="/api/v1/children")
    assert event.child_ids == [scene["inside"].pk] and event.child_id is None
