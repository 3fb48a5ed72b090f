"""Deliveries to Danmarks Statistik through the web layer (issue 20): the ledger in a real
database, the page, the API and the CLI. Synthetic CPR numbers only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from trappen.errors import InvalidInput
from trappen.exchange.dst import DeliveryInvalid, Period, check_xml

D = dt.date


@pytest.fixture
def ledger_scene(db, districts, make_user, make_child):
    from trappen.web.dst.services import custody_holder_register
    from trappen.web.register.models import Episode

    admin = make_user("dst_admin", "admin")
    children = [make_child("N", birth_date=D(2014, 5, 1 + i)) for i in range(3)]
    for i, child in enumerate(children):
        custody_holder_register(actor=admin, child_id=child.pk, cpr=f"0101{80 + i}-1234", start_date=D(2014, 5, 1))
    episodes = [
        Episode.objects.create(child=children[0], intervention_code="FAMILY_TREATMENT", step=3,
                               start_date=D(2025, 11, 1)),
        Episode.objects.create(child=children[1], intervention_code="CONTACT_PERSON", step=3,
                               start_date=D(2026, 1, 10), end_date=D(2026, 1, 21)),
        Episode.objects.create(child=children[2], intervention_code="FOSTER_GENERAL", step=5,
                               start_date=D(2025, 6, 1)),
    ]
    return {"admin": admin, "children": children, "episodes": episodes}


def test_build_accept_and_the_next_delivery_sends_only_the_delta(ledger_scene):
    from trappen.web.dst.models import Delivery
    from trappen.web.dst.services import dst_delivery_build, dst_delivery_decide, dst_delivery_file

    admin, (ep1, ep2, _ep3) = ledger_scene["admin"], ledger_scene["episodes"]
    jan = dst_delivery_build(actor=admin, statistic="L201", period=Period.parse("2026M01"))
    assert (jan.kind, jan.status, jan.counts["new"]) == ("initial", "built", 2)
    assert sorted(jan.records.values_list("measure_id", flat=True)) == [f"E{ep1.pk}", f"E{ep2.pk}"]
    name, xml = dst_delivery_file(actor=admin, delivery_id=jan.pk, endpoint="test")
    import hashlib

    assert hashlib.sha256(xml).hexdigest() == jan.sha256 and name == jan.file_name
    assert check_xml(xml, statistic="L201") == []
    # one delivery waits for DST's receipt at a time
    with pytest.raises(InvalidInput, match="waiting for DST's receipt"):
        dst_delivery_build(actor=admin, statistic="L201", period=Period.parse("2026M02"))
    dst_delivery_decide(actor=admin, delivery_id=jan.pk, accepted=True, note="kvittering 1")
    # nothing changed in February for the open measure: nothing to send
    with pytest.raises(InvalidInput, match="nothing changed"):
        dst_delivery_build(actor=admin, statistic="L201", period=Period.parse("2026M02"))
    ep1.end_date = D(2026, 2, 10)
    ep1.save()
    feb = dst_delivery_build(actor=admin, statistic="L201", period=Period.parse("2026M02"))
    assert list(feb.records.values_list("measure_id", "report_type", "end_date")) == [
        (f"E{ep1.pk}", "changed", D(2026, 2, 9))]
    dst_delivery_decide(actor=admin, delivery_id=feb.pk, accepted=True)
    # a January delivery now is a correction, and must say so
    with pytest.raises(InvalidInput, match="is a correction"):
        dst_delivery_build(actor=admin, statistic="L201", period=Period.parse("2026M01"))
    cancelled = f"E{ep2.pk}"
    ep2.delete()  # sets ep2.pk to None
    fix = dst_delivery_build(actor=admin, statistic="L201", period=Period.parse("2026M01"), correction=True)
    assert fix.kind == "correction"
    assert list(fix.records.values_list("measure_id", "report_type")) == [(cancelled, "cancelled")]
    assert Delivery.objects.count() == 3


def test_a_measure_without_a_code_is_refused_with_its_measure_id(ledger_scene):
    from trappen.web.dst.models import Delivery
    from trappen.web.dst.services import dst_delivery_build
    from trappen.web.register.models import Episode

    odd = Episode.objects.create(child=ledger_scene["children"][0], intervention_code="LOCAL_SPECIAL", step=3,
                                 start_date=D(2026, 1, 5))
    with pytest.raises(DeliveryInvalid) as exc:
        dst_delivery_build(actor=ledger_scene["admin"], statistic="L201", period=Period.parse("2026M01"))
    assert [(i.check, i.measure_id) for i in exc.value.report.errors] == [("no_paragraph_code", f"E{odd.pk}")]
    assert Delivery.objects.count() == 0


def test_a_missing_custody_holder_is_an_error_by_measure_id(db, districts, make_user, make_child):
    from trappen.web.dst.services import dst_delivery_prepare
    from trappen.web.register.models import Episode

    child = make_child("N")
    ep = Episode.objects.create(child=child, intervention_code="FAMILY_TREATMENT", step=3, start_date=D(2026, 1, 5))
    report = dst_delivery_prepare(statistic="L201", period=Period.parse("2026M01")).report
    assert [(i.check, i.measure_id) for i in report.errors] == [("custody_cpr_missing", f"E{ep.pk}")]


def test_only_the_administrator_builds_deliveries(ledger_scene, make_user):
    from django.core.exceptions import PermissionDenied

    from trappen.web.dst.services import dst_delivery_build

    with pytest.raises(PermissionDenied):
        dst_delivery_build(actor=make_user("ana", "analyst"), statistic="L201", period=Period.parse("2026M01"))


def test_the_page_validates_builds_and_records_the_receipt(ledger_scene):
    from trappen.web.audit.models import AuditEvent
    from trappen.web.dst.models import Delivery

    client = Client()
    client.force_login(ledger_scene["admin"])
    page = client.post("/dst/", {"statistic": "L201", "period": "2026M01", "validate": "1"})
    assert page.status_code == 200 and "dst-report" in page.content.decode()
    assert Delivery.objects.count() == 0
    built = client.post("/dst/", {"statistic": "L201", "period": "2026M01", "build": "1"})
    d = Delivery.objects.get()
    assert built.status_code == 302 and built["Location"] == f"/dst/{d.pk}/"
    detail = client.get(f"/dst/{d.pk}/").content.decode()
    assert d.sha256 in detail and "0101801234" not in detail  # no CPR number on screen
    before = AuditEvent.objects.count()
    download = client.get(f"/dst/{d.pk}/file/")
    assert download.status_code == 200 and download.content.startswith(b"<?xml")
    assert AuditEvent.objects.count() == before + 1
    client.post(f"/dst/{d.pk}/receipt/", {"decision": "accepted", "note": "ok"})
    d.refresh_from_db()
    assert d.status == "accepted"
    bad = client.post("/dst/", {"statistic": "L201", "period": "2026M13", "validate": "1"})
    assert bad.status_code == 422


def test_the_api_builds_and_names_failing_measures(ledger_scene):
    from trappen.web.api.services import token_create
    from trappen.web.register.models import Episode

    headers = {"Authorization": f"Bearer {token_create(username='dst_admin')}"}
    client = Client()
    body = json.dumps({"statistic": "L201", "period": "2026M01"})
    made = client.post("/api/v1/dst/deliveries", body, content_type="application/json", headers=headers)
    assert made.status_code == 201 and made.json()["counts"]["new"] == 2
    listed = client.get("/api/v1/dst/deliveries", headers=headers).json()
    assert [d["id"] for d in listed] == [made.json()["id"]]
    odd = Episode.objects.create(child=ledger_scene["children"][0], intervention_code="LOCAL_SPECIAL", step=3,
                                 start_date=D(2026, 1, 5))
    check = client.post("/api/v1/dst/deliveries/validate", body, content_type="application/json", headers=headers)
    assert check.status_code == 200 and not check.json()["ok"]
    assert {i["measure_id"] for i in check.json()["issues"] if i["severity"] == "error"} == {f"E{odd.pk}"}


def test_the_cli_validates_builds_and_lists(ledger_scene, capsys):
    from typer.testing import CliRunner

    from trappen.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["dst", "validate", "--period", "2026M01"])
    assert ok.exit_code == 0, ok.output
    assert "records: new 2, changed 0, cancelled 0" in ok.output and "valid" in ok.output
    built = runner.invoke(app, ["dst", "build", "--period", "2026M01", "--user", "dst_admin"])
    assert built.exit_code == 0 and "Delivery" in built.output and "sha256" in built.output
    listed = runner.invoke(app, ["dst", "list"])
    assert "L201  2026M01" in listed.output and "initial" in listed.output
    refused = runner.invoke(app, ["dst", "validate", "--period", "never"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output


def test_the_pages_speak_danish_with_words_not_codes(ledger_scene):
    import re

    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(ledger_scene["admin"])
    page = client.post("/dst/", {"statistic": "L201", "period": "2026M01", "validate": "1"}).content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    assert "Valideringsrapport" in text and "Poster til indberetning" in text
    assert not {"in_period", "new:", "placement", "code_unverified", "Validation report"} & set(text.split())
    client.post("/dst/", {"statistic": "L201", "period": "2026M01", "build": "1"})
    listed = re.sub(r"<[^>]+>", " ", client.get("/dst/").content.decode())
    assert "Første indberetning" in listed and "Afventer kvittering" in listed
    assert "Indsatser og støtte til udsatte børn og unge" in listed and " built " not in listed
    again = client.post("/dst/", {"statistic": "L201", "period": "2026M02", "build": "1"})
    assert again.status_code == 422 and "venter på Danmarks Statistiks kvittering" in again.content.decode()


def test_the_demo_gets_synthetic_custody_holders(ledger_scene):
    from trappen.privacy.cpr import parse_cpr
    from trappen.web.dst.models import CustodyHolder
    from trappen.web.dst.selectors import dst_identities
    from trappen.web.dst.services import custody_holders_demo_create

    ids = [c.pk for c in ledger_scene["children"]]
    assert custody_holders_demo_create() == CustodyHolder.objects.count() >= len(ids)
    holders = dst_identities(ids)["custody_cpr"].to_list()
    assert all(parse_cpr(cpr) == cpr for cpr in holders)
