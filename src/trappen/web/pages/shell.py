"""The page shell's navigation: one list of links, each shown only to roles the permission table
lets use the page behind it (never a role name compared in a template).

To add a page to the navigation, add one :class:`NavLink` to :data:`NAVIGATION`, naming the
grant its view checks (``trappen.privacy.roles``; ``data/permissions.toml``). ``tests/web/
test_shell_navigation.py`` then proves, for every demo role, that each link it is shown answers
200.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from trappen.privacy.roles import Scope, permission

__all__ = ["FLAT_MAX", "NAVIGATION", "NavLink", "nav_links", "navigation"]

FLAT_MAX = 10
"""More links than this and the pages of figures go under one menu."""


@dataclass(frozen=True, kw_only=True)
class NavLink:
    """A page in the navigation, shown when the role holds ``resource``/``action`` (any scope, or
    one of ``scopes``); ``resource=None`` means every signed-in user."""

    url_name: str
    label: str | Promise
    resource: str | None
    action: str = "view"
    scopes: frozenset[Scope] | None = None
    figures: bool = False
    """A page of figures and analyses: under the "Figures and analyses" menu when the role has more
    than :data:`FLAT_MAX` links (so a team leader's navigation stays one line at 1366 px)."""

    def shown_to(self, role: str) -> bool:
        if self.resource is None:
            return True
        scope = permission(role, self.resource, self.action)
        return scope is not None and (self.scopes is None or scope in self.scopes)


NAVIGATION: tuple[NavLink, ...] = (
    NavLink(url_name="overview", label=_("Overview"), resource=None),
    NavLink(url_name="my_day", label=_("My day"), resource="deadline"),
    NavLink(url_name="my_children", label=_("My children"), resource="child"),
    NavLink(url_name="collab_day", label=_("My day"), resource="meeting", scopes=frozenset({Scope.LINKED})),
    NavLink(url_name="collab_minutes", label=_("Minutes"), resource="meeting", scopes=frozenset({Scope.LINKED})),
    NavLink(url_name="collab_day", label=_("Collaboration"), resource="meeting",
            scopes=frozenset({Scope.OWN, Scope.DISTRICT})),
    NavLink(url_name="collab_overview", label=_("Collaboration"), resource="meeting",
            scopes=frozenset({Scope.TEAM})),
    NavLink(url_name="collab_consultations", label=_("Anonymous consultation"), resource="consultation",
            action="create"),
    NavLink(url_name="team", label=_("Team"), resource="caseload", action="reassign"),
    NavLink(url_name="approval_list", label=_("Approvals"), resource="intervention", action="approve"),
    NavLink(url_name="partner_notify", label=_("Send a notification"), resource="notification", action="create",
            scopes=frozenset({Scope.ALL})),
    NavLink(url_name="dashboards", label=_("Dashboards"), resource="kpi", figures=True),
    NavLink(url_name="goal_list", label=_("Goals"), resource="kpi", figures=True),
    NavLink(url_name="council_report", label=_("Annual report"), resource="kpi", action="export", figures=True),
    NavLink(url_name="forecasts", label=_("Forecast"), resource="forecast", figures=True),
    NavLink(url_name="evaluation", label=_("Evaluation"), resource="evaluation", figures=True),
    NavLink(url_name="investment_list", label=_("Investments"), resource="investment", figures=True),
    NavLink(url_name="economics", label=_("Economics"), resource="prices"),
    NavLink(url_name="offer_list", label=_("Offers"), resource="offer", figures=True),
    NavLink(url_name="audit_team", label=_("Access log"), resource="audit",
            scopes=frozenset({Scope.TEAM, Scope.ALL})),
    NavLink(url_name="audit_search", label=_("Search access log"), resource="audit", scopes=frozenset({Scope.ALL})),
    NavLink(url_name="user_list", label=_("User administration"), resource="user"),
    NavLink(url_name="dst_deliveries", label=_("Danmarks Statistik"), resource="dst_delivery"),
    NavLink(url_name="national_view", label=_("National view"), resource="national"),
)
"""The navigation in display order. Each grant is the one the page's view checks."""


def nav_links(role: str, *, current_path: str = "",
              links: Sequence[NavLink] = NAVIGATION) -> list[dict[str, object]]:
    """The links ``role`` is shown: ``url``, ``label`` and ``current`` (the page being viewed)."""
    rows: list[dict[str, object]] = [{"url": reverse(link.url_name), "label": link.label, "current": False,
                                      "figures": link.figures} for link in links if link.shown_to(role)]
    # The current page is the link whose address is the longest start of the path (a child's page
    # lies under "My children"; the team access log under the whole log's address).
    under = [row for row in rows if current_path.startswith(str(row["url"]))]
    if under:
        max(under, key=lambda row: len(str(row["url"])))["current"] = True
    return rows


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``nav`` for the signed-in user (empty for anonymous visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    role = getattr(user, "role", "") or ""
    rows = nav_links(role, current_path=request.path)
    if permission(role, "deadline", "view") is not None:
        # the count of duties overdue or due today on "My day": kept in the session for a few
        # minutes (trappen.web.casework.my_day.nav_due_count), so a page costs no engine run
        from trappen.web.casework.my_day import nav_due_count

        my_day = reverse("my_day")
        for row in rows:
            if row["url"] == my_day:
                row["count"] = nav_due_count(request)
    from trappen.web.accounts.selectors import role_label

    more: list[dict[str, object]] = []
    if len(rows) > FLAT_MAX:
        more = [row for row in rows if row["figures"]]
        rows = [row for row in rows if not row["figures"]]
    return {"nav": rows, "nav_more": more, "nav_more_current": any(row["current"] for row in more),
            "role_label": role_label(role)}
