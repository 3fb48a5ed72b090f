"""The navigation: every demo role is shown only links it may use, each answering 200."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from trappen.privacy.roles import ROLES

NAV = re.compile(r'<nav aria-label="[^"]*">(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def _nav_hrefs(html: str) -> list[str]:
    found = NAV.search(html)
    assert found, "no navigation on the page"
    return HREF.findall(found.group(1))


@pytest.fixture
def demo(scene):
    from trappen.web.accounts.models import User
    from trappen.web.accounts.services import demo_users_create

    demo_users_create()
    return {u.role: u for u in User.objects.filter(username__in=ROLES)}


@pytest.mark.parametrize("role", ROLES)
def test_every_link_in_a_roles_navigation_answers_200(client, demo, role):
    client.force_login(demo[role])
    hrefs = _nav_hrefs(client.get(reverse("overview")).content.decode())
    assert hrefs, role
    assert len(hrefs) == len(set(hrefs)), hrefs
    for href in hrefs:
        answer = client.get(href, follow=True)  # the dashboards' index redirects to its first page
        assert answer.status_code == 200, (role, href, answer.status_code)
        assert all("/login/" not in url and "/otp/" not in url for url, _code in answer.redirect_chain), href


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    ("caseworker", {"my_day", "my_children", "dashboards", "goal_list"}, {"team", "audit_team", "economics"}),
    ("teamleader", {"team", "my_day", "audit_team", "forecasts", "evaluation", "investment_list"},
     {"audit_search", "economics", "partner_notify"}),
    ("partner", {"partner_notify", "my_children"}, {"team", "dashboards", "goal_list", "my_day"}),
    ("analyst", {"dashboards", "forecasts", "evaluation"}, {"team", "my_day", "my_children", "economics"}),
    ("economist", {"economics", "investment_list", "forecasts"}, {"team", "evaluation", "my_day"}),
    ("admin", {"audit_team", "audit_search", "economics"}, {"dashboards", "goal_list", "my_children", "my_day"}),
])
def test_navigation_follows_the_permission_table(client, demo, role, shown, hidden):
    client.force_login(demo[role])
    hrefs = set(_nav_hrefs(client.get(reverse("overview")).content.decode()))
    assert {reverse(n) for n in shown} <= hrefs, role
    assert not {reverse(n) for n in hidden} & hrefs, role


def test_a_grant_taken_away_in_the_table_takes_the_link_away():
    from trappen.privacy.roles import Scope
    from trappen.web.pages.shell import NavLink

    link = NavLink(url_name="audit_search", label="x", resource="audit", scopes=frozenset({Scope.ALL}))
    assert link.shown_to("admin")
    assert not link.shown_to("teamleader")  # holds audit/view, but for its team only
    assert not NavLink(url_name="team", label="x", resource="caseload", action="reassign").shown_to("caseworker")


def test_the_current_page_is_marked_once(client, demo):
    client.force_login(demo["admin"])
    html = client.get(reverse("audit_team")).content.decode()
    nav = NAV.search(html).group(1)
    assert nav.count('aria-current="page"') == 1
    assert f'href="{reverse("audit_team")}" aria-current="page"' in nav


def test_anonymous_visitors_get_no_navigation(client, db):
    assert not NAV.search(client.get(reverse("login")).content.decode())


@pytest.mark.parametrize(("language", "shown"), [("da", "Sagsbehandler"), ("en", "Caseworker")])
def test_the_header_names_the_role_by_its_label_not_its_code(client, demo, language, shown):
    client.force_login(demo["caseworker"])
    client.cookies["django_language"] = language
    header = client.get(reverse("overview")).content.decode().split("</header>")[0]
    assert f"caseworker ({shown})" in header
    assert "(caseworker)" not in header
