"""The JSON API: token auth, scoping, the same validation as the pages, JSON errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from trappen.web.api.models import ApiToken
from trappen.web.api.services import token_create, token_hash
from trappen.web.audit.models import AuditEvent
from trappen.web.register import models as m


@pytest.fixture
def api(client, scene):
    token = token_create(username="cw")

    class Api:
        def get(self, path, token=token):
            return client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {token}")

        def post(self, path, body, token=token):
            return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")

    return Api()


def test_token_is_stored_only_as_sha256(scene):
    token = token_create(username="cw")
    row = ApiToken.objects.get()
    assert row.token_sha256 == token_hash(token) and len(row.token_sha256) == 64
    assert token not in row.token_sha256


def test_no_token_or_bad_token_is_401_json(client, api):
    resp = client.get("/api/v1/children")
    assert resp.status_code == 401 and "detail" in resp.json()
    assert api.get("/children", token="not-a-token").status_code == 401


def test_children_list_is_scoped_and_audited(api, scene):
    resp = api.get("/children")
    assert resp.status_code == 200
    assert [c["id"] for c in resp.json()] == [scene["mine"].pk]  # the child in S is not listed
    [event] = AuditEvent.objects.filter(action="read")  # one row per request (#14 item 2)
    assert event.child_ids == [scene["mine"].pk] and event.child_id is None


def test_child_outside_districts_is_404(api, scene):
    resp = api.get(f"/children/{scene['outside'].pk}")
    assert resp.status_code == 404 and resp.json()["detail"] == "not found"
    assert api.get(f"/children/{scene['mine'].pk}").json()["current_step"] == 0


def test_notification_assessment_and_deadlines(api, scene):
    received = timezone.now() - dt.timedelta(hours=2)
    resp = api.post("/notifications", {"child_id": scene["mine"].pk, "received_at": received.isoformat(),
                                       "notifier_kind": "school"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert dt.datetime.fromisoformat(body["assess_by"]) == dt.datetime.fromisoformat(
        body["received_at"]
    ) + dt.timedelta(hours=24)
    items = api.get(f"/children/{scene['mine'].pk}/deadlines").json()
    assert {i["duty_id"] for i in items} >= {"D1", "D2"}
    resp = api.post(
        f"/notifications/{body['id']}/assessment",
        {"assessed_at": (received - dt.timedelta(hours=1)).isoformat(), "outcome": "no_action"},
    )
    assert resp.status_code == 422
    assert resp.json()["problems"][0]["field"] == "assessed_at"
    resp = api.post(
        f"/notifications/{body['id']}/assessment", {"assessed_at": timezone.now().isoformat(), "outcome": "no_action"}
    )
    assert resp.status_code == 200 and resp.json()["outcome"] == "no_action"


def test_unknown_notifier_kind_is_422_naming_field_and_value(api, scene):
    resp = api.post(
        "/notifications",
        {"child_id": scene["mine"].pk, "received_at": timezone.now().isoformat(), "notifier_kind": "martian"},
    )
    assert resp.status_code == 422
    assert {"field": "notifier_kind", "value": "martian"}.items() <= resp.json()["problems"][0].items()
    assert m.Notification.objects.count() == 0


def test_malformed_body_is_422_json_not_a_traceback(api, scene):
    resp = api.post("/notifications", {"child_id": scene["mine"].pk, "received_at": "yesterday"})
    assert resp.status_code == 422
    fields = {p["field"] for p in resp.json()["problems"]}
    assert {"received_at", "notifier_kind"} <= fields


def test_escalation_without_justification_is_422_naming_justification(api, scene, approvals_off):
    body = {"child_id": scene["mine"].pk, "intervention_code": "FOSTER_GENERAL", "step": 5, "start_date": "2026-01-05"}
    resp = api.post("/interventions", body)
    assert resp.status_code == 422
    assert resp.json()["problems"][0]["field"] == "justification"
    assert "justification" in resp.json()["detail"]
    assert m.Episode.objects.count() == 0
    body["justification"] = {str(s): f"step {s} considered and not enough" for s in range(1, 5)}
    resp = api.post("/interventions", body)
    assert resp.status_code == 201, resp.content
    ep = resp.json()["id"]
    assert api.post("/follow-ups", {"episode_id": ep, "held_on": "2026-02-01"}).status_code == 201
    resp = api.post(f"/interventions/{ep}/end", {"end_date": "2026-01-04", "end_reason": "moved_down"})
    assert resp.status_code == 422 and resp.json()["problems"][0]["field"] == "end_date"
    resp = api.post(f"/interventions/{ep}/end", {"end_date": "2026-03-01", "end_reason": "moved_down"})
    assert resp.status_code == 200 and resp.json()["end_date"] == "2026-03-01"


def test_intervention_for_child_outside_districts_is_404(api, scene):
    resp = api.post(
        "/interventions",
        {"child_id": scene["outside"].pk, "intervention_code": "PALS_SCHOOL", "step": 1, "start_date": "2026-01-05"},
    )
    assert resp.status_code == 404
    assert m.Episode.objects.count() == 0


def test_openapi_document_loads(api):
    resp = api.get("/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert {"/api/v1/children", "/api/v1/children/{child_id}", "/api/v1/interventions"} <= set(paths)


def test_createtoken_cli_unknown_user_exits_1(db):
    from typer.testing import CliRunner

    from trappen.cli import app

    result = CliRunner().invoke(app, ["createtoken", "nobody"])
    assert result.exit_code == 1
    assert "username" in result.output


def test_partner_may_not_write_403_json(client, scene, make_user):
    partner = make_user("partner1", "partner")
    partner.linked_children.add(scene["mine"])
    token = token_create(username="partner1")
    # interventions are the caseworker's: refused (notifications are allowed: the duty to notify,
    # see tests/web/security/test_need_to_know.py)
    resp = client.post(
        "/api/v1/interventions",
        data=json.dumps(
            {
                "child_id": scene["mine"].pk,
                "intervention_code": "HV_EXTRA_VISITS",
                "step": 1,
                "start_date": "2025-06-01",
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert resp.status_code == 403 and "detail" in resp.json()
    assert m.Episode.objects.count() == 0


def test_naive_time_is_422_naming_the_field(api, scene):
    resp = api.post(
        "/notifications",
        {"child_id": scene["mine"].pk, "received_at": "2026-01-05T09:00:00", "notifier_kind": "school"},
    )
    assert resp.status_code == 422
    assert resp.json()["problems"][0] == {
        "field": "received_at",
        "value": "2026-01-05 09:00:00",
        "message": "must be a date and time with a timezone",
    }


def test_revoked_token_is_401(api, scene):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api.get("/children").status_code == 401
