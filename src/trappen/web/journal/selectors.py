"""Reads of the case journal and decisions, and who may do what with them.

Access is the ``case_notes`` resource of the permission table (:mod:`trappen.privacy.roles`),
resolved for one child: ``own`` = the user is the child's responsible caseworker today;
``team``/``district`` = the child is one the user may open
(:func:`trappen.web.register.selectors.children_visible_to`); any other scope gives nothing
(case notes are never shared with partners or in aggregates). Reads here do not audit: the
views audit each read with the purpose stated for the child.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from trappen.privacy.roles import Scope, permission
from trappen.web.journal.models import Decision, JournalNote
from trappen.web.register import models as m
from trappen.web.register.selectors import children_visible_to
from trappen.web.security.purpose import is_own_case

RESOURCE = "case_notes"
CASE_PAGE_NOTES = 10
"""How many of the latest notes the case page shows (the journal page shows them all)."""


def journal_allowed(user: object, child_id: int, action: str) -> bool:
    """Whether ``user`` may ``action`` (view/create/change) the journal of ``child_id``."""
    return _within(user, child_id, permission(getattr(user, "role", "") or "", RESOURCE, action))


def _within(user: object, child_id: int, scope: Scope | None) -> bool:
    if scope == Scope.OWN:
        return is_own_case(user, child_id)
    if scope in (Scope.TEAM, Scope.DISTRICT):
        return children_visible_to(user).filter(pk=child_id).exists()
    return False


def journal_granted(user: object, action: str) -> bool:
    """Whether ``user``'s role holds any ``case_notes`` grant for ``action`` (scope aside)."""
    return permission(getattr(user, "role", "") or "", RESOURCE, action) is not None


@dataclass(frozen=True, kw_only=True)
class JournalAccess:
    """What ``user`` may do with one child's journal and decisions."""

    view: bool
    create: bool
    change: bool


def journal_access(user: object, child_id: int) -> JournalAccess:
    """The user's rights on one child's journal (closed cases aside: see ``case_closed``)."""
    role = getattr(user, "role", "") or ""
    scopes = {action: permission(role, RESOURCE, action) for action in ("view", "create", "change")}
    answers = {scope: _within(user, child_id, scope) for scope in set(scopes.values())}  # a query per scope
    return JournalAccess(view=answers[scopes["view"]], create=answers[scopes["create"]],
                         change=answers[scopes["change"]])


def case_closed(child_id: int) -> bool:
    """Whether the child's case is closed (its journal is read-only)."""
    return m.CaseClosure.objects.filter(child_id=child_id, reopened_at=None).exists()


def journal_notes(child: m.Child) -> QuerySet[JournalNote]:
    """The child's notes, latest first (by the date noted, then when written)."""
    return (JournalNote.objects.filter(child=child).select_related("author")
            .prefetch_related("versions__author").order_by("-noted_on", "-written_at", "-pk"))


def decisions_for_child(child: m.Child) -> QuerySet[Decision]:
    """The child's decisions, latest first."""
    return (Decision.objects.filter(child=child).select_related("episode", "recorded_by")
            .order_by("-decided_on", "-recorded_at", "-pk"))


def journal_case_section(user: object, child: m.Child, *, closed: bool | None = None) -> dict[str, object]:
    """The journal and decisions sections of the case page: the latest notes, all decisions and
    what ``user`` may add; nothing (``journal_visible`` False) without ``case_notes``/view.
    ``closed``: whether the case is closed, when the page already knows (else it is looked up)."""
    access = journal_access(user, child.pk)
    if not access.view:
        return {"journal_visible": False}
    notes = journal_notes(child)
    writable = not (case_closed(child.pk) if closed is None else closed)
    return {"journal_visible": True, "journal_notes": list(notes[:CASE_PAGE_NOTES]),
            "journal_count": notes.count(), "decisions": list(decisions_for_child(child)),
            "can_add_note": access.create and writable, "can_correct_note": access.change and writable}
