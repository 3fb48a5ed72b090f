"""Approval of step-ups (#15 item 4): a caseworker's placement becomes a request, the team's
leader approves it (the intervention starts) or rejects it with a comment; decisions reserved for
børn og unge-udvalget are marked and need the committee's date; every step is audited; the
pending requests are on the team leader's My day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from trappen.errors import InvalidInput
from trappen.web.approvals.models import ApprovalRequest
from trappen.web.approvals.services import approval_approve, approval_reject
from trappen.web.audit.models import AuditEvent
from trappen.web.register import models as m

TODAY = timezone.localdate()
REASONS = {f"reason_{s}": f"Trin {s} er prøvet og rækker ikke." for s in (1, 2, 3, 4)}


@pytest.fixture
def cw(client, scene):
    client.force_login(scene["user"])
    return client


@pytest.fixture
def leader(scene):
    from django.test import Client

    client = Client()
    client.force_login(scene["leader"])
    return client


def _ask(client, child, **extra):
    data = {"intervention_code": "FOSTER_GENERAL", "step": "5", "start_date": TODAY.isoformat(),
            "planned_end": "", "provider": "", "price": ""} | REASONS | extra
    return client.post(f"/children/{child.pk}/interventions/new/", data, follow=True)


def _review(client, child):
    """A team leader states the purpose before opening a child who is not their own case."""
    client.post(f"/security/children/{child.pk}/purpose/", {"purpose": "team_leader_review"})


def test_a_caseworkers_placement_is_a_request_and_starts_nothing(cw, scene):
    child = scene["mine"]
    response = _ask(cw, child)
    assert response.redirect_chain[-1][0] == f"/children/{child.pk}/"
    assert not m.Episode.objects.filter(child=child).exists()
    request = ApprovalRequest.objects.get(child=child)
    assert (request.status, request.step, request.intervention_code, request.start_date) == (
        "pending", 5, "FOSTER_GENERAL", TODAY)
    assert request.requested_by == scene["user"] and request.justification["4"] == REASONS["reason_4"]
    assert not request.committee and request.end_episode is None
    body = response.content.decode()  # the confirmation and the case page's section, in Danish
    assert "Almen plejefamilie afventer godkendelse: indsatsen starter" in body
    assert 'id="approvals"' in body and "Afventer godkendelse" in body
    body = cw.get(f"/children/{child.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Awaiting approval" in body and "Approval of step-ups" in body
    event = AuditEvent.objects.get(endpoint="approval_request")
    assert (event.child_id, event.username, event.action) == (child.pk, "cw", "write")
    assert f"request {request.pk}" in event.purpose and "Barn" not in event.purpose


def test_a_request_the_staircase_refuses_is_not_stored(cw, scene):
    child = scene["mine"]
    data = {"intervention_code": "FOSTER_GENERAL", "step": "5", "start_date": TODAY.isoformat()}
    response = cw.post(f"/children/{child.pk}/interventions/new/", data, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 200 and "Et skift op til trin 5 kræver en begrundelse" in response.content.decode()
    assert not ApprovalRequest.objects.exists() and not AuditEvent.objects.filter(endpoint="approval_request").exists()
    # a second request while one awaits a decision: refused on the form, nothing stored
    _ask(cw, child)
    response = cw.post(f"/children/{child.pk}/interventions/new/",
                       {"intervention_code": "RESIDENTIAL_INSTITUTION", "step": "6", "start_date": TODAY.isoformat(),
                        **REASONS, "reason_5": "Plejefamilie rækker ikke."})
    assert "already awaits approval" in response.content.decode()
    assert ApprovalRequest.objects.count() == 1


def test_steps_without_approval_start_at_once(cw, scene):
    child = scene["mine"]
    _ask(cw, child, intervention_code="FAMILY_TREATMENT", step="3")
    assert m.Episode.objects.filter(child=child, step=3).exists() and not ApprovalRequest.objects.exists()


def test_the_team_leader_approves_and_the_intervention_starts(cw, leader, scene):
    child = scene["mine"]
    _ask(cw, child)
    request = ApprovalRequest.objects.get()
    listing = leader.get("/approvals/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert f"/approvals/{request.pk}/" in listing and "Almen plejefamilie" in listing
    _review(leader, child)
    page = leader.get(f"/approvals/{request.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert REASONS["reason_4"] in page and "Reserved for børn og unge-udvalget" not in page
    response = leader.post(f"/approvals/{request.pk}/", {"decision": "approve", "comment": ""}, follow=True)
    assert response.redirect_chain[-1][0] == "/approvals/"
    episode = m.Episode.objects.get(child=child)
    assert (episode.step, episode.intervention_code, episode.start_date) == (5, "FOSTER_GENERAL", TODAY)
    assert episode.justification["4"] == REASONS["reason_4"]
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.episode) == ("approved", scene["leader"], episode)
    approved = AuditEvent.objects.get(endpoint="approval_approve")
    assert approved.username == "leader" and f"episode {episode.pk}" in approved.purpose
    assert AuditEvent.objects.get(endpoint="intervention_start").username == "leader"
    # decided once: a second decision is refused, nothing changes
    with pytest.raises(InvalidInput, match="already been decided"):
        approval_reject(actor=scene["leader"], approval=request, comment="for sent")
    assert m.Episode.objects.filter(child=child).count() == 1


def test_approving_a_step_up_ends_the_running_intervention(cw, leader, scene):
    child = scene["mine"]
    running = m.Episode.objects.create(child=child, intervention_code="FAMILY_TREATMENT", step=3,
                                       start_date=TODAY - dt.timedelta(days=200))
    _ask(cw, child, end_current="on", current_version="0")
    request = ApprovalRequest.objects.get()
    assert request.end_episode == running
    running.refresh_from_db()
    assert running.end_date is None  # nothing ends before the approval
    approval_approve(actor=scene["leader"], approval=request)
    running.refresh_from_db()
    assert (running.end_date, running.end_reason) == (TODAY, "moved_up")
    assert m.Episode.objects.filter(child=child, step=5, end_date=None).count() == 1


def test_approval_that_can_no_longer_start_writes_nothing(cw, scene):
    child = scene["mine"]
    running = m.Episode.objects.create(child=child, intervention_code="FAMILY_TREATMENT", step=3,
                                       start_date=TODAY - dt.timedelta(days=200))
    _ask(cw, child, end_current="on", current_version="0")
    request = ApprovalRequest.objects.get()
    m.Episode.objects.filter(pk=running.pk).update(version=1)  # changed since the request
    with pytest.raises(InvalidInput):
        approval_approve(actor=scene["leader"], approval=request)
    request.refresh_from_db()
    assert request.status == "pending" and not m.Episode.objects.filter(step=5).exists()
    assert not AuditEvent.objects.filter(endpoint="approval_approve").exists()


def test_reject_needs_a_comment(cw, leader, scene):
    child = scene["mine"]
    _ask(cw, child)
    request = ApprovalRequest.objects.get()
    _review(leader, child)
    response = leader.post(f"/approvals/{request.pk}/", {"decision": "reject", "comment": "  "},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "comment" in response.context["form"].errors
    request.refresh_from_db()
    assert request.status == "pending"
    leader.post(f"/approvals/{request.pk}/", {"decision": "reject", "comment": "Prøv først netværket (trin 4)."})
    request.refresh_from_db()
    assert (request.status, request.comment, request.decided_by) == (
        "rejected", "Prøv først netværket (trin 4).", scene["leader"])
    assert not m.Episode.objects.exists()
    rejected = AuditEvent.objects.get(endpoint="approval_reject")
    assert "netværket" not in rejected.purpose and f"request {request.pk}" in rejected.purpose
    # the caseworker reads the decision and its comment on the case page
    body = cw.get(f"/children/{child.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rejected" in body and "Prøv først netværket" in body


def test_a_caseworker_cannot_approve(cw, scene):
    _ask(cw, scene["mine"])
    request = ApprovalRequest.objects.get()
    assert cw.get("/approvals/").status_code == 403
    assert cw.post(f"/approvals/{request.pk}/", {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied):
        approval_approve(actor=scene["user"], approval=request)
    request.refresh_from_db()
    assert request.status == "pending" and not m.Episode.objects.exists()


def test_a_team_leader_of_another_team_neither_sees_nor_decides(cw, scene, make_user, client):
    other_team = m.Team.objects.create(code="T2", name="Team 2", district_id="N")
    stranger = make_user("leader2", "teamleader", ["N"])
    stranger.team = other_team
    stranger.save()
    _ask(cw, scene["mine"])
    request = ApprovalRequest.objects.get()
    client.force_login(stranger)
    assert f"/approvals/{request.pk}/" not in client.get("/approvals/").content.decode()
    _review(client, scene["mine"])
    assert client.get(f"/approvals/{request.pk}/").status_code == 404
    assert client.post(f"/approvals/{request.pk}/", {"decision": "approve"}).status_code == 404
    with pytest.raises(PermissionDenied):
        approval_approve(actor=stranger, approval=request)
    request.refresh_from_db()
    assert request.status == "pending"


def test_placement_without_consent_is_the_committees_decision(cw, leader, scene):
    child = scene["mine"]
    _ask(cw, child, consent="not_given")
    request = ApprovalRequest.objects.get()
    assert request.committee and request.committee_decision == "placement_without_consent"
    listing = leader.get("/approvals/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reserved for børn og unge-udvalget" in listing
    _review(leader, child)
    page = leader.get(f"/approvals/{request.pk}/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Anbringelse uden samtykke" in page and "Barnets Lov § 47" in page
    assert "Udvalget godkendte" in page  # the choice records the committee's decision
    # without the committee's date: refused, nothing starts
    response = leader.post(f"/approvals/{request.pk}/", {"decision": "approve"})
    assert response.status_code == 422 and "committee_decided_on" in response.context["form"].errors
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    response = leader.post(f"/approvals/{request.pk}/", {"decision": "approve", "committee_decided_on": future})
    assert response.status_code == 422 and not m.Episode.objects.exists()
    leader.post(f"/approvals/{request.pk}/", {"decision": "approve", "committee_decided_on": TODAY.isoformat()})
    request.refresh_from_db()
    assert (request.status, request.committee_decided_on) == ("approved", TODAY)
    assert m.Episode.objects.filter(child=child, step=5).exists()
    assert "committee" in AuditEvent.objects.get(endpoint="approval_approve").purpose


def test_the_approver_starts_at_once_but_not_the_committees_decision(scene, leader):
    child = scene["mine"]
    _review(leader, child)
    _ask(leader, child)
    assert m.Episode.objects.filter(child=child, step=5).exists() and not ApprovalRequest.objects.exists()
    other = m.Child.objects.create(name="Barn To", birth_date=dt.date(2015, 1, 1), sex="M", district_id="N",
                                   entry_date=dt.date(2015, 1, 1), cpr_encrypted=b"", cpr_lookup="x2")
    m.Assignment.objects.create(child=other, caseworker=scene["post"], start_date=dt.date(2024, 1, 1))
    _review(leader, other)
    _ask(leader, other, consent="not_given")
    assert ApprovalRequest.objects.get(child=other).committee
    assert not m.Episode.objects.filter(child=other).exists()


def test_my_day_shows_the_team_leader_the_pending_requests(cw, leader, scene):
    _ask(cw, scene["mine"])
    body = leader.get("/my-day/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert 'id="approvals-pending"' in body and "Barn Nord" in body and "Almen plejefamilie" in body
    assert 'id="approvals-pending"' not in cw.get("/my-day/").content.decode()
    request = ApprovalRequest.objects.get()
    approval_reject(actor=scene["leader"], approval=request, comment="Ikke nu.")
    body = leader.get("/my-day/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No requests await approval." in body and f"/approvals/{request.pk}/" not in body


def test_a_register_load_deletes_requests_with_their_child():
    from trappen.web.register.services import _outside_references

    assert (ApprovalRequest, None) in _outside_references()
    assert {(ApprovalRequest, "end_episode"), (ApprovalRequest, "episode")} <= set(_outside_references())


def test_the_api_asks_for_approval_too(client, scene):
    """POST /api/v1/interventions on a step that needs approval: 202 with the request, nothing starts."""
    import json

    from trappen.web.api.services import token_create

    token = token_create(username="cw")
    body = {"child_id": scene["mine"].pk, "intervention_code": "FOSTER_GENERAL", "step": 5,
            "start_date": TODAY.isoformat(), "without_consent": True,
            "justification": {str(s): f"step {s} considered and not enough" for s in range(1, 5)}}
    response = client.post("/api/v1/interventions", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 202, response.content
    request = ApprovalRequest.objects.get()
    assert response.json() | {"start_date": None} == {
        "approval_request_id": request.pk, "child_id": scene["mine"].pk, "intervention_code": "FOSTER_GENERAL",
        "step": 5, "start_date": None, "status": "pending", "committee": True}
    assert not m.Episode.objects.exists()


ENGLISH = ("Awaiting approval", "Awaiting your approval", "Reserved for", "Requested by", "Approval request",
           "Record the decision", "Approve:", "Reject:", "The committee approved", "Date of the committee",
           "Approval of step-ups", "No requests await", "All approval requests", "Decide")
CODES = ("FOSTER_GENERAL", "placement_without_consent", "pending", "teamleader", "not_given")


def test_the_approval_pages_in_danish_show_labels_never_codes(cw, leader, scene):
    child = scene["mine"]
    form = cw.get(f"/children/{child.pk}/interventions/new/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Samtykke til anbringelse (trin 4, 5, 6)" in form and "Ikke givet: anbringelse uden samtykke" in form
    _ask(cw, child, consent="not_given")
    request = ApprovalRequest.objects.get()
    _review(leader, child)
    pages = {
        "case page": cw.get(f"/children/{child.pk}/", HTTP_ACCEPT_LANGUAGE="da"),
        "list": leader.get("/approvals/", HTTP_ACCEPT_LANGUAGE="da"),
        "decide": leader.get(f"/approvals/{request.pk}/", HTTP_ACCEPT_LANGUAGE="da"),
        "my day": leader.get("/my-day/", HTTP_ACCEPT_LANGUAGE="da"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.content.decode()
        visible = text.split("<main", 1)[-1]
        assert "Afgøres af børn og unge-udvalget" in visible, name
        assert [w for w in ENGLISH if w in visible] == [], name
        assert [c for c in CODES if f">{c}<" in visible or f" {c} " in visible] == [], name
