"""Read scope from the permission table (#14): a team leader's ``child view`` grant is ``team``, so
a district child whose case another team holds is out of reach (the old code gave the whole
district), while an unheld child of the team's district stays the team's to take up."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from trappen.web.register.models import Assignment, Caseworker, Team
from trappen.web.register.selectors import children_visible_to


def test_team_leader_reads_the_teams_cases_not_the_whole_district(scene, make_user, make_child):
    other_team = Team.objects.create(code="T2", name="Team 2", district_id="N")
    other_post = Caseworker.objects.create(district_id="N", team=other_team, start_date=dt.date(2020, 1, 1),
                                           user=make_user("u_other", "caseworker", ["N"]))
    theirs = make_child("N", name="Barn Andet Team")
    Assignment.objects.create(child=theirs, caseworker=other_post, start_date=dt.date(2024, 1, 1))
    unheld = make_child("N", name="Barn Uden Sag")
    leader = scene["users"]["teamleader"]
    visible = set(children_visible_to(leader).values_list("pk", flat=True))
    assert visible == {scene["inside"].pk, unheld.pk}
    client = Client()
    client.force_login(leader)
    client.post(f"/security/children/{scene['inside'].pk}/purpose/", {"purpose": "team_leader_review"})
    assert client.get(f"/children/{scene['inside'].pk}/").status_code == 200
    assert client.get(f"/children/{theirs.pk}/").status_code == 404
    token = scene["tokens"]["teamleader"]
    api = Client().get(f"/api/v1/children/{theirs.pk}",
                       headers={"Authorization": f"Bearer {token}", "X-Purpose": "team_leader_review"})
    assert api.status_code == 404
    # a caseworker's grant is district: both children of the district, whoever holds them
    assert {theirs.pk, unheld.pk} <= set(children_visible_to(scene["users"]["caseworker"]).values_list("pk", flat=True))
