"""The demo is alive today and every demo role can do its job (#15 item 1): the history reaches
today, the team leader leads a team of caseworker logins, the demo caseworker has about 25
children."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from trappen.cli import app
from trappen.web.accounts.models import User
from trappen.web.register.models import Assignment, Caseworker, Notification

pytestmark = pytest.mark.django_db


def _current(post: Caseworker) -> int:
    today = timezone.localdate()
    return (Assignment.objects.filter(caseworker=post, start_date__lte=today)
            .exclude(end_date__lte=today).count())


def test_demo_history_reaches_today(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAPPEN_DEMO", "1")
    monkeypatch.setenv("TRAPPEN_DATA_DIR", str(tmp_path))
    result = runner().invoke(app, ["demo", "--children", "300", "--years", "2", "--no-serve"])
    assert result.exit_code == 0, result.output
    today = timezone.localdate()
    assert f"up to {today.isoformat()}" in result.output
    latest = Notification.objects.order_by("-received_at").first()
    assert latest is not None
    # the old demo ended on 2025-12-31 whatever the date: here the history runs into this month
    assert timezone.localtime(latest.received_at).date() > today - dt.timedelta(days=62)


def test_demo_end_date_is_validated(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAPPEN_DEMO", "1")
    monkeypatch.setenv("TRAPPEN_DATA_DIR", str(tmp_path))
    result = runner().invoke(app, ["demo", "--children", "50", "--years", "1", "--end-date", "soon",
                                   "--no-serve"])
    assert result.exit_code == 1
    assert "--end-date" in result.output


def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def busy_team(scene, make_child):
    """The scene's team with 31 children on the first post and none on the second."""
    for k in range(30):
        child = make_child("N", name=f"Barn {k}")
        Assignment.objects.create(child=child, caseworker=scene["post"], start_date=dt.date(2024, 1, 1) +
                                  dt.timedelta(days=k))
    return scene


def test_demo_team_leader_has_a_team_of_caseworker_logins(client, busy_team):
    from trappen.web.accounts.services import demo_users_create

    logins = demo_users_create()
    names = [username for username, _role, _password in logins]
    assert "caseworker2" in names
    assert ("caseworker2", "caseworker", "caseworker2-demo") in logins
    leader = User.objects.get(username="teamleader")
    assert leader.team is not None and leader.team.code == busy_team["team"].code
    posts = Caseworker.objects.filter(team=leader.team)
    assert all(p.user is not None and p.user.username.startswith("caseworker") for p in posts)
    client.force_login(leader)
    body = client.get(reverse("team")).content.decode()
    assert "caseworker2" in body
    assert body.count("data-caseworker=") == posts.count()


def test_demo_caseworker_keeps_25_children_and_the_surplus_moves_with_history(busy_team):
    from trappen.web.accounts.services import demo_users_create

    demo_users_create()
    mine = Caseworker.objects.get(user__username="caseworker")
    other = Caseworker.objects.get(user__username="caseworker2")
    assert _current(mine) == 25
    assert _current(other) == 6
    moved = Assignment.objects.filter(caseworker=other).values_list("child_id", flat=True)
    # history kept: the moved children's old assignments are ended, not rewritten
    assert Assignment.objects.filter(child_id__in=moved, caseworker=mine,
                                     end_date=timezone.localdate()).count() == 6


def test_demo_team_leader_can_reassign(client, busy_team):
    from trappen.web.accounts.services import demo_users_create

    demo_users_create()
    leader = User.objects.get(username="teamleader")
    client.force_login(leader)
    child = busy_team["mine"]
    client.post(f"/security/children/{child.pk}/purpose/", {"purpose": "team_leader_review"})
    body = client.get(reverse("child_reassign", args=[child.pk])).content.decode()
    assert "caseworker2" in body


def test_demo_partner_is_linked_to_current_children_only(busy_team, make_child):
    """The demo partner (a school, a daycare) saw young adults from the post's history in "My
    children": it is linked only to children the post holds today, under 18."""
    from trappen.web.accounts.services import demo_users_create

    adult = make_child("N", birth_date=dt.date(2001, 1, 1), name="Voksen")
    Assignment.objects.create(child=adult, caseworker=busy_team["post"], start_date=dt.date(2015, 1, 1))
    ended = make_child("N", name="Afsluttet")
    Assignment.objects.create(child=ended, caseworker=busy_team["post"], start_date=dt.date(2015, 1, 1),
                              end_date=dt.date(2016, 1, 1))
    demo_users_create(partner_children=100)
    linked = set(User.objects.get(username="partner").linked_children.values_list("pk", flat=True))
    assert linked and adult.pk not in linked and ended.pk not in linked
