"""Casework fixtures: a caseworker in district N with one child in N (and one in S, out of scope)."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def scene(db, districts, make_user, make_child):
    from trappen.web.register.models import Assignment, Caseworker, Team

    team = Team.objects.create(code="T1", name="Team 1", district_id="N")
    cw_user = make_user("cw", "caseworker", ["N"])
    cw_user.team = team
    cw_user.save()
    post = Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1), user=cw_user)
    other_user = make_user("cw2", "caseworker", ["N"])
    other_post = Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1),
                                           user=other_user)
    leader = make_user("leader", "teamleader", ["N"])
    leader.team = team
    leader.save()
    mine = make_child("N", name="Barn Nord")
    outside = make_child("S", name="Barn Syd")
    Assignment.objects.create(child=mine, caseworker=post, start_date=dt.date(2024, 1, 1))
    return {"user": cw_user, "post": post, "other_post": other_post, "leader": leader,
            "mine": mine, "outside": outside, "team": team}
