"""The demo's team: which team the demo team leader leads, a login for every caseworker post in
it, and a demo caseworker whose caseload is about the target. FOR THE SYNTHETIC DEMO ONLY.

The register's generator staffs each district for its caseload and assigns cases at random, so
the busiest post can hold far more children than anyone could work. The demo caseworker should
show an ordinary working day, so the surplus above :data:`DEMO_CASELOAD` moves to the team's
other posts the way a team leader would move it: the old assignment ends today, a new one
starts today (history kept, as :func:`trappen.web.casework.services.child_reassign` does).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from trappen.web.register.models import Assignment, Caseworker, Team

DEMO_CASELOAD = 25
"""Children the demo caseworker keeps (the Herning target; kpi/data/caseload.toml)."""


def _current(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on}))


def demo_team_posts(*, on: dt.date) -> tuple[Team | None, list[Caseworker]]:
    """The team with the most current caseworker posts (ties: most current children, then
    code) and its posts, busiest first: the demo team leader's team."""
    posts = list(Caseworker.objects.filter(_current(on))
                 .annotate(n=Count("assignment", filter=_current(on, "assignment__")))
                 .order_by("-n", "pk"))
    if not posts:
        return None, []
    teams: dict[str, list[Caseworker]] = {}
    for post in posts:
        teams.setdefault(post.team_id, []).append(post)
    code = min(teams, key=lambda t: (-len(teams[t]), -sum(p.n for p in teams[t]), t))  # type: ignore[attr-defined]
    return Team.objects.get(code=code), teams[code]


def demo_caseload_balance(posts: list[Caseworker], *, on: dt.date, keep: int = DEMO_CASELOAD) -> int:
    """Move the first post's current children above ``keep`` to the team's other posts, each to
    the post with the fewest current children at that moment. Returns the number moved.

    The children kept are those assigned longest (the caseworker knows them best); a moved
    child's assignment ends on ``on`` and a new one starts on ``on`` (one started on ``on``
    itself is simply given to the other post).
    """
    if len(posts) < 2:
        return 0
    lead, others = posts[0], posts[1:]
    current = list(Assignment.objects.filter(_current(on), caseworker=lead).order_by("start_date", "child_id"))
    surplus = current[keep:]
    if not surplus:
        return 0
    load = {p.pk: Assignment.objects.filter(_current(on), caseworker=p).count() for p in others}
    new_rows = []
    for a in surplus:
        target = min(others, key=lambda p: (load[p.pk], p.pk))
        load[target.pk] += 1
        if a.start_date >= on:
            a.caseworker = target
            a.save(update_fields=["caseworker"])
            continue
        a.end_date = on
        a.save(update_fields=["end_date"])
        new_rows.append(Assignment(child_id=a.child_id, caseworker=target, start_date=on))
    Assignment.objects.bulk_create(new_rows)
    return len(surplus)
