"""One rule of small-cell disclosure control for every aggregate the web app shows: the overview,
the dashboards and their downloads, goals and the evaluation.

Counts of 1-4 children are hidden (with enough other cells that none can be recovered from the
totals, :func:`trappen.kpi.disclosure.suppress`) for every user, except where the count is of
children the user may open one by one anyway: the case-working staff (whose ``child``/``view``
grant reaches their own, their team's or their district's children, in the permission table)
see their own districts' counts unsuppressed. Partners, analysts, economists and the
administrator see every count protected.
"""

from __future__ import annotations

from trappen.privacy.roles import Scope, permission

__all__ = ["DISCLOSURE_THRESHOLD", "SUPPRESSION_MARK", "sees_small_counts", "unsuppressed_districts"]

DISCLOSURE_THRESHOLD = 5
"""Counts 1 .. 4 are hidden (Danmarks Statistik's rule for published tables of persons)."""

SUPPRESSION_MARK = ".."
"""Shown in a hidden cell (as in Statistics Denmark's tables)."""

_CASEWORK_SCOPES = frozenset({Scope.OWN, Scope.TEAM, Scope.DISTRICT})


def sees_small_counts(user: object) -> bool:
    """Whether ``user`` sees small counts of their own districts unsuppressed (case-working staff)."""
    return permission(getattr(user, "role", None) or "", "child", "view") in _CASEWORK_SCOPES


def unsuppressed_districts(user: object) -> frozenset[str]:
    """The district codes whose counts ``user`` sees unsuppressed (empty for everyone else)."""
    if not sees_small_counts(user):
        return frozenset()
    return frozenset(user.districts.values_list("code", flat=True))  # type: ignore[attr-defined]
