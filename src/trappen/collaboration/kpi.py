"""The collaboration KPIs, one function per figure, over plain rows (no Django).

Every count that describes children or consultations goes through :func:`disclose` before it is
shown: a count of 1-4 becomes ``None`` (Danmarks Statistik's small-cell rule, as
:mod:`trappen.web.disclosure`); a share whose numerator or denominator is hidden is hidden too.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 5
"""Counts 1 .. 4 are hidden."""

NETWORK_KINDS = frozenset({"network_meeting", "family_group_conference"})
PLACEMENT_STEP = 4


def disclose(n: int) -> int | None:
    """``n``, or ``None`` when it is a small count (1-4) that could identify a child."""
    return None if 0 < n < THRESHOLD else n


@dataclass(frozen=True, kw_only=True)
class Share:
    """A share: ``numerator`` of ``denominator`` (each ``None`` when hidden) and the rate."""

    numerator: int | None
    denominator: int | None

    @property
    def rate(self) -> float | None:
        if self.numerator is None or self.denominator in (None, 0):
            return None
        return self.numerator / self.denominator


def _share(n: int, d: int) -> Share:
    num, den = disclose(n), disclose(d)
    if num is None or den is None:
        return Share(numerator=None, denominator=den)
    return Share(numerator=num, denominator=den)


def consultations_per_month(rows: Iterable[tuple[dt.date, str]]) -> dict[tuple[str, str], int | None]:
    """Consultations per ``(YYYY-MM, partner kind)`` from ``(held_on, partner_kind)`` rows."""
    counts = Counter((d.strftime("%Y-%m"), kind) for d, kind in rows)
    return {key: disclose(n) for key, n in sorted(counts.items())}


def days_first_concern_to_first_meeting(first_concern: Mapping[int, dt.date],
                                        meetings: Mapping[int, Iterable[dt.date]]) -> float | None:
    """Median days from a child's first concern (consultation linked to a notification, or the
    first notification) to the first meeting on or after it; ``None`` below the threshold."""
    days = []
    for child, concern in first_concern.items():
        after = [d for d in meetings.get(child, ()) if d >= concern]
        if after:
            days.append((min(after) - concern).days)
    return float(statistics.median(days)) if disclose(len(days)) else None


def notifications_preceded_by_consultation(notification_ids: Iterable[int], linked: Iterable[int]) -> Share:
    """Share of notifications that a consultation was linked to (a consultation came first)."""
    ids = set(notification_ids)
    return _share(len(ids & set(linked)), len(ids))


def actions_on_time_by_owner_kind(rows: Iterable[tuple[str, dt.date, str, dt.date | None]],
                                  *, today: dt.date) -> dict[str, Share]:
    """Per owner kind, the share of actions due by ``today`` that were done by their due date,
    from ``(owner_kind, due_on, status, done_on)`` rows (cancelled actions do not count)."""
    due: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    for kind, due_on, status, done_on in rows:
        if status == "cancelled" or due_on > today:
            continue
        due[kind] += 1
        if status == "done" and done_on is not None and done_on <= due_on:
            on_time[kind] += 1
    return {kind: _share(on_time[kind], due[kind]) for kind in sorted(due)}


def placed_with_network_meeting_before(first_placement: Mapping[int, dt.date],
                                       meetings: Mapping[int, Iterable[tuple[str, dt.date]]]) -> Share:
    """Of the children placed (step 4+), the share who had a network meeting or a family group
    conference before their first placement, from ``{child: first placement date}`` and
    ``{child: [(meeting kind, date)]}``."""
    hits = sum(1 for child, placed in first_placement.items()
               if any(kind in NETWORK_KINDS and d < placed for kind, d in meetings.get(child, ())))
    return _share(hits, len(first_placement))


def step1_supports_goal_met(outcomes: Iterable[str]) -> Share:
    """Of the step-1 supports ended with an outcome, the share whose goal was met."""
    ended = [o for o in outcomes if o]
    return _share(sum(1 for o in ended if o == "goal_met"), len(ended))


def plan_goals_achieved(latest: Iterable[bool | None]) -> Share:
    """Of the plan goals with a decided outcome at their latest follow-up, the share achieved."""
    decided = [a for a in latest if a is not None]
    return _share(sum(1 for a in decided if a), len(decided))


NETWORK_CARE_CODES = frozenset({"NETWORK_FOSTER_FAMILY"})
"""Catalogue codes of placements in the family's network (netværkspleje)."""


def placements_in_network_care(codes: Iterable[str], *, network_codes: frozenset[str] = NETWORK_CARE_CODES) -> Share:
    """Of the placements started (their intervention codes), the share in network care."""
    started = list(codes)
    return _share(sum(1 for c in started if c in network_codes), len(started))
