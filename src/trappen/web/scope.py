"""Write scope: may this user do this action on this resource, for this child?

The one place the web layer asks the permission table (``trappen.privacy.roles``) about a
write on one child. The table gives the scope of the grant; this module decides whether the
child falls inside it:

- ``own``: the child's case is held today by the user's caseworker post (an active assignment);
- ``team``: the case is held today by a post of the user's team, or, while no one holds it,
  the child lives in the team's district (an unassigned case is the team's to take up);
- ``district``: the child lives in one of the user's districts;
- ``linked``: the child is linked to the user (a partner);
- ``all``: any child; ``aggregate`` never covers one child.

Every write service calls :func:`require` first, with the table's resource and action. A
child the user may not open at all stays a 404 (no hint that it exists); a child the user may
open but not write to is a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from trappen.privacy.roles import Scope, permission
from trappen.web.register import models as m
from trappen.web.register.selectors import children_visible_to

__all__ = ["WRITES", "may", "require", "within", "writes_on"]


def _held_today(child_id: int) -> Q:
    today = timezone.localdate()
    return (Q(child_id=child_id, start_date__lte=today)
            & (Q(end_date__isnull=True) | Q(end_date__gt=today)))


def within(user: object, scope: Scope | None, child: m.Child) -> bool:
    """Whether ``child`` falls inside ``scope`` for ``user`` (see the module docstring)."""
    if scope is None or not getattr(user, "is_authenticated", False):
        return False
    if scope == Scope.ALL:
        return True
    user_id = int(getattr(user, "pk", 0) or 0)
    if scope == Scope.OWN:
        return m.Assignment.objects.filter(_held_today(child.pk), caseworker__user_id=user_id).exists()
    if scope == Scope.TEAM:
        team = getattr(user, "team", None)
        if team is None:
            return False
        held = m.Assignment.objects.filter(_held_today(child.pk))
        if held.exists():
            return held.filter(caseworker__team=team).exists()
        return child.district_id == team.district_id
    if scope == Scope.DISTRICT:
        return user.districts.filter(code=child.district_id).exists()  # type: ignore[attr-defined]
    if scope == Scope.LINKED:
        return children_visible_to(user).filter(pk=child.pk).exists()  # own or organisation link
    return False  # aggregate: never one child's record


def may(user: object, resource: str, action: str, *, child: m.Child) -> bool:
    """Whether the permission table lets ``user`` ``action`` ``resource`` on ``child``."""
    return within(user, permission(getattr(user, "role", "") or "", resource, action), child)


def require(user: object, resource: str, action: str, *, child: m.Child | int) -> m.Child:
    """The child, when ``user`` may ``action`` ``resource`` on it.

    Raises:
        PermissionDenied: the role has no grant for ``resource``/``action`` at all (refused
            before the child is looked up: nothing about it is revealed), or the user may open
            the child but the grant's scope does not cover it (403).
        Http404: the child is outside what ``user`` may open (no hint that it exists).
    """
    scope = permission(getattr(user, "role", "") or "", resource, action)
    if scope is None:
        raise PermissionDenied(f"{resource}/{action} is not granted to this role (permissions.toml)")
    child_id = child if isinstance(child, int) else child.pk
    found = children_visible_to(user).filter(pk=child_id).first()
    if found is None:
        raise Http404("no such child")
    if not within(user, scope, found):
        raise PermissionDenied(f"{resource}/{action} on this child is outside your grant (permissions.toml)")
    return found


WRITES: dict[str, tuple[str, str]] = {
    "notification_create": ("notification", "create"),
    "notification_change": ("notification", "change"),
    "child_change": ("child", "change"),
    "child_reassign": ("child", "reassign"),
    "intervention_create": ("intervention", "create"),
    "intervention_approve": ("intervention", "approve"),
    "intervention_change": ("intervention", "change"),
    "case_notes_create": ("case_notes", "create"),
    "case_notes_change": ("case_notes", "change"),
}
"""The writes on one child's case, by the (resource, action) of the table each needs."""


def writes_on(user: object, child: m.Child) -> dict[str, bool]:
    """For a case page: which of :data:`WRITES` ``user`` may do on ``child`` (links shown only then)."""
    role = getattr(user, "role", "") or ""
    scopes = {key: permission(role, resource, action) for key, (resource, action) in WRITES.items()}
    answers = {scope: within(user, scope, child) for scope in set(scopes.values())}  # a query per scope, not per write
    return {key: answers[scope] for key, scope in scopes.items()}
