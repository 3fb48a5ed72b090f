"""The team page's reads beyond today's caseloads: the team's current children (to choose
whom to move), caseloads month by month, and the caseloads a reassignment would leave."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from trappen.web.register import models as m

MONTHS = 12


def _current(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on}))


def team_children(post_ids: list[int], *, on: dt.date) -> list[tuple[int, str, int]]:
    """The posts' current children: ``(child id, name, post id)``, by post then name."""
    return list(m.Assignment.objects.filter(_current(on), caseworker_id__in=post_ids)
                .values_list("child_id", "child__name", "caseworker_id").order_by("caseworker_id", "child__name"))


def month_ends(today: dt.date, *, months: int = MONTHS) -> list[dt.date]:
    """The last day of each of the last ``months`` months, oldest first; today for this month."""
    out = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        first_prev = first - dt.timedelta(days=1)
        out.append(first_prev)
        first = first_prev.replace(day=1)
    return out[::-1]


def caseloads_by_month(post_ids: list[int], *, today: dt.date, months: int = MONTHS) -> tuple[
        list[dt.date], dict[int, list[int]]]:
    """Children per post on each month's last day over the last ``months`` months: one query
    for the assignments overlapping the window, counted here (rows: a team's assignments)."""
    days = month_ends(today, months=months)
    rows = (m.Assignment.objects.filter(caseworker_id__in=post_ids, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=days[0]))
            .values_list("caseworker_id", "start_date", "end_date"))
    counts = {p: [0] * len(days) for p in post_ids}
    for post, start, end in rows:
        for k, day in enumerate(days):
            if start <= day and (end is None or end > day):
                counts[post][k] += 1
    return days, counts


def caseloads_after(children_now: dict[int, int], *, moving: dict[int, int], target_post: int,
                    ) -> dict[int, int]:
    """Children per post after moving the children of ``moving`` (child id -> their post) to
    ``target_post``."""
    after = dict(children_now)
    for post in moving.values():
        if post != target_post:
            after[post] = after.get(post, 0) - 1
            after[target_post] = after.get(target_post, 0) + 1
    return after
