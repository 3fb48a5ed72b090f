"""The team leader's access log (`/audit/team/`): the audit/view grant at scope `team` shows
the events about the team's children only, with filters, pages and the reading itself audited;
the CSV needs audit/export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client

from trappen.privacy.roles import Scope
from trappen.web.audit.models import AuditEvent
from trappen.web.audit.selectors import audit_events_in_scope
from trappen.web.audit.services import audit_record
from trappen.web.security.exports import audit_csv

ROW = re.compile(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>(\d+)</td>")
"""A table row of the page: (username, child id)."""
OUTCOME = re.compile(r"<td>([^<]*)</td></tr>")


def _rows(response) -> list[tuple[str, int]]:
    assert response.status_code == 200
    return [(user, int(child)) for user, child in ROW.findall(response.content.decode())]


def _outcomes(response) -> list[str]:
    return OUTCOME.findall(response.content.decode())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def log(scene):
    """Events about the team's child (district N) and another district's child (S)."""
    users, inside, outside = scene["users"], scene["inside"].pk, scene["outside"].pk
    audit_record(actor=users["caseworker"], child_id=inside, action="read",
                 endpoint=f"/children/{inside}/", purpose="own_case")
    audit_record(actor=users["teamleader"], child_id=inside, action="read",
                 endpoint=f"/children/{inside}/", purpose="team_leader_review")
    audit_record(actor=users["partner"], child_id=inside, action="read",
                 endpoint=f"/children/{inside}/", purpose="refused: not in scope (colleague_cover)")
    audit_record(actor=users["caseworker"], child_id=inside, action="write",
                 endpoint="=HYPERLINK(\"x\")", purpose="@SUM(1)")
    audit_record(actor=users["caseworker"], child_id=outside, action="read",
                 endpoint=f"/children/{outside}/", purpose="colleague_cover")
    audit_record(actor=users["admin"], child_id=None, action="read", endpoint="audit_search",
                 purpose="data_protection_review")
    return {"inside": inside, "outside": outside}


def test_team_leader_sees_their_team_childrens_events_and_not_another_teams(scene, log, make_user):
    from trappen.web.register.models import Team

    leader = _client(scene["users"]["teamleader"])
    page = leader.get("/audit/team/")
    rows = _rows(page)
    assert len(rows) == 4 and {child for _, child in rows} == {log["inside"]}
    body = page.content.decode()
    assert "Barn Inde" not in body and "Barn Ude" not in body  # ids only, never names
    assert _outcomes(page) == ["tilladt", "afvist", "tilladt", "tilladt"]  # Danish by default
    english = leader.get("/audit/team/", HTTP_ACCEPT_LANGUAGE="en")
    assert _outcomes(english) == ["allowed", "refused", "allowed", "allowed"]
    # newest first: the caseworker's write (the last event about the team's child) leads
    assert rows[0] == ("u_caseworker", log["inside"])
    # the other district's team leader sees that district's child and not ours
    other = make_user("leader_s", "teamleader", ["S"])
    other.team = Team.objects.create(code="T2", name="Team 2", district_id="S")
    other.save()
    assert _rows(_client(other).get("/audit/team/")) == [("u_caseworker", log["outside"])]
    # guessing the other child's id gives nothing
    assert _rows(leader.get("/audit/team/", {"child_id": log["outside"]})) == []


def test_filters_by_child_user_purpose_and_dates(scene, log):
    leader = _client(scene["users"]["teamleader"])
    assert _rows(leader.get("/audit/team/", {"username": "u_teamleader"})) == [
        ("u_teamleader", log["inside"])]
    assert _rows(leader.get("/audit/team/", {"purpose": "own_case"})) == [
        ("u_caseworker", log["inside"])]
    day = AuditEvent.objects.order_by("id").first().at
    from django.utils import timezone

    today = timezone.localtime(day).date()
    tomorrow = today + dt.timedelta(days=1)
    assert len(_rows(leader.get("/audit/team/", {"start": today.isoformat()}))) == 4
    assert _rows(leader.get("/audit/team/", {"start": tomorrow.isoformat()})) == []
    assert _rows(leader.get("/audit/team/", {"end": today.isoformat()})) == []  # end excluded
    assert len(_rows(leader.get("/audit/team/", {"start": today.isoformat(),
                                                 "end": tomorrow.isoformat()}))) == 4
    bad = leader.get("/audit/team/", {"start": "not-a-date"})
    assert _rows(bad) == [] and "errorlist" in bad.content.decode()
    assert len(_rows(leader.get("/audit/team/", {"child_id": log["inside"]}))) == 4
    # that search named the child, so it is now in the child's log itself
    assert _rows(leader.get("/audit/team/", {"username": "u_teamleader"})) == [
        ("u_teamleader", log["inside"]), ("u_teamleader", log["inside"])]


def test_pages_of_fifty_newest_first(scene):
    cw, child = scene["users"]["caseworker"], scene["inside"].pk
    for _ in range(53):
        audit_record(actor=cw, child_id=child, action="read", endpoint=f"/children/{child}/",
                     purpose="own_case")
    leader = _client(scene["users"]["teamleader"])
    # (reading the log unfiltered by child is recorded without a child: not on these pages)
    first = leader.get("/audit/team/", {"username": "u_caseworker"})
    assert len(_rows(first)) == 50
    body = first.content.decode()
    assert "username=u_caseworker&amp;page=2" in body and "af 53" in body
    second = leader.get("/audit/team/", {"username": "u_caseworker", "page": 2})
    assert len(_rows(second)) == 3
    ids = [int(i) for i in re.findall(r'href="\?[^"]*page=(\d+)"', second.content.decode())]
    assert ids == [1]  # a link back to the newer page only


def test_reading_the_log_is_audited_with_purpose_complaint_handling(scene, log):
    leader = _client(scene["users"]["teamleader"])
    before = AuditEvent.objects.count()
    leader.get("/audit/team/", {"child_id": log["inside"]})
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.username, event.child_id, event.endpoint, event.purpose) == (
        "u_teamleader", log["inside"], "audit_team", "complaint_handling")
    # an invalid filter reads nothing and records nothing
    leader.get("/audit/team/", {"child_id": "x"})
    assert AuditEvent.objects.count() == before + 1


def test_team_csv_rows_are_in_scope_and_formula_neutralised(scene, log):
    text = audit_csv(audit_events_in_scope(scene["users"]["teamleader"], scope=Scope.TEAM))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["child_id"] for r in rows} == {str(log["inside"])}
    assert "'=HYPERLINK(\"x\")" in {r["endpoint"] for r in rows}
    assert "'@SUM(1)" in {r["purpose"] for r in rows}
    assert not any(v[:1] in "=+-@" for r in rows for v in r.values() if v)


def test_csv_for_the_admin_filtered_and_neutralised_and_refused_for_team_leaders(scene, log):
    # permissions.toml grants team leaders audit/view but not audit/export
    leader = _client(scene["users"]["teamleader"])
    assert leader.get("/audit/team.csv").status_code == 403
    assert "/audit/team.csv" not in leader.get("/audit/team/").content.decode()
    admin = _client(scene["users"]["admin"])
    assert "/audit/team.csv" in admin.get("/audit/team/").content.decode()
    response = admin.get("/audit/team.csv", {"username": "u_caseworker"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["child_id"] for r in rows} == {str(log["inside"]), str(log["outside"])}  # scope all
    assert {r["username"] for r in rows} == {"u_caseworker"}
    assert "'=HYPERLINK(\"x\")" in {r["endpoint"] for r in rows}
    assert not any(v[:1] in "=+-@" for r in rows for v in r.values() if v)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.endpoint, event.purpose) == ("audit_team_export", "data_protection_review")
    assert admin.get("/audit/team.csv", {"start": "x"}).status_code == 400


@pytest.mark.parametrize("role", ["caseworker", "partner", "analyst", "economist"])
def test_other_roles_are_refused(scene, log, role):
    client = _client(scene["users"][role])
    before = AuditEvent.objects.count()
    assert client.get("/audit/team/").status_code == 403
    assert client.get("/audit/team.csv").status_code == 403
    assert AuditEvent.objects.count() == before
    assert "/audit/team/" not in client.get("/my-day/").content.decode()


def test_the_menu_links_the_page_for_team_leaders(scene):
    page = _client(scene["users"]["teamleader"]).get("/audit/team/")
    assert 'href="/audit/team/"' in page.content.decode()
