"""The collaboration API: the same grants, scopes and sharing checks as the pages, per role, in
and out of consent, before and after withdrawal."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from trappen.web.api.services import token_create
from trappen.web.collaboration import services as svc


@pytest.fixture
def api(collab, make_user):
    meeting = svc.meeting_plan(actor=collab["user"], child=collab["shared"], kind="network_meeting",
                               held_on=collab["today"], organisation_ids=[collab["school"].pk])
    action = svc.action_assign(actor=collab["user"], meeting=meeting, text="Samtale", owner=collab["teacher"],
                               due_on=collab["today"] + dt.timedelta(days=3))
    make_user("an", "analyst")
    tokens = {name: token_create(username=name) for name in ("cw", "cw2", "leader", "teacher", "pedagogue", "an")}
    tokens = {k: v[0] if isinstance(v, tuple) else v for k, v in tokens.items()}
    return {**collab, "meeting": meeting, "action": action, "tokens": tokens}


def _call(api, who, method, url, body=None, **headers):
    auth = {"Authorization": f"Bearer {api['tokens'][who]}"} | headers
    client = Client()
    if method == "get":
        return client.get(url, headers=auth)
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", headers=auth)


@pytest.mark.parametrize("withdrawn", [False, True], ids=["consent", "withdrawn"])
@pytest.mark.parametrize("who,expected", [
    ("cw", (200, 200)), ("cw2", (403, 403)), ("leader", (403, 403)), ("teacher", (200, 403)),
    ("pedagogue", (404, 404)), ("an", (403, 403))])
def test_meetings_of_a_child(api, who, expected, withdrawn):
    if withdrawn:
        svc.consent_withdraw(actor=api["user"], consent=api["consents"][0])
    response = _call(api, who, "get", f"/api/v1/collaboration/children/{api['shared'].pk}/meetings")
    assert response.status_code == expected[int(withdrawn)]
    if response.status_code == 200:
        assert [a["text"] for m in response.json() for a in m["actions"]] == ["Samtale"]


def test_a_colleague_reads_with_a_stated_purpose(api):
    response = _call(api, "cw2", "get", f"/api/v1/collaboration/children/{api['shared'].pk}/meetings",
                     **{"X-Purpose": "colleague_cover"})
    assert response.status_code == 200


@pytest.mark.parametrize("withdrawn", [False, True], ids=["consent", "withdrawn"])
def test_partner_actions_and_done_follow_the_consent(api, withdrawn):
    if withdrawn:
        svc.consent_withdraw(actor=api["user"], consent=api["consents"][1])
    listed = _call(api, "teacher", "get", "/api/v1/collaboration/actions")
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == ([] if withdrawn else [api["action"].pk])
    done = _call(api, "teacher", "post", f"/api/v1/collaboration/actions/{api['action'].pk}/done")
    assert done.status_code == (403 if withdrawn else 200)
    api["action"].refresh_from_db()
    assert api["action"].status == ("open" if withdrawn else "done")
    assert _call(api, "pedagogue", "post", f"/api/v1/collaboration/actions/{api['action'].pk}/done").status_code == 404
    assert _call(api, "an", "get", "/api/v1/collaboration/actions").status_code == 403


@pytest.mark.parametrize("who,expected", [("cw", 200), ("teacher", 403), ("pedagogue", 403), ("an", 403)])
def test_consents_are_for_staff(api, who, expected):
    response = _call(api, who, "get", f"/api/v1/collaboration/children/{api['shared'].pk}/consents")
    assert response.status_code == expected
    if expected == 200:
        assert {c["giver"] for c in response.json()} == {"custody_holder_1", "custody_holder_2"}


@pytest.mark.parametrize("who,expected", [("teacher", 201), ("cw", 201), ("leader", 403), ("an", 403)])
def test_consultation_create(api, who, expected):
    from trappen.web.collaboration.models import Consultation

    body = {"held_on": dt.date.today().isoformat(), "age": 7, "concern": "wellbeing", "partner_kind": "school",
            "advice": "Tal med barnet", "outcome": "advice_only"}
    assert _call(api, who, "post", "/api/v1/collaboration/consultations", body).status_code == expected
    bad = _call(api, "teacher", "post", "/api/v1/collaboration/consultations", {**body, "concern": "shoe"})
    assert bad.status_code == 422 and "shoe" in bad.content.decode()
    assert Consultation.objects.count() == (1 if expected == 201 else 0)
