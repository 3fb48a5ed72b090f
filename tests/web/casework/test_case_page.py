"""The child's case page (#15 item 3): timeline and casework on one page, in the order a
caseworker reads it; confirmations after saving; the step-up justification visible; a step-up
that ends the running intervention in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trappen.web.audit.models import AuditEvent
from trappen.web.register import models as m

TODAY = timezone.localdate()
REASONS = {3: "Familiebehandling er prøvet i et halvt år uden virkning.",
           4: "Netværket kan ikke tage barnet i pleje."}


@pytest.fixture
def cw(client, scene):
    client.force_login(scene["user"])
    return client


@pytest.fixture
def running(scene):
    """A home-based intervention running since 200 days ago (step 3)."""
    return m.Episode.objects.create(child=scene["mine"], intervention_code="FAMILY_TREATMENT", step=3,
                                    start_date=TODAY - dt.timedelta(days=200))


def _start(cw, child, **extra):
    data = {"intervention_code": "FOSTER_GENERAL", "step": "5", "start_date": TODAY.isoformat(),
            "planned_end": "", "provider": "", "price": ""}
    data |= {f"reason_{s}": why for s, why in REASONS.items()} | extra
    return cw.post(f"/children/{child.pk}/interventions/new/", data, follow=True)


def test_casework_url_leads_to_the_case_page_and_keeps_its_scope(cw, scene):
    child = scene["mine"]
    response = cw.get(f"/children/{child.pk}/casework/")
    assert response.status_code == 302 and response["Location"] == f"/children/{child.pk}/"
    assert cw.get(f"/children/{scene['outside'].pk}/casework/").status_code == 404
    assert AuditEvent.objects.filter(child_id=scene["outside"].pk, purpose__startswith="refused").exists()


def test_case_page_reads_top_down_step_goals_deadlines_timeline_records(cw, scene, running):
    child = scene["mine"]
    m.Plan.objects.create(child=child, episode=running, made_on=TODAY - dt.timedelta(days=10),
                          goals=["Går i skole hver dag"])
    m.Notification.objects.create(child=child, received_at=timezone.now() - dt.timedelta(hours=2),
                                  notifier_kind="school", concern="Barnet kommer sultent i skole.")
    body = cw.get(f"/children/{child.pk}/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    order = ['id="current-step"', "Hjemmebaserede foranstaltninger", "Går i skole hver dag", 'id="child-deadlines"',
             'id="step-legend"', 'id="notifications"', "Barnet kommer sultent i skole.", 'id="investigations"',
             'id="episodes"', 'id="follow-ups"', 'id="casework-timeline"']
    positions = [body.index(marker) for marker in order]
    assert positions == sorted(positions)
    # the step timeline names every step; the casework actions are on the same page
    assert "Anbringelse på institution" in body and 'id="new-notification"' in body


def test_starting_and_ending_an_intervention_confirms_and_shows_the_justification(cw, scene, approvals_off):
    child = scene["mine"]
    m.Episode.objects.create(child=child, intervention_code="FAMILY_TREATMENT", step=3,
                             start_date=TODAY - dt.timedelta(days=200), end_date=TODAY - dt.timedelta(days=1),
                             end_reason="goal_reached")
    body = _start(cw, child, **{"reason_1": "Trin 1 er prøvet i dagtilbuddet.",
                                "reason_2": "Forebyggende støtte rakte ikke."}).content.decode()
    assert 'id="messages"' in body and "Almen plejefamilie er startet." in body
    for why in REASONS.values():  # the step-up justification, visible after saving
        assert why in body
    episode = m.Episode.objects.get(intervention_code="FOSTER_GENERAL")
    ended = cw.post(f"/episodes/{episode.pk}/end/", {"end_date": (TODAY + dt.timedelta(days=1)).isoformat(),
                                                     "end_reason": "planned_end", "version": "0"}, follow=True)
    assert "Almen plejefamilie er afsluttet." in ended.content.decode()


def test_a_step_up_can_end_the_running_intervention_on_the_start_date(cw, scene, running, approvals_off):
    child = scene["mine"]
    form = cw.get(f"/children/{child.pk}/interventions/new/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Afslut den nuværende indsats Familiebehandling (trin 3) på startdatoen" in form
    body = _start(cw, child, end_current="on", current_version="0").content.decode()
    running.refresh_from_db()
    assert (running.end_date, running.end_reason) == (TODAY, "moved_up")
    assert m.Episode.objects.filter(child=child, step=5, end_date=None).count() == 1
    assert "Familiebehandling er afsluttet" in body
    # through the two services: one audited write each
    assert AuditEvent.objects.filter(child_id=child.pk, endpoint="intervention_end").count() == 1
    assert AuditEvent.objects.filter(child_id=child.pk, endpoint="intervention_start").count() == 1


def test_a_step_up_is_all_or_nothing(cw, scene, running):
    child = scene["mine"]
    # the running intervention changed since the form was opened: the end is refused, so the
    # new intervention is not started either
    m.Episode.objects.filter(pk=running.pk).update(version=1)
    _start(cw, child, end_current="on", current_version="0")
    assert not m.Episode.objects.filter(child=child, step=5).exists()
    running.refresh_from_db()
    assert running.end_date is None
    # not a step up: nothing ends, nothing starts, the form says why
    body = cw.post(f"/children/{child.pk}/interventions/new/",
                   {"intervention_code": "FAMILY_COUNSELLING", "step": "2", "start_date": TODAY.isoformat(),
                    "end_current": "on", "current_version": "1"}).content.decode()
    assert "only an intervention on a step above 3 ends the current one" in body
    assert m.Episode.objects.filter(child=child).count() == 1


def test_a_casework_form_confirms_on_the_case_page(cw, scene):
    child = scene["mine"]
    received = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    response = cw.post(f"/children/{child.pk}/notifications/new/",
                       {"received_at": received.strftime("%Y-%m-%dT%H:%M"), "notifier_kind": "police"},
                       follow=True, HTTP_ACCEPT_LANGUAGE="da")
    assert response.redirect_chain[-1][0] == f"/children/{child.pk}/"
    body = response.content.decode()
    assert 'id="messages"' in body and "Politiet" in body


def test_staircase_refusals_in_danish_with_the_intervention_name(cw, scene):
    """The core's refusals name the code in English; the form says it in the user's language."""
    child = scene["mine"]
    data = {"intervention_code": "FOSTER_GENERAL", "step": "5", "start_date": TODAY.isoformat()}
    body = cw.post(f"/children/{child.pk}/interventions/new/", data, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Et skift op til trin 5 kræver en begrundelse" in body
    assert body.count("Skriv, hvorfor trin") == 4 and "moving up to step" not in body
    body = cw.post(f"/children/{child.pk}/interventions/new/", data | {"step": "3"},
                   HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Almen plejefamilie er kun en indsats på trin 5." in body and "FOSTER_GENERAL may be" not in body
    assert not m.Episode.objects.exists()


def test_case_page_names_a_step_with_no_free_place_in_words_and_links_the_collaboration(cw, scene):
    """Walk of #16/#17: the step-up reason "no free place" showed as the stored English marker,
    and the case page had no way to the child's collaboration page (meetings, consents)."""
    from trappen.offers import NO_FREE_PLACE_REASON

    child = scene["mine"]
    m.Episode.objects.create(child=child, intervention_code="FOSTER_GENERAL", step=5, start_date=TODAY,
                             justification={"3": REASONS[3], "4": f"{NO_FREE_PLACE_REASON}: venteliste i 3 mdr."})
    body = cw.get(f"/children/{child.pk}/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert NO_FREE_PLACE_REASON not in body
    assert "Ikke muligt: ingen ledig plads: venteliste i 3 mdr." in body and REASONS[3] in body
    assert f'href="/collaboration/children/{child.pk}/" id="collaboration"' in body
    assert cw.get(f"/collaboration/children/{child.pk}/").status_code == 200
