"""`trappen backup`, `trappen backup verify`, `trappen restore` and `trappen retention report`
through Typer against the test database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from trappen.cli import app

pytestmark = pytest.mark.django_db(transaction=True)

runner = CliRunner()


@pytest.fixture
def audited(districts, make_user, make_child):
    from trappen.web.audit.services import audit_record

    user = make_user("cw-cli", "caseworker", ["N"])
    child = make_child("N")
    for _ in range(3):
        audit_record(actor=user, child_id=child.pk, action="read", endpoint="child_detail", purpose="own_case")
    return child


def test_backup_verify_restore(audited, tmp_path):
    dump = tmp_path / "nightly.dump"
    made = runner.invoke(app, ["backup", "--out", str(dump)])
    assert made.exit_code == 0, made.output
    assert "Backed up the" in made.output and "sha256" in made.output
    manifest = json.loads(dump.with_name("nightly.dump.manifest.json").read_text())
    assert manifest["tables"]["audit_auditevent"] == 3 and manifest["tables"]["register_child"] == 1

    checked = runner.invoke(app, ["backup", "verify", str(dump)])
    assert checked.exit_code == 0, checked.output
    assert "match the manifest" in checked.output and "audit chain intact: 3 events" in checked.output
    quick = runner.invoke(app, ["backup", "verify", str(dump), "--quick"])
    assert quick.exit_code == 0 and "checksum matches" in quick.output

    refused = runner.invoke(app, ["restore", str(dump)])
    assert refused.exit_code == 1 and "--force" in refused.output and "Traceback" not in refused.output
    forced = runner.invoke(app, ["restore", str(dump), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "audit chain intact: 3 events" in forced.output

    dump.write_bytes(dump.read_bytes() + b"\0")
    changed = runner.invoke(app, ["restore", str(dump), "--force"])
    assert changed.exit_code == 1
    assert changed.output.count("\n") == 1 and "checksum does not match" in changed.output


def test_backup_without_out_is_one_line(db):
    result = runner.invoke(app, ["backup"])
    assert result.exit_code == 1 and "--out" in result.output


def _scene(districts, make_user, make_child):
    """Hand-made records with known end dates (see each line)."""
    from django.utils import timezone

    from trappen.web.register.models import Case, Notification

    closed = make_child("N")     # case closed 2015-03-01: case file, due to archive 2020-03-01
    Case.objects.create(child=closed, opened_on=dt.date(2014, 1, 1), closed_on=dt.date(2015, 3, 1),
                        source="notification")
    still_open = make_child("N")  # one case closed, one open: the case file is open
    Case.objects.create(child=still_open, opened_on=dt.date(2014, 1, 1), closed_on=dt.date(2014, 6, 1),
                        source="application")
    Case.objects.create(child=still_open, opened_on=dt.date(2019, 1, 1), source="application")
    noted = make_child("N")      # a notification only, received 2019-05-05: due 2024-05-05
    Notification.objects.create(child=noted, notifier_kind="school",
                                received_at=dt.datetime(2019, 5, 5, 10, 0, tzinfo=dt.UTC))
    moved = make_child("S")      # no case; left 2018-01-01: identity due 2019-01-01
    moved.exit_date = dt.date(2018, 1, 1)
    moved.save()
    resident = make_child("S")   # no case, still resident: open
    gone = make_user("left-2019", "caseworker")  # deactivated, last login 2019-06-01: due 2020-06-01
    gone.is_active = False
    gone.last_login = dt.datetime(2019, 6, 1, 12, 0, tzinfo=dt.UTC)
    gone.save()
    active = make_user("still-here", "caseworker")
    assert timezone.now().date() > dt.date(2021, 1, 1)
    return {"closed": closed.pk, "still_open": still_open.pk, "noted": noted.pk, "moved": moved.pk,
            "resident": resident.pk, "gone": gone.pk, "active": active.pk}


def test_retention_records_and_report(districts, make_user, make_child):
    from trappen.privacy.retention import load_retention_rules, retention_due
    from trappen.web.operations.selectors import retention_records

    ids = _scene(districts, make_user, make_child)
    records = retention_records()
    ended = {kind: dict(zip(f["id"].to_list(), f["ended_on"].to_list(), strict=True))
             for kind, f in records.items()}
    assert ended["child_case_file"] == {ids["closed"]: dt.date(2015, 3, 1), ids["still_open"]: None,
                                        ids["noted"]: dt.date(2019, 5, 5)}
    assert ended["child_identity"] == {ids["moved"]: dt.date(2018, 1, 1), ids["resident"]: None}
    assert ended["user_account"] == {ids["gone"]: dt.date(2019, 6, 1), ids["active"]: None}

    report = retention_due(records, rules=load_retention_rules(), at=dt.date(2021, 1, 1))
    due = {o.rule.code: o.due_ids for o in report.outcomes}
    assert due == {"case_file_to_archive": (ids["closed"],), "identity_without_case": (ids["moved"],),
                   "audit_log": (), "user_account": (ids["gone"],)}

    result = runner.invoke(app, ["retention", "report", "--at", "2021-01-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dry_run"] is True and data["due_by_action"] == {"archive": 1, "delete": 2}
    by_code = {r["code"]: r for r in data["rules"]}
    assert by_code["case_file_to_archive"]["due_ids"] == [ids["closed"]]
    assert (by_code["case_file_to_archive"]["open"], by_code["case_file_to_archive"]["not_yet_due"]) == (1, 1)

    text = runner.invoke(app, ["retention", "report", "--at", "2021-01-01"])
    assert text.exit_code == 0 and "Would archive 1 and delete 2 records." in text.output
    assert "Test Barn" not in text.output + result.output  # ids and counts only, never a name


def test_retention_report_bad_date_is_one_line(db):
    result = runner.invoke(app, ["retention", "report", "--at", "31-12-2024"])
    assert result.exit_code == 1 and "YYYY-MM-DD" in result.output and "Traceback" not in result.output
