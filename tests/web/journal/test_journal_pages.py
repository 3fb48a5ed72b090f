"""The case journal and decisions (#15 item 3): who may read and write them (case_notes in
permissions.toml), corrections as new versions, closed cases read-only, audited reads and
writes with ids only, no note text in logs, decisions refused without grounds, and the
klagevejledning with its deadline, in Danish and English."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.test import Client
from django.utils import timezone

from trappen.web.audit.models import AuditEvent
from trappen.web.journal import services as svc
from trappen.web.journal.models import Decision, JournalNote, JournalNoteVersion
from trappen.web.register import models as m

TODAY = timezone.localdate()
SECRET = "Mor fortalte om uro i hjemmet (syntetisk notat 7Q)."
GROUNDS = "Familien har behov for støtte i hjemmet; lavere trin er prøvet (syntetisk begrundelse 9Z)."


def _client(user, language: str = "da") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _purpose(client: Client, child: m.Child, code: str) -> None:
    client.post(f"/security/children/{child.pk}/purpose/", {"purpose": code})


def _note_post(client: Client, child: m.Child, text: str = SECRET, **extra):
    data = {"noted_on": TODAY.isoformat(), "kind": "phone", "text": text} | extra
    return client.post(f"/children/{child.pk}/journal/new/", data, follow=True)


def _decision_post(client: Client, child: m.Child, grounds: str = GROUNDS, **extra):
    data = {"kind": "grant", "episode": "", "decided_on": TODAY.isoformat(), "legal_basis": "BL_32",
            "grounds": grounds} | extra
    return client.post(f"/children/{child.pk}/decisions/new/", data, follow=True)


@pytest.fixture
def others(make_user):
    return {role: make_user(f"j_{role}", role) for role in ("partner", "analyst", "economist", "admin")}


def test_caseworker_writes_a_note_and_the_case_page_shows_it_after_deadlines(scene):
    cw, child = _client(scene["user"]), scene["mine"]
    response = _note_post(cw, child)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/children/{child.pk}/"
    assert "Journalnotat gemt." in body  # the confirmation (django messages), in Danish
    assert SECRET in body and "Telefon" in body  # the kind's label, never the code
    assert body.index('id="child-deadlines"') < body.index('id="journal"') < body.index('id="decisions"') \
        < body.index('id="step-legend"')
    note = JournalNote.objects.get()
    assert (note.author, note.version, note.kind) == (scene["user"], 1, "phone")


def test_the_case_page_shows_the_latest_ten_notes_latest_first_with_a_link_to_all(scene):
    child = scene["mine"]
    for day in range(12):
        svc.journal_note_add(actor=scene["user"], child=child, noted_on=TODAY - dt.timedelta(days=day),
                             text=f"Notat nummer {day:02d}")
    body = _client(scene["user"]).get(f"/children/{child.pk}/").content.decode()
    assert "Notat nummer 00" in body and "Notat nummer 09" in body and "Notat nummer 10" not in body
    assert body.index("Notat nummer 00") < body.index("Notat nummer 01")
    assert f'href="/children/{child.pk}/journal/"' in body
    whole = _client(scene["user"]).get(f"/children/{child.pk}/journal/").content.decode()
    assert "Notat nummer 11" in whole


def test_a_colleague_reads_with_a_purpose_but_cannot_write(scene, make_user):
    child = scene["mine"]
    svc.journal_note_add(actor=scene["user"], child=child, noted_on=TODAY, text=SECRET)
    colleague = _client(m.Caseworker.objects.get(pk=scene["other_post"].pk).user)
    assert "/purpose/" in colleague.get(f"/children/{child.pk}/journal/")["Location"]
    _purpose(colleague, child, "colleague_cover")
    assert SECRET in colleague.get(f"/children/{child.pk}/journal/").content.decode()
    assert colleague.get(f"/children/{child.pk}/journal/new/").status_code == 403
    assert _note_post(colleague, child, text="Forsøg").status_code == 403
    assert _decision_post(colleague, child).status_code == 403
    assert JournalNote.objects.count() == 1 and not Decision.objects.exists()
    page = colleague.get(f"/children/{child.pk}/").content.decode()
    assert SECRET in page and 'id="new-journal-note"' not in page and 'id="new-decision"' not in page


def test_team_leader_reads_the_team_journal_and_never_writes(scene):
    child = scene["mine"]
    note = svc.journal_note_add(actor=scene["user"], child=child, noted_on=TODAY, text=SECRET)
    leader = _client(scene["leader"])
    _purpose(leader, child, "team_leader_review")
    assert SECRET in leader.get(f"/children/{child.pk}/journal/").content.decode()
    assert SECRET in leader.get(f"/children/{child.pk}/").content.decode()
    assert leader.get(f"/children/{child.pk}/journal/new/").status_code == 403
    assert leader.post(f"/journal/notes/{note.pk}/correct/", {"noted_on": TODAY.isoformat(), "text": "x",
                                                              "version": "1"}).status_code == 403
    assert _decision_post(leader, child).status_code == 403


def test_outside_the_district_is_404_and_audited(scene):
    outside = scene["outside"]
    cw = _client(scene["user"])
    assert cw.get(f"/children/{outside.pk}/journal/").status_code == 404
    assert _note_post(cw, outside).status_code == 404
    assert AuditEvent.objects.filter(child_id=outside.pk, purpose__startswith="refused").exists()


@pytest.mark.parametrize("role", ["partner", "analyst", "economist", "admin"])
def test_partners_analysts_economists_and_the_admin_never_see_notes_or_decisions(scene, others, role):
    child = scene["mine"]
    note = svc.journal_note_add(actor=scene["user"], child=child, noted_on=TODAY, text=SECRET)
    decision = svc.decision_record(actor=scene["user"], child=child, kind="grant", decided_on=TODAY,
                                   grounds=GROUNDS, legal_basis="BL_32")
    user = others[role]
    if role == "partner":
        user.linked_children.set([child])
    client = _client(user)
    for url in (f"/children/{child.pk}/journal/", f"/children/{child.pk}/journal/new/",
                f"/journal/notes/{note.pk}/correct/", f"/children/{child.pk}/decisions/new/",
                f"/decisions/{decision.pk}/"):
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert SECRET not in response.content.decode() and GROUNDS not in response.content.decode()
    page = client.get(f"/children/{child.pk}/")
    assert page.status_code == (200 if role == "partner" else 404)
    assert SECRET not in page.content.decode() and GROUNDS not in page.content.decode()
    assert _note_post(client, child).status_code == 403
    assert JournalNote.objects.count() == 1 and Decision.objects.count() == 1


def test_a_correction_is_a_new_version_and_keeps_the_old(scene):
    child, cw = scene["mine"], _client(scene["user"])
    note = svc.journal_note_add(actor=scene["user"], child=child, noted_on=TODAY, text=SECRET, kind="meeting")
    form = cw.get(f"/journal/notes/{note.pk}/correct/").content.decode()
    assert SECRET in form
    response = cw.post(f"/journal/notes/{note.pk}/correct/", {"noted_on": TODAY.isoformat(), "kind": "meeting",
                                                             "text": "Rettet: mødet var med skolen.",
                                                             "version": "1"}, follow=True)
    assert "Journalnotat rettet; den tidligere version er gemt." in response.content.decode()
    note.refresh_from_db()
    assert (note.version, note.text) == (2, "Rettet: mødet var med skolen.")
    old = JournalNoteVersion.objects.get(note=note)
    assert (old.version, old.text, old.kind, old.author) == (1, SECRET, "meeting", scene["user"])
    page = cw.get(f"/children/{child.pk}/journal/").content.decode()
    assert "Rettet: mødet var med skolen." in page and SECRET in page  # the old version is shown too
    stale = cw.post(f"/journal/notes/{note.pk}/correct/", {"noted_on": TODAY.isoformat(), "kind": "",
                                                          "text": "Forældet rettelse", "version": "1"})
    assert stale.status_code == 200 and 'id="conflict"' in stale.content.decode()
    assert JournalNote.objects.get().text == "Rettet: mødet var med skolen." and JournalNoteVersion.objects.count() == 1


def test_a_closed_case_has_a_read_only_journal(scene):
    from trappen.web.casework.services import case_close

    child, cw = scene["mine"], _client(scene["user"])
    note = svc.journal_note_add(actor=scene["user"], child=child, noted_on=TODAY, text=SECRET)
    case_close(actor=scene["user"], child=child, reason="Sagen er afsluttet.")
    page = cw.get(f"/children/{child.pk}/").content.decode()
    assert SECRET in page and 'id="new-journal-note"' not in page and "correct-note" not in page
    assert 'id="new-decision"' not in page
    refused = _note_post(cw, child, text="Efter lukning")
    assert refused.status_code == 200 and "read-only" in refused.content.decode()
    corrected = cw.post(f"/journal/notes/{note.pk}/correct/", {"noted_on": TODAY.isoformat(), "kind": "",
                                                              "text": "Rettelse efter lukning", "version": "1"})
    assert corrected.status_code == 200 and "read-only" in corrected.content.decode()
    assert _decision_post(cw, child).status_code == 200
    assert JournalNote.objects.get().text == SECRET and not JournalNoteVersion.objects.exists()
    assert not Decision.objects.exists()


def test_reads_and_writes_are_audited_with_ids_only(scene):
    child, cw = scene["mine"], _client(scene["user"])
    _note_post(cw, child)
    note = JournalNote.objects.get()
    writes = AuditEvent.objects.filter(child_id=child.pk, action="write", endpoint="journal_note_add")
    assert [e.purpose for e in writes] == [f"journal note {note.pk}"]
    before = AuditEvent.objects.filter(child_id=child.pk, action="read", endpoint__endswith="#journal").count()
    cw.get(f"/children/{child.pk}/journal/")
    cw.get(f"/children/{child.pk}/")
    reads = AuditEvent.objects.filter(child_id=child.pk, action="read", endpoint__endswith="#journal")
    assert reads.count() == before + 2 and {e.purpose for e in reads} == {"own_case"}
    cw.post(f"/journal/notes/{note.pk}/correct/", {"noted_on": TODAY.isoformat(), "kind": "",
                                                  "text": "Ny tekst", "version": "1"})
    _decision_post(cw, child)
    decision = Decision.objects.get()
    cw.get(f"/decisions/{decision.pk}/")
    assert AuditEvent.objects.filter(endpoint="journal_note_correct",
                                     purpose=f"journal note {note.pk} version 2").exists()
    assert AuditEvent.objects.filter(endpoint="decision_record", purpose__startswith=f"decision {decision.pk}").exists()
    assert AuditEvent.objects.filter(endpoint=f"/decisions/{decision.pk}/#decision-{decision.pk}").exists()
    for event in AuditEvent.objects.all():
        for text in (SECRET, "Ny tekst", GROUNDS):
            assert text not in event.purpose and text not in event.endpoint


def test_no_note_text_or_grounds_in_logs(scene, caplog):
    child, cw = scene["mine"], _client(scene["user"])
    with caplog.at_level(logging.DEBUG):
        _note_post(cw, child)
        _note_post(cw, child, text="")  # a refusal
        note = JournalNote.objects.get()
        cw.post(f"/journal/notes/{note.pk}/correct/", {"noted_on": TODAY.isoformat(), "kind": "",
                                                      "text": SECRET + " rettet", "version": "1"})
        _decision_post(cw, child)
        cw.get(f"/children/{child.pk}/journal/")
        cw.get(f"/decisions/{Decision.objects.get().pk}/")
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records)
    assert SECRET not in logged and GROUNDS not in logged


def test_a_decision_without_grounds_is_refused_on_the_grounds_field(scene):
    child, cw = scene["mine"], _client(scene["user"])
    response = _decision_post(cw, child, grounds="   ")
    assert response.status_code == 200 and not response.redirect_chain
    form = response.context["form"]
    assert form.errors["grounds"] == ["Skriv begrundelsen: en afgørelse kan ikke gemmes uden."]
    assert not Decision.objects.exists()
    wrong = _decision_post(cw, child, legal_basis="BL_999")
    assert "BL_999" in wrong.content.decode() and not Decision.objects.exists()


def test_a_decision_on_another_childs_intervention_is_refused(scene):
    child = scene["mine"]
    other = m.Episode.objects.create(child=scene["outside"], intervention_code="FAMILY_TREATMENT", step=3,
                                     start_date=TODAY - dt.timedelta(days=5))
    from trappen.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        svc.decision_record(actor=scene["user"], child=child, kind="grant", decided_on=TODAY, grounds=GROUNDS,
                            legal_basis="BL_32", episode=other)
    assert err.value.problems[0].field == "episode" and err.value.problems[0].value == other.pk


def test_the_decision_page_shows_grounds_and_the_klagevejledning_with_its_deadline(scene):
    child, cw = scene["mine"], _client(scene["user"])
    episode = m.Episode.objects.create(child=child, intervention_code="FAMILY_TREATMENT", step=3,
                                       start_date=TODAY - dt.timedelta(days=5))
    response = _decision_post(cw, child, episode=str(episode.pk))
    body = response.content.decode()
    decision = Decision.objects.get()
    assert response.redirect_chain[-1][0] == f"/decisions/{decision.pk}/"
    assert decision.episode == episode and decision.legal_basis_section == "Barnets Lov § 32"
    assert "Afgørelse registreret med klagevejledning." in body
    assert GROUNDS in body and "Begrundelse" in body and "Klagevejledning" in body
    assert "Klagefristen er 4 uger" in body and "Ankestyrelsen" in body and "Barnets Lov § 32" in body
    assert "Bevilling af foranstaltning" in body and "grant" not in body.split('id="decision"')[1].split("</dl>")[0]
    english = _client(scene["user"], "en").get(f"/decisions/{decision.pk}/").content.decode()
    assert "Complaint deadline: 4 weeks" in english and "Grounds" in english and GROUNDS in english
    page = cw.get(f"/children/{child.pk}/").content.decode()
    assert f'href="/decisions/{decision.pk}/"' in page and "Bevilling af foranstaltning" in page


@pytest.mark.parametrize(("language", "words"), [
    ("da", ["Journal", "Afgørelser", "Skriv et journalnotat", "Registrér en afgørelse"]),
    ("en", ["Journal", "Decisions", "Write a journal note", "Record a decision"]),
])
def test_the_sections_and_forms_render_in_both_languages(scene, language, words):
    child, cw = scene["mine"], _client(scene["user"], language)
    page = cw.get(f"/children/{child.pk}/").content.decode()
    for word in words:
        assert word in page, word
    for url in (f"/children/{child.pk}/journal/", f"/children/{child.pk}/journal/new/",
                f"/children/{child.pk}/decisions/new/"):
        assert cw.get(url).status_code == 200
    form = cw.get(f"/children/{child.pk}/decisions/new/").content.decode()
    assert ("Begrundelse" if language == "da" else "Grounds") in form
    assert ("Bevilling af foranstaltning" if language == "da" else "Grant of a measure") in form


def test_the_register_loader_clears_journal_rows_with_the_register(scene):
    from trappen.web.register.services import _outside_references

    found = {(model.__name__, field) for model, field in _outside_references()}
    assert {("JournalNote", None), ("Decision", None), ("Decision", "episode")} <= found


def test_note_text_and_grounds_are_escaped(scene):
    child, cw = scene["mine"], _client(scene["user"])
    payload = '<script>alert("x")</script>'
    svc.journal_note_add(actor=scene["user"], child=child, noted_on=TODAY, text=payload)
    decision = svc.decision_record(actor=scene["user"], child=child, kind="refusal", decided_on=TODAY,
                                   grounds=payload, legal_basis="BL_20")
    for url in (f"/children/{child.pk}/", f"/children/{child.pk}/journal/", f"/decisions/{decision.pk}/"):
        body = cw.get(url).content.decode()
        assert payload not in body and "&lt;script&gt;" in body, url
