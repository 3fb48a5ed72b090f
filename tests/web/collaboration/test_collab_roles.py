"""Role matrix: every collaboration URL x role x in/out of consent x before/after withdrawal.

``P`` is the purpose prompt (a redirect to state why a child that is not one's own case is
opened); 404 means the child or record is outside what the user may open at all."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.web.collaboration import services as svc

P = "purpose"
ROLES = ("caseworker", "caseworker2", "teamleader", "teacher", "pedagogue", "analyst", "economist", "admin")


@pytest.fixture
def world(collab, make_user):
    meeting = svc.meeting_plan(actor=collab["user"], child=collab["shared"], kind="network_meeting",
                               held_on=collab["today"], organisation_ids=[collab["school"].pk])
    action = svc.action_assign(actor=collab["user"], meeting=meeting, text="Samtale", owner=collab["teacher"],
                               due_on=collab["today"] + dt.timedelta(days=3))
    users = {"caseworker": collab["user"], "caseworker2": None, "teamleader": collab["leader"],
             "teacher": collab["teacher"], "pedagogue": collab["pedagogue"],
             "analyst": make_user("an", "analyst"), "economist": make_user("eco", "economist"),
             "admin": make_user("adm", "admin")}
    from django.contrib.auth import get_user_model

    users["caseworker2"] = get_user_model().objects.get(username="cw2")
    from django.utils import timezone

    from trappen.web.register.models import Notification

    notification = Notification.objects.create(child=collab["shared"], notifier_kind="school",
                                               received_at=timezone.now() - dt.timedelta(days=3))
    svc.minutes_write(actor=collab["user"], meeting=meeting, child_view="", parents_view="", decisions="Plan")
    copy = meeting.dispatches.get(organisation=collab["school"])
    return {**collab, "meeting": meeting, "action": action, "users": users, "notification": notification,
            "copy": copy}


def _urls(w):
    s, u, mt = w["shared"].pk, w["unshared"].pk, w["meeting"].pk
    return {
        "day": "/collaboration/",
        "overview": "/collaboration/overview/",
        "consultations": "/collaboration/consultations/",
        "child": f"/collaboration/children/{s}/",
        "child_unshared": f"/collaboration/children/{u}/",
        "meeting_new": f"/collaboration/children/{s}/meetings/new/",
        "consents": f"/collaboration/children/{s}/consents/",
        "step1": f"/collaboration/children/{s}/step1/new/",
        "meeting": f"/collaboration/meetings/{mt}/",
        "network": f"/collaboration/children/{s}/network/",
        "goals": f"/collaboration/children/{s}/goals/",
        "links": f"/collaboration/notifications/{w['notification'].pk}/consultations/",
        "minutes": "/collaboration/minutes/",
        "minutes_copy": f"/collaboration/minutes/{w['copy'].pk}/",
    }


# expected GET status per url and role; for the teacher the tuple is (with consent, after withdrawal)
GET = {
    "day":            {"caseworker": 200, "caseworker2": 200, "teamleader": 302, "teacher": (200, 200),
                       "pedagogue": 200, "analyst": 403, "economist": 403, "admin": 403},
    "overview":       {"caseworker": 403, "caseworker2": 403, "teamleader": 200, "teacher": (403, 403),
                       "pedagogue": 403, "analyst": 403, "economist": 403, "admin": 403},
    "consultations":  {"caseworker": 200, "caseworker2": 200, "teamleader": 403, "teacher": (200, 200),
                       "pedagogue": 200, "analyst": 403, "economist": 403, "admin": 403},
    "child":          {"caseworker": 200, "caseworker2": P, "teamleader": P, "teacher": (200, 403),
                       "pedagogue": 404, "analyst": 403, "economist": 403, "admin": 403},
    "child_unshared": {"caseworker": 200, "caseworker2": P, "teamleader": P, "teacher": (403, 403),
                       "pedagogue": 404, "analyst": 403, "economist": 403, "admin": 403},
    "meeting_new":    {"caseworker": 200, "caseworker2": P, "teamleader": 403, "teacher": (403, 403),
                       "pedagogue": 403, "analyst": 403, "economist": 403, "admin": 403},
    "consents":       {"caseworker": 200, "caseworker2": P, "teamleader": P, "teacher": (403, 403),
                       "pedagogue": 403, "analyst": 403, "economist": 403, "admin": 403},
    "step1":          {"caseworker": 403, "caseworker2": 403, "teamleader": 403, "teacher": (200, 403),
                       "pedagogue": 404, "analyst": 403, "economist": 403, "admin": 403},
    "meeting":        {"caseworker": 200, "caseworker2": P, "teamleader": P, "teacher": (200, 403),
                       "pedagogue": 404, "analyst": 403, "economist": 403, "admin": 403},
    "network":        {"caseworker": 200, "caseworker2": P, "teamleader": P, "teacher": (403, 403),
                       "pedagogue": 403, "analyst": 403, "economist": 403, "admin": 403},
    "goals":          {"caseworker": 200, "caseworker2": P, "teamleader": P, "teacher": (403, 403),
                       "pedagogue": 403, "analyst": 403, "economist": 403, "admin": 403},
    # linking a consultation: consultation/change at scope own (the responsible caseworker)
    "links":          {"caseworker": 200, "caseworker2": P, "teamleader": P, "teacher": (404, 404),
                       "pedagogue": 404, "analyst": 404, "economist": 404, "admin": 404},
    # minutes: the school's copy, read by its teacher only while meetings is shared
    "minutes":        {"caseworker": 200, "caseworker2": 200, "teamleader": 200, "teacher": (200, 200),
                       "pedagogue": 200, "analyst": 403, "economist": 403, "admin": 403},
    "minutes_copy":   {"caseworker": 200, "caseworker2": P, "teamleader": P, "teacher": (200, 403),
                       "pedagogue": 404, "analyst": 403, "economist": 403, "admin": 403},
}


def _status(response):
    if response.status_code == 302 and "/purpose/" in response["Location"]:
        return P
    return response.status_code


@pytest.mark.parametrize("withdrawn", [False, True], ids=["consent", "withdrawn"])
@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(world, client_for, role, withdrawn):
    if withdrawn:
        svc.consent_withdraw(actor=world["user"], consent=world["consents"][0])
    client = client_for(world["users"][role])
    got, want = {}, {}
    for name, url in _urls(world).items():
        expected = GET[name][role]
        want[name] = expected[int(withdrawn)] if isinstance(expected, tuple) else expected
        got[name] = _status(client.get(url))
    assert got == want


@pytest.mark.parametrize("withdrawn", [False, True], ids=["consent", "withdrawn"])
@pytest.mark.parametrize("role,expected", [
    ("teacher", (302, 403)), ("pedagogue", (404, 404)), ("caseworker", (302, 302)),
    ("analyst", (403, 403)), ("admin", (403, 403))])
def test_action_done_matrix(world, client_for, role, expected, withdrawn):
    """The owner (teacher) marks done only while sharing holds; the responsible caseworker may
    too; anyone else is refused; nothing changes on a refusal."""
    if withdrawn:
        svc.consent_withdraw(actor=world["user"], consent=world["consents"][0])
    response = client_for(world["users"][role]).post(f"/collaboration/actions/{world['action'].pk}/done/")
    assert response.status_code == expected[int(withdrawn)]
    world["action"].refresh_from_db()
    assert (world["action"].status == "done") == (response.status_code == 302)


@pytest.mark.parametrize("role,expected", [("caseworker", 302), ("caseworker2", 403), ("teamleader", 403),
                                           ("teacher", 403), ("analyst", 403), ("admin", 403)])
def test_consent_withdraw_matrix(world, client_for, role, expected):
    consent = world["consents"][0]
    response = client_for(world["users"][role]).post(f"/collaboration/consents/{consent.pk}/withdraw/")
    assert response.status_code == expected
    consent.refresh_from_db()
    assert (consent.withdrawn_on is not None) == (expected == 302)


@pytest.mark.parametrize("role,expected", [("caseworker", 302), ("caseworker2", 403), ("teacher", 403),
                                           ("analyst", 403)])
def test_meeting_plan_post_matrix(world, client_for, role, expected):
    from trappen.web.collaboration.models import Meeting

    before = Meeting.objects.count()
    client = client_for(world["users"][role])
    if role == "caseworker2":  # state a purpose first: the grant still refuses (meeting/create is own)
        client.post(f"/security/children/{world['shared'].pk}/purpose/", {"purpose": "colleague_cover"})
    response = client.post(f"/collaboration/children/{world['shared'].pk}/meetings/new/", {
        "kind": "cross_disciplinary", "held_on": world["today"].isoformat(),
        "organisations": [str(world["school"].pk)]})
    assert response.status_code == expected
    assert Meeting.objects.count() == before + (1 if expected == 302 else 0)
