"""The audit trail from the outside: `trappen audit verify/export`, the data-protection
officer's search page and the per-child CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from typer.testing import CliRunner

from trappen.cli import app
from trappen.web.audit.models import AuditEvent
from trappen.web.audit.services import audit_record
from trappen.web.audit.triggers import append_only_drop

runner = CliRunner()


@pytest.fixture
def events(scene):
    cw = scene["users"]["caseworker"]
    child = scene["ids"]["in"]["child_id"]
    made = [audit_record(actor=cw, child_id=child, action="read", endpoint="child_detail",
                         purpose="own_case"),
            audit_record(actor=cw, child_id=child, action="write", endpoint="=HYPERLINK(\"x\")",
                         purpose="-2+3"),
            audit_record(actor=scene["users"]["teamleader"], child_id=scene["ids"]["out"]["child_id"],
                         action="read", endpoint="child_detail", purpose="team_leader_review")]
    return made


def test_cli_verify_intact_then_names_the_changed_and_the_deleted_rows(events):
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact: 3 events" in ok.output
    append_only_drop(connection)  # someone with DDL rights lifts the triggers (rolled back after)
    AuditEvent.objects.filter(pk=events[0].pk).update(purpose="edited")  # bypasses save()
    AuditEvent.objects.filter(pk=events[1].pk).delete()  # a queryset delete bypasses the model
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"rows {events[0].pk}, {events[2].pk}" in bad.output
    assert "changed" in bad.output and "link" in bad.output
    assert "Traceback" not in bad.output and "edited" not in bad.output  # ids only, no values


def test_cli_export_writes_every_access_to_one_child_formula_neutralised(events, tmp_path):
    out = tmp_path / "child.csv"
    child = events[0].child_id
    result = runner.invoke(app, ["audit", "export", "--child", str(child), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["purpose"] for r in rows] == ["own_case", "'-2+3"]
    assert rows[1]["endpoint"] == "'=HYPERLINK(\"x\")"
    assert {r["child_id"] for r in rows} == {str(child)}


def test_audit_page_searches_by_child_user_and_dates_for_admin_only(events, scene):
    admin = Client()
    admin.force_login(scene["users"]["admin"])
    child = events[0].child_id
    page = admin.get("/audit/", {"child_id": child})
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("<tr><td>") == 2 and "Egen sag" in body  # the purpose by its label, not own_case
    by_user = admin.get("/audit/", {"username": "u_teamleader"}).content.decode()
    assert by_user.count("<tr><td>") == 1 and "Ledelsestilsyn" in by_user
    day = events[0].at.date()
    assert admin.get("/audit/", {"start": day.isoformat()}).content.decode().count("<tr><td>") >= 3
    assert "No events" in admin.get("/audit/", {"end": day.isoformat()}).content.decode() or \
        admin.get("/audit/", {"end": day.isoformat()}).content.decode().count("<tr><td>") == 0
    # the search itself is audited with its purpose
    assert AuditEvent.objects.filter(endpoint="audit_search", purpose="data_protection_review").exists()
    leader = Client()
    leader.force_login(scene["users"]["teamleader"])
    assert leader.get("/audit/", {"child_id": child}).status_code == 403


def test_a_dpo_permission_opens_the_page_and_the_export(events, scene):
    analyst = scene["users"]["analyst"]
    client = Client()
    client.force_login(analyst)
    assert client.get("/audit/").status_code == 403
    analyst.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(type(analyst).objects.get(pk=analyst.pk))
    assert client.get("/audit/").status_code == 200
    export = client.get(f"/audit/children/{events[0].child_id}.csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    text = export.content.decode()
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_an_anchor_kept_outside_detects_a_rewritten_chain(events, tmp_path):
    """Whoever can write the database can rebuild a consistent chain; an anchor kept elsewhere
    still catches it: here the anchored head is deleted and the chain stays consistent."""
    anchors = tmp_path / "anchors.jsonl"
    first = runner.invoke(app, ["audit", "anchor", "--out", str(anchors)])
    assert first.exit_code == 0 and f"event {events[-1].pk}" in first.output
    ok = runner.invoke(app, ["audit", "verify", "--anchor", str(anchors)])
    assert ok.exit_code == 0 and "1 anchor(s) hold" in ok.output, ok.output
    append_only_drop(connection)  # someone with DDL rights lifts the triggers (rolled back after)
    AuditEvent.objects.filter(pk=events[-1].pk).delete()  # the newest: the rest of the chain is intact
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0  # the chain alone cannot tell
    bad = runner.invoke(app, ["audit", "verify", "--anchor", str(anchors)])
    assert bad.exit_code == 1 and f"row {events[-1].pk}" in bad.output and "gone" in bad.output
    anchors.write_text("not json\n", encoding="utf-8")
    broken = runner.invoke(app, ["audit", "verify", "--anchor", str(anchors)])
    assert broken.exit_code == 1 and "line 1" in broken.output and "Traceback" not in broken.output


def test_verify_checks_the_configured_anchor_file_by_default(events, tmp_path, settings):
    """Deleting the newest rows leaves a consistent chain; with TRAPPEN_AUDIT_ANCHOR_FILE set,
    a plain `audit verify` (no --anchor) still catches it, and a missing anchor file fails."""
    anchors = tmp_path / "anchors.jsonl"
    settings.TRAPPEN_AUDIT_ANCHOR_FILE = str(anchors)
    missing = runner.invoke(app, ["audit", "verify"])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    made = runner.invoke(app, ["audit", "anchor"])  # the nightly job: appends to the configured file
    assert made.exit_code == 0 and f"event {events[-1].pk}" in made.output, made.output
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "1 anchor(s) hold" in ok.output, ok.output
    append_only_drop(connection)  # someone with DDL rights lifts the triggers (rolled back after)
    AuditEvent.objects.filter(pk=events[-1].pk).delete()  # the last row: the chain stays consistent
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and f"row {events[-1].pk}" in bad.output and "gone" in bad.output
