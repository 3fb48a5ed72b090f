"""A scene for the user administration pages: one user per role (u_<role>), two districts, a
team, two caseworker posts (one held by the caseworker) and two children."""

from __future__ import annotations

import datetime as dt

import pytest

ROLES = ("caseworker", "teamleader", "partner", "analyst", "economist", "admin")
GOOD_PASSWORD = "Trappe-trin-2026-blå"


@pytest.fixture
def admin_scene(db, districts, make_user, make_child):
    from trappen.web.register.models import Caseworker, Team

    team = Team.objects.create(code="T1", name="Team 1", district_id="N")
    users = {role: make_user(f"u_{role}", role) for role in ROLES}
    held = Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1),
                                     user=users["caseworker"])
    free = Caseworker.objects.create(district_id="N", team=team, fte=0.8, start_date=dt.date(2021, 1, 1))
    children = [make_child("N", name="Barn Et"), make_child("S", name="Barn To")]
    return {"users": users, "team": team, "held": held, "free": free, "children": children}


@pytest.fixture
def admin_client(client, admin_scene):
    client.force_login(admin_scene["users"]["admin"])
    return client
