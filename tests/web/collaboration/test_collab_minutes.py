"""Minutes go to the participants within the consent's scope (#16 item 5): every participant's
copy recorded and audited, a partner's filtered by the field groups shared with their
organisation, nothing after a withdrawal, participants without a login recorded by channel."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.web.audit.models import AuditEvent
from trappen.web.collaboration import services as svc
from trappen.web.collaboration.models import MinutesDispatch

CHILD_VIEW = "Eleven vil gerne have en fast voksen"
PARENTS_VIEW = "Forældrene ønsker mere kontakt med skolen"
DECISIONS = "Skolen laver en trivselsplan"


def _meeting(collab):
    meeting = svc.meeting_plan(actor=collab["user"], child=collab["shared"], kind="cross_disciplinary",
                               held_on=collab["today"], organisation_ids=[collab["school"].pk],
                               partner_user_ids=[collab["teacher"].pk],
                               others=[("parent", "Mor"), ("network_person", "Moster"), ("support_person", "Bisidder")])
    svc.action_assign(actor=collab["user"], meeting=meeting, text="Trivselssamtale", owner=collab["teacher"],
                      due_on=collab["today"] + dt.timedelta(days=7))
    return meeting


def _write(collab, meeting):
    return svc.minutes_write(actor=collab["user"], meeting=meeting, child_view=CHILD_VIEW, parents_view=PARENTS_VIEW,
                             decisions=DECISIONS)


def _by(meeting):
    out = {}
    for d in MinutesDispatch.objects.filter(meeting=meeting):
        key = d.user.username if d.user else (d.organisation.code if d.organisation else d.recipient_kind)
        out[key] = d
    return out


def test_every_participant_gets_a_copy_filtered_by_the_consent(collab):
    meeting = _meeting(collab)
    _write(collab, meeting)
    rows = _by(meeting)
    assert set(rows) == {collab["user"].username, "teacher", "SKOLE1", "parent", "network_person", "support_person"}
    everything = ["child", "meeting", "participants", "decisions", "actions", "child_view", "parents_view"]
    assert (rows[collab["user"].username].status, rows[collab["user"].username].parts) == ("delivered", everything)
    # the school's consent: identity, step, early_interventions, meetings, actions; no case_notes
    for key in ("teacher", "SKOLE1"):
        assert rows[key].status == "delivered" and rows[key].channel == "trappen"
        assert rows[key].parts == ["child", "meeting", "participants", "decisions", "actions"]
        assert "child_view" not in rows[key].content and "parents_view" not in rows[key].content
    assert (rows["parent"].channel, rows["parent"].status, rows["parent"].parts) == ("digital_post", "recorded",
                                                                                     everything)
    assert rows["network_person"].channel == "letter" and "parents_view" not in rows["network_person"].parts
    events = AuditEvent.objects.filter(child_id=collab["shared"].pk, endpoint="minutes_dispatch")
    assert events.count() == 6
    checks = AuditEvent.objects.filter(endpoint__startswith="sharing_check minutes_dispatch")
    assert checks.count() == 2 and all("meetings=consent:" in e.purpose for e in checks)


def test_a_consent_naming_case_notes_adds_the_views(collab):
    svc.consent_record(actor=collab["user"], child=collab["shared"], giver="custody_holder_1", sole_custody=True,
                       field_groups=["identity", "meetings", "case_notes"], organisation_ids=[collab["school"].pk],
                       purpose="Referater med synspunkter", valid_from=collab["today"])
    meeting = _meeting(collab)
    _write(collab, meeting)
    assert {"child_view", "parents_view"} <= set(_by(meeting)["teacher"].parts)


def test_the_teacher_reads_the_minutes_on_my_day_without_the_familys_views(collab, client_for):
    meeting = _meeting(collab)
    _write(collab, meeting)
    row = _by(meeting)["teacher"]
    teacher = client_for(collab["teacher"])
    day = teacher.get("/collaboration/").content.decode()
    assert f'data-dispatch="{row.pk}"' in day
    assert f'data-dispatch="{row.pk}"' in teacher.get("/collaboration/minutes/").content.decode()
    page = teacher.get(f"/collaboration/minutes/{row.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert DECISIONS in html and "Trivselssamtale" in html
    assert CHILD_VIEW not in html and PARENTS_VIEW not in html
    row.refresh_from_db()
    assert row.read_at is not None
    # another partner (the daycare's pedagogue) cannot open it
    assert client_for(collab["pedagogue"]).get(f"/collaboration/minutes/{row.pk}/").status_code == 404


def test_withdrawn_before_the_dispatch_the_partner_receives_nothing(collab, client_for):
    for c in collab["consents"]:
        svc.consent_withdraw(actor=collab["user"], consent=c)
    meeting = _meeting(collab)
    _write(collab, meeting)
    rows = _by(meeting)
    for key in ("teacher", "SKOLE1"):
        assert rows[key].status == "refused" and rows[key].parts == [] and rows[key].content == {}
        assert rows[key].reason == "refused:meetings:no_consent_or_basis"
    teacher = client_for(collab["teacher"])
    assert f'data-dispatch="{rows["teacher"].pk}"' not in teacher.get("/collaboration/minutes/").content.decode()
    assert teacher.get(f"/collaboration/minutes/{rows['teacher'].pk}/").status_code == 404
    # the caseworker sees why, in words
    page = client_for(collab["user"]).get(f"/collaboration/meetings/{meeting.pk}/").content.decode()
    assert 'class="dispatch-refused"' in page and "refused:meetings" not in page


def test_withdrawn_after_the_dispatch_the_copy_is_refused_at_once(collab, client_for):
    meeting = _meeting(collab)
    _write(collab, meeting)
    row = _by(meeting)["teacher"]
    for c in collab["consents"]:
        svc.consent_withdraw(actor=collab["user"], consent=c)
    teacher = client_for(collab["teacher"])
    assert teacher.get(f"/collaboration/minutes/{row.pk}/").status_code == 403
    listing = teacher.get("/collaboration/minutes/").content.decode()
    assert f'data-dispatch="{row.pk}"' not in listing and 'id="minutes-hidden"' in listing


def test_the_caseworker_prints_the_parents_recorded_copy(collab, client_for):
    meeting = _meeting(collab)
    client = client_for(collab["user"])
    response = client.post(f"/collaboration/meetings/{meeting.pk}/", {
        "form": "minutes", "child_view": CHILD_VIEW, "parents_view": PARENTS_VIEW, "decisions": DECISIONS})
    assert response.status_code == 302
    parent = _by(meeting)["parent"]
    page = client.get(f"/collaboration/minutes/{parent.pk}/")
    assert page.status_code == 200
    assert PARENTS_VIEW in page.content.decode() and 'id="print-hint"' in page.content.decode()
    assert f'data-dispatch="{parent.pk}"' in client.get(f"/collaboration/meetings/{meeting.pk}/").content.decode()


def test_minutes_rules_are_data_and_validated(tmp_path):
    from trappen.collaboration.minutes import load_minutes_rules, partner_parts
    from trappen.errors import ConfigurationError

    assert partner_parts({"identity", "actions"}) == ()  # no meetings: nothing
    assert partner_parts({"meetings"}) == ("meeting", "participants", "decisions")
    bad = tmp_path / "minutes.toml"
    bad.write_text('[parts]\nchild = "identity"\n[outside.parent]\nchannel = "pigeon"\nparts = []\n')
    with pytest.raises(ConfigurationError) as err:
        load_minutes_rules(bad)
    assert "pigeon" in str(err.value) or "meeting" in str(err.value)


def test_the_api_gives_the_teacher_the_minutes_within_the_consent(collab):
    from django.test import Client

    from trappen.web.api.services import token_create

    meeting = _meeting(collab)
    _write(collab, meeting)
    token = token_create(username="teacher")
    token = token[0] if isinstance(token, tuple) else token
    rows = Client().get("/api/v1/collaboration/minutes", headers={"Authorization": f"Bearer {token}"}).json()
    assert rows and all(r["child_id"] == collab["shared"].pk for r in rows)
    assert all("parents_view" not in r["content"] and r["content"]["decisions"] == DECISIONS for r in rows)
    for c in collab["consents"]:
        svc.consent_withdraw(actor=collab["user"], consent=c)
    assert Client().get("/api/v1/collaboration/minutes", headers={"Authorization": f"Bearer {token}"}).json() == []
