"""A school with a teacher (partner user) and a caseworker's two children linked to it: ``shared``
with both custody holders' consent, ``unshared`` with none; a third child in the district not
linked to the school."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def collab(scene, make_user, make_child):
    from trappen.web.collaboration import services as svc
    from trappen.web.register.models import Assignment

    today = dt.date.today()
    school = svc.organisation_create(code="SKOLE1", name="Nordskolen", kind="school", district_code="N")
    daycare = svc.organisation_create(code="DAG1", name="Børnehuset Nord", kind="daycare", district_code="N")
    teacher = make_user("teacher", "partner")
    svc.membership_add(user=teacher, organisation=school, start_date=dt.date(2020, 1, 1), title="Lærer")
    other = make_user("pedagogue", "partner")
    svc.membership_add(user=other, organisation=daycare, start_date=dt.date(2020, 1, 1))
    shared = scene["mine"]
    unshared = make_child("N", name="Barn Uden Samtykke")
    Assignment.objects.create(child=unshared, caseworker=scene["post"], start_date=dt.date(2024, 1, 1))
    for child in (shared, unshared):
        svc.child_link_add(child=child, organisation=school, start_date=dt.date(2022, 8, 1))
    consents = [svc.consent_record(actor=scene["user"], child=shared, giver=giver,
                                   field_groups=["identity", "step", "early_interventions", "meetings", "actions"],
                                   organisation_ids=[school.pk], purpose="Samarbejde om trivsel i skolen",
                                   valid_from=today - dt.timedelta(days=30))
                for giver in ("custody_holder_1", "custody_holder_2")]
    return {**scene, "school": school, "daycare": daycare, "teacher": teacher, "pedagogue": other,
            "shared": shared, "unshared": unshared, "consents": consents, "today": today}


@pytest.fixture
def client_for():
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
