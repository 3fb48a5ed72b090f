"""Defects found walking the demo as each role (helper D): pages that must render for the demo's
own data."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from trappen.web.collaboration import services as svc
from trappen.web.collaboration.models import Action


def test_meeting_page_shows_an_action_without_an_owner_account(collab, client_for):
    """The demo's actions (and any action whose owner's account is gone: SET_NULL) have no owner
    user; the meeting page crashed with a 500 on ``a.owner.username``."""
    meeting = svc.meeting_plan(actor=collab["user"], child=collab["shared"], kind="cross_disciplinary",
                               held_on=collab["today"], organisation_ids=[collab["school"].pk],
                               others=[("parent", "Mor")])
    action = svc.action_assign(actor=collab["user"], meeting=meeting, text="Forældresamtale",
                               owner=collab["teacher"], due_on=collab["today"] + dt.timedelta(days=7))
    Action.objects.filter(pk=action.pk).update(owner=None, owner_kind="parent")
    with translation.override("da"):
        response = client_for(collab["user"]).get(f"/collaboration/meetings/{meeting.pk}/",
                                                  HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Forældresamtale" in html and "Forælder" in html
