"""The register's lifecycle on one child: corrections are new versions (the old one kept and
shown), a closed case is read-only until a logged reopening, and a placement breakdown ends
its placement through the one service that ends episodes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from trappen.errors import CaseClosed, InvalidInput
from trappen.web import rules
from trappen.web.audit.models import AuditEvent
from trappen.web.casework import services as svc
from trappen.web.register import models as m
from trappen.web.register.selectors import register_snapshot
from trappen.web.register.services import intervention_end, intervention_start

TODAY = dt.date(2026, 3, 10)


def test_plan_correction_is_a_new_version_and_the_old_one_is_kept(scene):
    user, child = scene["user"], scene["mine"]
    plan = svc.plan_record(actor=user, child=child, made_on=dt.date(2025, 1, 1), goals=["Trives"], today=TODAY)
    svc.plan_update(actor=user, plan=plan, made_on=dt.date(2025, 2, 1), goals=["Trives", "Sover"], version=0,
                    today=TODAY)
    svc.plan_update(actor=user, plan=plan, made_on=dt.date(2025, 2, 1), goals=["Går i skole"], version=1,
                    today=TODAY)
    plan.refresh_from_db()
    assert (plan.goals, plan.version) == (["Går i skole"], 2)  # the current version, what pages use
    history = list(plan.revisions.order_by("version").values_list("version", "made_on", "goals"))
    assert history == [(0, dt.date(2025, 1, 1), ["Trives"]), (1, dt.date(2025, 2, 1), ["Trives", "Sover"])]
    assert m.Plan.objects.count() == 1  # one plan in the analytic register, not one per version


def test_plan_page_shows_the_history(scene):
    client = Client()
    client.force_login(scene["user"])
    child = scene["mine"]
    plan = svc.plan_record(actor=scene["user"], child=child, made_on=dt.date(2025, 1, 1), goals=["Trives"])
    svc.plan_update(actor=scene["user"], plan=plan, made_on=dt.date(2025, 1, 1), goals=["Sover"], version=0)
    body = client.get(f"/children/{child.pk}/plan/").content.decode()
    assert 'id="history"' in body and "Trives" in body
    assert 'class="plan_revision"' in client.get(f"/children/{child.pk}/").content.decode()


def test_assessment_correction_keeps_the_old_assessment(scene):
    user, child = scene["user"], scene["mine"]
    now = timezone.now()
    n = svc.notification_register(actor=user, child=child, received_at=now - dt.timedelta(hours=5),
                                  notifier_kind="school")
    svc.notification_assess(actor=user, notification=n, assessed_at=now - dt.timedelta(hours=4),
                            outcome="no_action", version=0)
    with pytest.raises(InvalidInput, match="already assessed"):
        svc.notification_assess(actor=user, notification=n, assessed_at=now, outcome="investigation")
    svc.notification_assessment_correct(actor=user, notification=n, assessed_at=now - dt.timedelta(hours=4),
                                        outcome="investigation", version=1)
    n.refresh_from_db()
    assert (n.outcome, n.version) == ("investigation", 2)
    old = n.assessment_revisions.get()
    assert (old.version, old.outcome) == (1, "no_action")
    snapshot = register_snapshot().notifications
    assert snapshot.filter(snapshot["notification_id"] == n.pk)["outcome"].to_list() == ["investigation"]


def test_assessment_page_corrects_an_assessed_notification(scene):
    client = Client()
    client.force_login(scene["user"])
    now = timezone.now()
    n = m.Notification.objects.create(child=scene["mine"], received_at=now - dt.timedelta(hours=5),
                                      notifier_kind="school", assessed_at=now - dt.timedelta(hours=4),
                                      outcome="no_action", version=1)
    url = f"/notifications/{n.pk}/assess/"
    at = timezone.localtime(now - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"assessed_at": at, "outcome": "investigation", "version": "1"}).status_code == 302
    n.refresh_from_db()
    assert n.outcome == "investigation" and n.assessment_revisions.get().outcome == "no_action"


def _every_write(user, child, episode, notification, plan, caseworker_id):
    today = timezone.localdate()
    now = timezone.now()
    return {
        "notification_register": lambda: svc.notification_register(
            actor=user, child=child, received_at=now - dt.timedelta(hours=1), notifier_kind="school"),
        "notification_assess": lambda: svc.notification_assess(
            actor=user, notification=notification, assessed_at=now, outcome="no_action"),
        "investigation_open": lambda: svc.investigation_open(actor=user, child=child, started_on=today),
        "follow_up_record": lambda: svc.follow_up_record(actor=user, episode=episode, held_on=today),
        "supervision_visit_record": lambda: svc.supervision_visit_record(actor=user, episode=episode,
                                                                         visited_on=today),
        "placement_breakdown": lambda: svc.placement_breakdown(actor=user, episode=episode, end_date=today,
                                                               reason="Brud"),
        "intervention_end": lambda: intervention_end(actor=user, episode=episode, end_date=today,
                                                     end_reason="goal_reached"),
        "intervention_start": lambda: intervention_start(actor=user, child=child, intervention_code="daycare",
                                                         step=1, start_date=today),
        "child_conversation_record": lambda: svc.child_conversation_record(actor=user, child=child,
                                                                           held_on=today, kind="alone"),
        "plan_record": lambda: svc.plan_record(actor=user, child=child, made_on=today, goals=["A"]),
        "plan_update": lambda: svc.plan_update(actor=user, plan=plan, made_on=today, goals=["B"], version=0),
        "complaint_record": lambda: svc.complaint_record(actor=user, child=child, received_on=today),
        "child_reassign": lambda: svc.child_reassign(actor=user, child=child, caseworker_id=caseworker_id,
                                                     on=today),
    }


def test_a_closed_case_is_read_only_until_a_logged_reopening(scene):
    user, leader, child = scene["user"], scene["leader"], scene["mine"]
    step = rules.staircase().placement_steps[0]
    case = m.Case.objects.create(child=child, opened_on=dt.date(2024, 1, 1), source="notification")
    placement = m.Episode.objects.create(child=child, intervention_code="foster", step=step,
                                         start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 6, 1))
    notification = m.Notification.objects.create(child=child, received_at=timezone.now() - dt.timedelta(hours=2),
                                                 notifier_kind="school")
    plan = m.Plan.objects.create(child=child, made_on=dt.date(2025, 1, 1), goals=["A"])
    svc.case_close(actor=user, child=child, reason="Målene er nået", closed_on=dt.date(2025, 7, 1))
    case.refresh_from_db()
    assert case.closed_on == dt.date(2025, 7, 1)
    writes = _every_write(user, child, placement, notification, plan, scene["other_post"].pk)
    writes["child_reassign"] = _every_write(leader, child, placement, notification, plan,
                                            scene["other_post"].pk)["child_reassign"]  # leaders reassign
    before = {model: model.objects.count() for model in (m.Notification, m.Investigation, m.FollowUp,
                                                         m.SupervisionVisit, m.Episode, m.ChildConversation,
                                                         m.Plan, m.PlanRevision, m.Complaint, m.Assignment)}
    for name, write in writes.items():
        with pytest.raises(CaseClosed, match="case is closed") as exc:
            write()
        assert exc.value.problems[0].value == "2025-07-01", name
    assert before == {model: model.objects.count() for model in before}
    with pytest.raises(InvalidInput, match="already closed"):
        svc.case_close(actor=user, child=child, reason="igen")
    with pytest.raises(InvalidInput, match="reason"):
        svc.case_reopen(actor=user, child=child, reason="  ")
    svc.case_reopen(actor=user, child=child, reason="Ny underretning fra skolen")
    closure = m.CaseClosure.objects.get()
    assert closure.reopened_at is not None and closure.reopen_reason == "Ny underretning fra skolen"
    assert m.Case.objects.filter(child=child, closed_on=None).count() == 1  # a new case; the closed one stays
    case.refresh_from_db()
    assert case.closed_on == dt.date(2025, 7, 1)
    svc.child_conversation_record(actor=user, child=child, held_on=timezone.localdate(), kind="alone")
    events = list(AuditEvent.objects.filter(child_id=child.pk, endpoint__in=("case_close", "case_reopen"))
                  .values_list("endpoint", "user_id"))
    assert events == [("case_close", user.pk), ("case_reopen", user.pk)]


def test_closing_refuses_running_interventions_and_an_empty_reason(scene):
    child = scene["mine"]
    ep = m.Episode.objects.create(child=child, intervention_code="daycare", step=1, start_date=dt.date(2025, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        svc.case_close(actor=scene["user"], child=child, reason="")
    assert {p.field: p.value for p in exc.value.problems} == {"reason": "", "episode_id": ep.pk}
    assert not m.CaseClosure.objects.exists()


def test_partner_notification_is_received_even_when_the_case_is_closed(scene, make_user):
    from trappen.web.register.crypto import cpr_cipher

    cpr = "010315-4002"  # synthetic: born 2015 (7th digit 4)
    child = m.Child.objects.create(name="Barn Lukket", birth_date=dt.date(2015, 3, 1), sex="F", district_id="N",
                                   entry_date=dt.date(2015, 3, 1), cpr_encrypted=cpr_cipher().encrypt(cpr),
                                   cpr_lookup=cpr_cipher().lookup_hash(cpr))
    m.Assignment.objects.create(child=child, caseworker=scene["post"], start_date=dt.date(2024, 1, 1))
    svc.case_close(actor=scene["user"], child=child, reason="Afsluttet")  # child/change: own case
    n = svc.notification_submit(actor=make_user("laerer", "partner"), cpr=cpr, name="Barn Lukket",
                                notifier_kind="school", concern="Barnet virker bange")
    assert n.child_id == child.pk  # the duty to notify is never refused


def test_close_and_reopen_buttons_on_the_casework_page(scene):
    client = Client()
    client.force_login(scene["user"])
    child = scene["mine"]
    page = f"/children/{child.pk}/"  # the case page (the casework page is merged into it)
    assert 'id="close-case"' in client.get(page).content.decode()
    assert "Luk sagen" in client.get(page, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Close case" in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    refused = client.post(f"/children/{child.pk}/close/", {"reason": ""})
    assert refused.status_code == 200 and not m.CaseClosure.objects.exists()
    assert client.post(f"/children/{child.pk}/close/", {"reason": "Afsluttet"}).status_code == 302
    body = client.get(page).content.decode()
    assert 'id="reopen-case"' in body and 'id="new-notification"' not in body and "Afsluttet" in body
    refused = client.post(f"/children/{child.pk}/conversations/new/",
                          {"held_on": timezone.localdate().isoformat(), "kind": "alone"})
    assert "read-only" in refused.content.decode() and not m.ChildConversation.objects.exists()
    assert client.post(f"/children/{child.pk}/reopen/", {"reason": "Ny underretning"}).status_code == 302
    assert 'id="close-case"' in client.get(page).content.decode()


def test_breakdown_ends_the_placement_through_intervention_end(scene):
    step = rules.staircase().placement_steps[0]
    ep = m.Episode.objects.create(child=scene["mine"], intervention_code="foster", step=step,
                                  start_date=dt.date(2025, 1, 15))
    svc.placement_breakdown(actor=scene["user"], episode=ep, end_date=dt.date(2026, 2, 1), reason="Brud",
                            today=TODAY, version=0)
    ep.refresh_from_db()
    assert (ep.end_reason, ep.breakdown_reason, ep.version) == ("breakdown", "Brud", 1)
    # the one ending service wrote it (its audit entry), and its rules apply: no second ending
    assert AuditEvent.objects.filter(child_id=ep.child_id, endpoint="intervention_end").count() == 1
