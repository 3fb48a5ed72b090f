"""The permission model as data: which role may do what, to which records (deny by default).

After Primero's model: a *role* holds *grants*; each grant allows an *action* on a *resource*
within a *scope* of records. The table ships as ``data/permissions.toml`` with a reason for
every row. The core only answers "may this role do this, and how far"; the web layer's
selectors turn the scope into a query (own cases, the user's districts, linked children...).

Public API::

    from trappen.privacy.roles import permission, allowed, Scope, PERMISSIONS, PURPOSES
    permission("caseworker", "case_notes", "view")   # Scope.DISTRICT
    permission("analyst", "child", "view")           # None: denied
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from trappen._config import read_toml
from trappen.errors import ConfigurationError

__all__ = [
    "ACTIONS", "PARTNER_SHARED_FIELDS", "PERMISSIONS", "PURPOSES", "RESOURCES", "ROLES", "Grant",
    "PermissionTable",
    "Purpose", "Scope", "allowed", "default_permissions", "load_permissions", "permission",
]

ROLES = ("caseworker", "teamleader", "partner", "analyst", "economist", "admin")
RESOURCES = ("child", "child_identity", "case_notes", "intervention", "notification", "deadline",
             "caseload", "kpi", "forecast", "investment", "evaluation", "audit", "user",
             "config", "prices", "budget", "export")
ACTIONS = ("view", "create", "change", "reassign", "export")

PERSONAL_RESOURCES = frozenset({"child", "child_identity", "case_notes", "intervention",
                                "notification", "deadline"})
"""Resources holding one child's case content: never granted at ``aggregate`` scope (aggregates
come from kpi/forecast/evaluation), never granted to analysts or administrators."""


class Scope(StrEnum):
    """How far a grant reaches."""

    OWN = "own"              # cases the user is the responsible caseworker for
    TEAM = "team"            # cases of the user's team(s)
    DISTRICT = "district"    # children of the user's districts
    LINKED = "linked"        # children linked to a partner
    AGGREGATE = "aggregate"  # pseudonymous aggregated data only
    ALL = "all"              # every record of the resource


@dataclass(frozen=True, kw_only=True)
class Grant:
    """One row of the table: ``role`` may ``action`` ``resource`` within ``scope``, because ``why``."""

    role: str
    resource: str
    action: str
    scope: Scope
    why: str


@dataclass(frozen=True, kw_only=True)
class Purpose:
    """A reason for opening a child's record, stored with each audited read."""

    code: str
    label_da: str
    label_en: str


@dataclass(frozen=True, kw_only=True)
class PermissionTable:
    """The loaded table: grants by ``(role, resource, action)``, role labels, purposes."""

    grants: Mapping[tuple[str, str, str], Grant]
    role_labels: Mapping[str, tuple[str, str]]
    purposes: Mapping[str, Purpose]
    source: str
    partner_fields: tuple[str, ...] = ()
    """Child fields shared with partners (``[partner] shared_child_fields``); none when absent."""

    def permission(self, role: str, resource: str, action: str) -> Scope | None:
        """The scope granted, or ``None`` when denied (anything not listed is denied)."""
        grant = self.grants.get((role, resource, action))
        return grant.scope if grant is not None else None

    def grants_for(self, role: str) -> list[Grant]:
        """Every grant of one role, in file order."""
        return [g for g in self.grants.values() if g.role == role]


_NEVER_SHARED = frozenset({"cpr", "cpr_encrypted", "cpr_lookup", "notes", "justification"})
"""Fields no table may share with partners: identity numbers and free text."""


def _fail(source: str, where: str, message: str) -> ConfigurationError:
    return ConfigurationError(f"{source}: {where}: {message}")


def _parse(data: Mapping[str, object], *, source: str) -> PermissionTable:
    roles = data.get("roles")
    if not isinstance(roles, dict):
        raise _fail(source, "[roles]", "missing table")
    unknown_roles = set(roles) - set(ROLES)
    if unknown_roles:
        raise _fail(source, "[roles]", f"unknown role(s) {sorted(unknown_roles)}; known: {ROLES}")
    grants: dict[tuple[str, str, str], Grant] = {}
    labels: dict[str, tuple[str, str]] = {}
    for role, body in roles.items():
        where = f"[roles.{role}]"
        if not isinstance(body, dict) or not isinstance(body.get("grants"), list):
            raise _fail(source, where, "needs a grants = [...] list")
        labels[role] = (str(body.get("label_da", role)), str(body.get("label_en", role)))
        for i, row in enumerate(body["grants"], 1):
            at = f"{where} grant {i}"
            if not isinstance(row, dict):
                raise _fail(source, at, "must be an inline table")
            extra = set(row) - {"resource", "action", "scope", "why"}
            if extra:
                raise _fail(source, at, f"unknown key(s) {sorted(extra)}")
            resource, action, scope = row.get("resource"), row.get("action"), row.get("scope")
            why = row.get("why")
            if resource not in RESOURCES:
                raise _fail(source, at, f"unknown resource {resource!r}; known: {RESOURCES}")
            if action not in ACTIONS:
                raise _fail(source, at, f"unknown action {action!r}; known: {ACTIONS}")
            if scope not in {s.value for s in Scope}:
                raise _fail(source, at, f"unknown scope {scope!r}; known: "
                            f"{tuple(s.value for s in Scope)}")
            if not isinstance(why, str) or len(why.strip()) < 10:
                raise _fail(source, at, "every grant needs a `why` sentence")
            if resource in PERSONAL_RESOURCES and scope == Scope.AGGREGATE:
                raise _fail(source, at, f"{resource} is case content and cannot be granted at "
                                        "aggregate scope")
            key = (role, str(resource), str(action))
            if key in grants:
                raise _fail(source, at, f"duplicate grant for {key}")
            grants[key] = Grant(role=role, resource=str(resource), action=str(action),
                                scope=Scope(scope), why=why.strip())
    purposes: dict[str, Purpose] = {}
    raw_purposes = data.get("purposes", {})
    if not isinstance(raw_purposes, dict):
        raise _fail(source, "[purposes]", "must be a table")
    for code, body in raw_purposes.items():
        if not isinstance(body, dict) or not body.get("label_da") or not body.get("label_en"):
            raise _fail(source, f"[purposes] {code}", "needs label_da and label_en")
        purposes[code] = Purpose(code=code, label_da=str(body["label_da"]),
                                 label_en=str(body["label_en"]))
    partner = data.get("partner", {})
    fields = partner.get("shared_child_fields", []) if isinstance(partner, dict) else None
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise _fail(source, "[partner] shared_child_fields", "must be a list of field names")
    forbidden = sorted(set(fields) & _NEVER_SHARED)
    if forbidden:
        raise _fail(source, "[partner] shared_child_fields", f"{forbidden} are never shared")
    return PermissionTable(grants=MappingProxyType(grants), role_labels=MappingProxyType(labels),
                           purposes=MappingProxyType(purposes), source=source,
                           partner_fields=tuple(fields))


def load_permissions(path: str | Path | None = None) -> PermissionTable:
    """Load a permission table from a TOML file, or the shipped default when ``path`` is None.

    Raises:
        ConfigurationError: the file is unreadable, not TOML, or names an unknown role,
            resource, action or scope, lacks a ``why``, or repeats a grant (names file and row).
    """
    data, source = read_toml(path, package="trappen.privacy", name="permissions.toml")
    return _parse(data, source=source)


_DEFAULT = load_permissions()


def default_permissions() -> PermissionTable:
    """The shipped table (loaded once at import)."""
    return _DEFAULT


PERMISSIONS: Mapping[tuple[str, str, str], Grant] = _DEFAULT.grants
"""The shipped grants by ``(role, resource, action)``."""

PURPOSES: Mapping[str, Purpose] = _DEFAULT.purposes
"""Audit purposes by code, with Danish and English labels."""

PARTNER_SHARED_FIELDS: tuple[str, ...] = _DEFAULT.partner_fields
"""Child fields a partner sees for a linked child (the API's child schema names)."""


def permission(role: str, resource: str, action: str, *,
               table: PermissionTable | None = None) -> Scope | None:
    """The scope within which ``role`` may ``action`` ``resource``; ``None`` means denied.

    Deny by default: unknown roles, resources and actions are denied, never an error, so a
    typo can never open access.

    Args:
        role: one of :data:`ROLES`.
        resource: one of :data:`RESOURCES`.
        action: one of :data:`ACTIONS`.
        table: a municipality's own table; the shipped one by default.
    """
    return (table or _DEFAULT).permission(role, resource, action)


def allowed(role: str, resource: str, action: str, *, table: PermissionTable | None = None) -> bool:
    """Whether ``role`` may ``action`` ``resource`` at all (within some scope)."""
    return permission(role, resource, action, table=table) is not None
