"""The collaboration flow through the real services and pages: a meeting with the school, an
action for the teacher on their My day, the consent check on every partner read, withdrawal."""

from __future__ import annotations

import datetime as dt

from trappen.web.audit.models import AuditEvent
from trappen.web.collaboration import services as svc
from trappen.web.collaboration.models import Action


def _meeting_with_action(collab):
    meeting = svc.meeting_plan(actor=collab["user"], child=collab["shared"], kind="cross_disciplinary",
                               held_on=collab["today"], organisation_ids=[collab["school"].pk],
                               others=[("parent", "Mor")])
    action = svc.action_assign(actor=collab["user"], meeting=meeting, text="Trivselssamtale med eleven",
                               owner=collab["teacher"], due_on=collab["today"] + dt.timedelta(days=7))
    return meeting, action


def test_partner_sees_linked_child_through_the_organisation_only_when_shared(collab, client_for):
    from trappen.web.collaboration.selectors import partner_children
    from trappen.web.register.selectors import children_visible_to

    # every page outside the collaboration app opens only the shared child ...
    assert set(children_visible_to(collab["teacher"]).values_list("pk", flat=True)) == {collab["shared"].pk}
    # ... the collaboration pages know both (to refuse the unshared one with a clear message)
    linked = set(partner_children(collab["teacher"], on=collab["today"]).values_list("pk", flat=True))
    assert linked == {collab["shared"].pk, collab["unshared"].pk}
    assert not children_visible_to(collab["pedagogue"]).exists()
    page = client_for(collab["teacher"]).get("/children/").content.decode()
    assert collab["shared"].name in page and collab["unshared"].name not in page
    assert client_for(collab["teacher"]).get(f"/children/{collab['unshared'].pk}/").status_code == 404


def test_teacher_sees_the_action_on_my_day_and_marks_it_done(collab, client_for):
    meeting, action = _meeting_with_action(collab)
    teacher = client_for(collab["teacher"])
    page = teacher.get("/collaboration/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trivselssamtale med eleven" in html and collab["shared"].name in html
    assert collab["unshared"].name not in html  # linked, but nothing shared: not named
    assert teacher.get(f"/collaboration/meetings/{meeting.pk}/").status_code == 200
    done = teacher.post(f"/collaboration/actions/{action.pk}/done/")
    assert done.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.done_on) == ("done", dt.date.today())


def test_partner_without_consent_gets_a_refusal_and_it_is_audited(collab, client_for):
    teacher = client_for(collab["teacher"])
    refused = teacher.get(f"/collaboration/children/{collab['unshared'].pk}/")
    assert refused.status_code == 403
    assert collab["unshared"].name not in refused.content.decode()
    assert 'id="sharing-refused"' in refused.content.decode()
    event = AuditEvent.objects.filter(child_id=collab["unshared"].pk).order_by("-id").first()
    assert event.endpoint.startswith("sharing_check") and "identity=refused" in event.purpose
    ok = teacher.get(f"/collaboration/children/{collab['shared'].pk}/")
    assert ok.status_code == 200 and collab["shared"].name in ok.content.decode()
    event = AuditEvent.objects.filter(child_id=collab["shared"].pk).order_by("-id").first()
    assert "identity=consent:" in event.purpose


def test_one_custody_holders_consent_is_not_enough(collab, client_for):
    child = collab["unshared"]
    svc.consent_record(actor=collab["user"], child=child, giver="custody_holder_1", field_groups=["identity"],
                       organisation_ids=[collab["school"].pk], purpose="Skole", valid_from=dt.date(2024, 1, 1))
    assert client_for(collab["teacher"]).get(f"/collaboration/children/{child.pk}/").status_code == 403


def test_withdrawal_takes_effect_at_once(collab, client_for):
    meeting, action = _meeting_with_action(collab)
    teacher = client_for(collab["teacher"])
    assert teacher.get(f"/collaboration/children/{collab['shared'].pk}/").status_code == 200
    caseworker = client_for(collab["user"])
    assert caseworker.post(f"/collaboration/consents/{collab['consents'][1].pk}/withdraw/").status_code == 302
    assert teacher.get(f"/collaboration/children/{collab['shared'].pk}/").status_code == 403
    assert teacher.get(f"/collaboration/meetings/{meeting.pk}/").status_code == 403
    assert "Trivselssamtale" not in teacher.get("/collaboration/").content.decode()
    assert teacher.post(f"/collaboration/actions/{action.pk}/done/").status_code == 403
    assert Action.objects.get(pk=action.pk).status == "open"


def test_legal_basis_without_consent_opens_early_groups_but_never_placements(collab, client_for):
    from trappen.web.collaboration.selectors import sharing_for
    from trappen.web.register.models import Episode

    child = collab["unshared"]
    svc.basis_record(actor=collab["user"], child=child, organisation=collab["school"],
                     basis="early_preventive_exchange", reason="Bekymring for trivsel; tidlig indsats",
                     valid_from=dt.date(2024, 1, 1))
    Episode.objects.create(child=child, intervention_code="RESIDENTIAL_INSTITUTION", step=5,
                           start_date=dt.date(2024, 3, 1))
    share = sharing_for(collab["teacher"], [child.pk], on=dt.date.today())[child.pk]
    assert "identity" in share and "meetings" in share and "placements" not in share
    page = client_for(collab["teacher"]).get(f"/collaboration/children/{child.pk}/")
    assert page.status_code == 200 and "RESIDENTIAL" not in page.content.decode()


def test_step1_support_enters_the_staircase_with_its_source(collab, client_for):
    from trappen.web.collaboration.models import Step1Support

    teacher = client_for(collab["teacher"])
    today = dt.date.today()
    response = teacher.post(f"/collaboration/children/{collab['shared'].pk}/step1/new/", {
        "intervention_code": "PALS_SCHOOL", "goal": "Mere ro i klassen", "start_date": today.isoformat(),
        "planned_review": (today + dt.timedelta(days=90)).isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    support = Step1Support.objects.get()
    assert (support.episode.step, support.episode.provider, support.organisation) == (1, "Nordskolen",
                                                                                      collab["school"])
    staff = client_for(collab["user"]).get(f"/collaboration/children/{collab['shared'].pk}/")
    assert "Mere ro i klassen" in staff.content.decode()


def test_partner_cannot_start_a_higher_step(collab):
    import pytest
    from django.core.exceptions import PermissionDenied

    from trappen.web.register.services import intervention_start

    with pytest.raises(PermissionDenied):
        intervention_start(actor=collab["teacher"], child=collab["shared"], intervention_code="FAMILY_COUNSELLING",
                           step=2, start_date=dt.date.today())


def test_anonymous_consultation_keeps_no_identity(collab, client_for):
    from trappen.web.collaboration.models import Consultation

    teacher = client_for(collab["teacher"])
    response = teacher.post("/collaboration/consultations/", {
        "held_on": dt.date.today().isoformat(), "age": "9", "concern": "absence", "partner_kind": "school",
        "advice": "Tal med forældrene først", "outcome": "advice_only"})
    assert response.status_code == 302
    row = Consultation.objects.get()
    assert row.age == 9 and row.notification is None
    bad = teacher.post("/collaboration/consultations/", {
        "held_on": dt.date.today().isoformat(), "age": "40", "concern": "absence", "partner_kind": "school",
        "advice": "x", "outcome": "advice_only"})
    assert bad.status_code == 422 and Consultation.objects.count() == 1


def test_team_leader_overview_counts_match_the_database_and_hide_small_counts(collab, client_for, make_child):
    from trappen.web.collaboration.models import ChildLink

    overview = client_for(collab["leader"]).get("/collaboration/overview/")
    assert overview.status_code == 200
    row = overview.content.decode().split("Nordskolen", 1)[1].split("</tr>", 1)[0]
    assert "<td>..</td>" in row  # two linked children: hidden
    for k in range(6):
        svc.child_link_add(child=make_child("N", name=f"Elev {k}"), organisation=collab["school"],
                           start_date=dt.date(2023, 8, 1))
    expected = ChildLink.objects.filter(organisation=collab["school"], end_date=None).count()
    row = client_for(collab["leader"]).get("/collaboration/overview/").content.decode().split(
        "Nordskolen", 1)[1].split("</tr>", 1)[0]
    assert f"<td>{expected}</td>" in row and expected == 8


def test_network_persons_and_family_group_conference(collab, client_for):
    from trappen.web.collaboration.models import FamilyGroupConference, NetworkPerson

    child = collab["shared"]
    cw = client_for(collab["user"])
    url = f"/collaboration/children/{child.pk}/network/"
    assert cw.post(url, {"form": "person", "name": "Mormor", "relation": "grandparent",
                         "role": "possible_network_foster_family"}).status_code == 302
    bad = cw.post(url, {"form": "person", "name": "", "relation": "grandparent", "role": "support"})
    assert bad.status_code == 422 and NetworkPerson.objects.count() == 1
    today = collab["today"]
    assert cw.post(url, {"form": "fgc", "coordinator": "Uvildig koordinator",
                         "referred_on": (today - dt.timedelta(days=30)).isoformat()}).status_code == 302
    assert FamilyGroupConference.objects.get().status == "preparing"
    assert cw.post(url, {"form": "fgc", "coordinator": "Uvildig koordinator",
                         "referred_on": (today - dt.timedelta(days=30)).isoformat(),
                         "conference_on": (today - dt.timedelta(days=2)).isoformat(),
                         "family_plan": "Mormor henter i skolen om tirsdagen"}).status_code == 302
    row = FamilyGroupConference.objects.get()
    assert (row.status, FamilyGroupConference.objects.count()) == ("held", 1)
    wrong = cw.post(url, {"form": "fgc", "coordinator": "K", "referred_on": today.isoformat(),
                          "conference_on": (today - dt.timedelta(days=5)).isoformat()})
    assert wrong.status_code == 422 and "must not be before the referral" in wrong.content.decode()
    page = cw.get(url).content.decode()
    assert "Mormor" in page and "Mulig netværksplejefamilie" in page  # the label, in Danish


def test_plan_goals_followed_up_one_by_one_and_counted(collab, client_for):
    from trappen.web.collaboration.models import GoalFollowUp
    from trappen.web.collaboration.overview import _latest_goal_outcomes
    from trappen.web.register.models import Plan

    child = collab["shared"]
    plan = Plan.objects.create(child=child, made_on=dt.date(2026, 1, 10),
                               goals=["Går i skole hver dag", "Har en ven i klassen"])
    cw = client_for(collab["user"])
    url = f"/collaboration/children/{child.pk}/goals/"
    today = collab["today"].isoformat()
    for goal, progress, achieved in (("0", "4", ""), ("0", "9", "yes"), ("1", "3", "no")):
        assert cw.post(url, {"goal": goal, "followed_up_on": today, "progress": progress, "achieved": achieved,
                             "child_view": "Det går bedre"}).status_code == 302
    bad = cw.post(url, {"goal": "0", "followed_up_on": today, "progress": "11", "achieved": ""})
    assert bad.status_code == 422 and GoalFollowUp.objects.count() == 3
    # latest per goal: goal 0 achieved, goal 1 not; an independent count from the rows
    latest = {}
    for row in GoalFollowUp.objects.filter(plan=plan).order_by("followed_up_on", "pk"):
        latest[row.goal_index] = row.achieved
    assert sorted(map(str, _latest_goal_outcomes(["N"]))) == sorted(map(str, latest.values())) == ["False", "True"]
    assert client_for(collab["teacher"]).get(url).status_code == 403
