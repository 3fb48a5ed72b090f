"""The duty-to-notify form: a partner notifies about any child by CPR number, learns nothing about
children not linked to them, and sees only receipts of what they sent."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from trappen.web.register import models as m

KNOWN_CPR = "010315-4321"  # 7th digit 4: born 2015
NEW_CPR = "150612-4482"  # born 2012-06-15, last digit even: a girl


@pytest.fixture
def partner(make_user, districts):
    return make_user("skole", "partner", ["S"])


@pytest.fixture
def known_child(districts):
    from trappen.web.register.crypto import cpr_cipher

    cipher = cpr_cipher()
    return m.Child.objects.create(name="Kendt Barn", birth_date=dt.date(2015, 3, 1), sex="M", district_id="N",
                                  entry_date=dt.date(2015, 3, 1), cpr_encrypted=cipher.encrypt(KNOWN_CPR),
                                  cpr_lookup=cipher.lookup_hash(KNOWN_CPR))


def _send(client, cpr: str, name: str = "Et Barn", concern: str = "Kommer ofte sulten i skole."):
    return client.post("/notify/", {"cpr": cpr, "name": name, "notifier_kind": "school", "concern": concern})


def test_partner_notifies_about_a_child_not_linked_to_them(client, partner, known_child):
    client.force_login(partner)
    form = client.get("/notify/").content.decode()
    assert "Send en underretning" in form and "Barnets CPR-nummer" in form  # Danish by default
    response = _send(client, KNOWN_CPR)
    assert response.status_code == 302 and response["Location"].endswith("/notify/sent/")
    n = m.Notification.objects.get()
    assert (n.child_id, n.submitted_by_id, n.notifier_kind) == (known_child.pk, partner.pk, "school")
    assert n.concern == "Kommer ofte sulten i skole." and n.assessed_at is None
    assert m.Child.objects.count() == 1  # found by CPR, not registered again
    # the partner still cannot open the child: not linked
    assert client.get(f"/children/{known_child.pk}/").status_code == 404


def test_an_unknown_child_is_registered_from_the_cpr_number(client, partner, districts):
    client.force_login(partner)
    assert _send(client, NEW_CPR, name="Nyt Barn").status_code == 302
    child = m.Child.objects.get()
    assert (child.name, child.birth_date, child.sex, child.district_id) == ("Nyt Barn", dt.date(2012, 6, 15), "F", "S")
    assert [r.district_id for r in child.residences.all()] == ["S"]
    assert m.Notification.objects.get().child_id == child.pk


def test_the_answer_does_not_tell_whether_the_child_was_known(client, partner, known_child):
    """Known or not, the partner gets the same kind of receipt: a number and a time, never the
    child's name, id or CPR number."""
    client.force_login(partner)
    pages = [client.get(_send(client, cpr, name="Skrevet Navn")["Location"]).content.decode()
             for cpr in (KNOWN_CPR, NEW_CPR)]
    new_child = m.Child.objects.exclude(pk=known_child.pk).get()
    for page in pages:
        table = page.split('id="notifications-sent"')[1].split("</table>")[0]
        for secret in ("Kendt Barn", "Skrevet Navn", KNOWN_CPR, NEW_CPR, f"/children/{known_child.pk}/",
                       f"/children/{new_child.pk}/"):
            assert secret not in page
        assert table.count("<tr><td>") == pages.index(page) + 1  # one receipt row per notification sent


def test_bad_input_is_named_and_nothing_is_written(client, partner, districts):
    client.force_login(partner)
    bad = _send(client, "311399-1234")  # no such date
    assert bad.status_code == 422 and "311399-1234" not in bad.content.decode()
    adult = _send(client, "010190-1234")  # born 1990: not a child
    assert adult.status_code == 422 and "18" in adult.content.decode()
    empty = _send(client, NEW_CPR, concern="   ")
    assert empty.status_code == 422
    assert m.Notification.objects.count() == 0 and m.Child.objects.count() == 0


def test_another_partner_does_not_see_the_receipt(client, partner, known_child, make_user):
    client.force_login(partner)
    _send(client, KNOWN_CPR)
    n = m.Notification.objects.get()
    assert f"<td>{n.pk}</td>" in client.get("/notify/sent/").content.decode()
    client.force_login(make_user("skole2", "partner", ["S"]))
    assert f"<td>{n.pk}</td>" not in client.get("/notify/sent/").content.decode()


def test_api_receipt_carries_no_child(client, partner, known_child):
    from trappen.web.api.services import token_create

    token = token_create(username=partner.username)
    response = client.post("/api/v1/notifications/by-cpr", json.dumps(
        {"cpr": KNOWN_CPR, "name": "x", "notifier_kind": "daycare", "concern": "Blå mærker."}),
        content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "received_at", "notifier_kind", "assess_by"}
    n = m.Notification.objects.get(pk=body["id"])
    assert n.child_id == known_child.pk and n.submitted_by_id == partner.pk
    bad = client.post("/api/v1/notifications/by-cpr", json.dumps(
        {"cpr": "123", "name": "x", "notifier_kind": "daycare", "concern": "y"}),
        content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422 and "123" not in bad.content.decode().replace('"cpr"', "")


def test_the_caseworker_reads_the_concern_when_assessing(client, partner, known_child, make_user):
    client.force_login(partner)
    _send(client, KNOWN_CPR, concern="Har fortalt om vold derhjemme.")
    n = m.Notification.objects.get()
    client.force_login(make_user("cw", "caseworker", ["N"]))
    first = client.get(f"/notifications/{n.pk}/assess/")  # not their own case: a purpose first
    assert first.status_code == 302 and "/purpose/" in first["Location"]
    client.post(f"/security/children/{known_child.pk}/purpose/", {"purpose": "colleague_cover"})
    page = client.get(f"/notifications/{n.pk}/assess/").content.decode()
    assert "Har fortalt om vold derhjemme." in page


def test_overlong_and_control_characters_are_refused(client, partner, districts):
    client.force_login(partner)
    assert _send(client, NEW_CPR, name="x" * 201).status_code == 422
    assert _send(client, NEW_CPR, concern="a\x00b").status_code == 422
    assert m.Notification.objects.count() == 0 and m.Child.objects.count() == 0
