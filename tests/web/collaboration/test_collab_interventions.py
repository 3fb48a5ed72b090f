"""Issue 16's leak, for partners acting for an organisation: every partner read of a child's
interventions (the older case page /children/<id>/, the collaboration child page) shows only
the step 1-2 measures the partner's own organisation gives (trappen.web.collaboration.selectors
.partner_interventions), never another organisation's step-1 support, other step 1-2 episodes
or placements."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.web.audit.models import AuditEvent
from trappen.web.collaboration import services as svc
from trappen.web.collaboration.models import Step1Support
from trappen.web.register.models import Episode


@pytest.fixture
def history(collab):
    """The shared child (consent for the school) with: the school's step-1 support, the
    daycare's step-1 support, a PPR step-2 measure with no organisation, a placement."""
    child, start = collab["shared"], collab["today"] - dt.timedelta(days=60)
    svc.child_link_add(child=child, organisation=collab["daycare"], start_date=dt.date(2022, 8, 1))
    rows = {}
    for key, org, code in (("school", collab["school"], "PALS_SCHOOL"),
                           ("daycare", collab["daycare"], "COS_P")):
        episode = Episode.objects.create(child=child, intervention_code=code, step=1, start_date=start,
                                         provider=org.name)
        Step1Support.objects.create(child=child, organisation=org, episode=episode, goal="Trivsel",
                                    start_date=start, planned_review=start + dt.timedelta(days=90))
        rows[key] = episode
    rows["ppr"] = Episode.objects.create(child=child, intervention_code="NETWORK_GROUP", step=2,
                                         start_date=dt.date(2021, 2, 1), end_date=dt.date(2021, 8, 1),
                                         end_reason="goal_met")
    rows["placement"] = Episode.objects.create(child=child, intervention_code="NETWORK_FOSTER_FAMILY", step=4,
                                               start_date=dt.date(2023, 1, 1), end_date=dt.date(2024, 1, 1),
                                               end_reason="breakdown")
    return rows


@pytest.mark.parametrize("url", ["/children/{id}/", "/collaboration/children/{id}/"])
def test_partner_of_the_school_sees_the_schools_support_only(collab, history, client_for, url):
    page = client_for(collab["teacher"]).get(url.format(id=collab["shared"].pk))
    assert page.status_code == 200
    shown = {e.pk for e in page.context["episodes"]}
    assert shown == {history["school"].pk}, "another organisation's or unlinked episodes leaked"


def test_the_one_selector_per_organisation_and_consent(collab, history):
    from trappen.web.collaboration.selectors import partner_interventions

    today, child = collab["today"], collab["shared"]
    assert [e.pk for e in partner_interventions(collab["teacher"], child, on=today)] == [history["school"].pk]
    # the daycare links the child but has no consent: nothing, not even its own support
    assert partner_interventions(collab["pedagogue"], child, on=today) == []
    svc.consent_record(actor=collab["user"], child=child, giver="custody_holder_1", sole_custody=True,
                       field_groups=["identity", "early_interventions"], organisation_ids=[collab["daycare"].pk],
                       purpose="Støtte i børnehaven", valid_from=today)
    assert [e.pk for e in partner_interventions(collab["pedagogue"], child, on=today)] == [history["daycare"].pk]
    # withdrawal: at once
    for c in collab["consents"]:
        svc.consent_withdraw(actor=collab["user"], consent=c)
    assert partner_interventions(collab["teacher"], child, on=today) == []


def test_the_case_page_read_is_audited_with_the_sharing_outcome(collab, history, client_for):
    client_for(collab["teacher"]).get(f"/children/{collab['shared'].pk}/")
    event = AuditEvent.objects.filter(child_id=collab["shared"].pk, endpoint__startswith="sharing_check /children/"
                                      ).order_by("-id").first()
    assert event is not None and f"{collab['school'].pk}:early_interventions=consent:" in event.purpose
