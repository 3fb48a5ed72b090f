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
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from trappen._config import read_toml
from trappen._validation import StrictModel, Text, one_of, rule_file_error, validate_rule_file
from trappen.errors import Problem

__all__ = [
    "ACTIONS", "PARTNER_CREATE_STEPS", "PARTNER_INTERVENTION_STEPS", "PARTNER_SHARED_FIELDS", "PERMISSIONS",
    "PURPOSES", "RESOURCES",
    "ROLES", "Grant",
    "PermissionTable",
    "Purpose", "Scope", "allowed", "default_permissions", "load_permissions", "permission",
]

ROLES = ("caseworker", "teamleader", "partner", "analyst", "economist", "admin", "national_analyst")
RESOURCES = ("child", "child_identity", "case_notes", "intervention", "notification", "deadline",
             "caseload", "kpi", "forecast", "investment", "evaluation", "audit", "user",
             "config", "prices", "budget", "export", "dst_delivery", "offer",
             "meeting", "consent", "consultation", "national", "step1_support")
ACTIONS = ("view", "create", "change", "reassign", "export", "approve")

PERSONAL_RESOURCES = frozenset({"child", "child_identity", "case_notes", "intervention",
                                "notification", "deadline", "meeting", "consent", "step1_support"})
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
    roles: tuple[str, ...] = ()
    """The roles that may state this purpose (none: never chosen, written by the system)."""


@dataclass(frozen=True, kw_only=True)
class PermissionTable:
    """The loaded table: grants by ``(role, resource, action)``, role labels, purposes."""

    grants: Mapping[tuple[str, str, str], Grant]
    role_labels: Mapping[str, tuple[str, str]]
    purposes: Mapping[str, Purpose]
    source: str
    partner_fields: tuple[str, ...] = ()
    """Child fields shared with partners (``[partner] shared_child_fields``); none when absent."""
    partner_steps: tuple[int, ...] = ()
    """Steps whose interventions a partner sees (``[partner] intervention_steps``); none when absent."""
    partner_create_steps: tuple[int, ...] = ()
    """Steps a partner may start (``[partner] intervention_create_steps``: step-1 support); none when absent."""

    def permission(self, role: str, resource: str, action: str) -> Scope | None:
        """The scope granted, or ``None`` when denied (anything not listed is denied)."""
        grant = self.grants.get((role, resource, action))
        return grant.scope if grant is not None else None

    def grants_for(self, role: str) -> list[Grant]:
        """Every grant of one role, in file order."""
        return [g for g in self.grants.values() if g.role == role]


_NEVER_SHARED = frozenset({"cpr", "cpr_encrypted", "cpr_lookup", "notes", "justification"})
"""Fields no table may share with partners: identity numbers and free text."""


def _a_reason(why: str) -> str:
    if len(why.strip()) < 10:
        raise PydanticCustomError("no_reason", "every grant needs a `why` sentence (10 characters or more)")
    return why.strip()


def _shareable(name: str) -> str:
    if name in _NEVER_SHARED:
        raise PydanticCustomError("never_shared", "is never shared with partners (identity numbers and free text)")
    return name


class _Grant(StrictModel):
    model_config = ConfigDict(extra="forbid")

    resource: Annotated[str, one_of(RESOURCES, what="resource")]
    action: Annotated[str, one_of(ACTIONS, what="action")]
    scope: Annotated[str, one_of(tuple(s.value for s in Scope), what="scope")]
    why: Annotated[str, AfterValidator(_a_reason)]

    @model_validator(mode="after")
    def _no_case_content_in_aggregates(self) -> _Grant:
        if self.resource in PERSONAL_RESOURCES and self.scope == Scope.AGGREGATE:
            raise PydanticCustomError(
                "aggregate_case_content", "{resource} is case content and cannot be granted at aggregate scope",
                {"resource": self.resource, "sub_key": "scope"})
        return self


class _Role(StrictModel):
    label_da: str | None = None
    label_en: str | None = None
    grants: list[_Grant]


class _Purpose(StrictModel):
    label_da: Text
    label_en: Text
    roles: list[Annotated[str, one_of(ROLES, what="role")]] = []


class _Partner(StrictModel):
    shared_child_fields: list[Annotated[str, AfterValidator(_shareable)]] = []
    intervention_steps: list[Annotated[int, Field(ge=1)]] = []
    intervention_create_steps: list[Annotated[int, Field(ge=1)]] = []


class _PermissionFile(StrictModel):
    roles: dict[Annotated[str, one_of(ROLES, what="role")], _Role]
    purposes: dict[str, _Purpose] = {}
    partner: _Partner = _Partner()


_MESSAGES = {"roles:missing": "needs a [roles.<role>] table per role, each with grants = [...]"}


def _parse(data: Mapping[str, object], *, source: str) -> PermissionTable:
    model = validate_rule_file(_PermissionFile, data, where=source, messages=_MESSAGES)
    grants: dict[tuple[str, str, str], Grant] = {}
    at: dict[tuple[str, str, str], int] = {}
    duplicates = []
    for role, body in model.roles.items():
        for i, row in enumerate(body.grants):
            key = (role, row.resource, row.action)
            if key in grants:
                duplicates.append(Problem(field=f"roles.{role}.grants[{i}]", value=f"{row.resource} {row.action}",
                                          message=f"duplicate grant (also grants[{at[key]}])"))
                continue
            at[key] = i
            grants[key] = Grant(role=role, resource=row.resource, action=row.action, scope=Scope(row.scope),
                                why=row.why)
    if duplicates:
        raise rule_file_error(duplicates, where=source)
    labels = {role: (role if body.label_da is None else body.label_da, role if body.label_en is None else body.label_en)
              for role, body in model.roles.items()}
    purposes = {code: Purpose(code=code, label_da=p.label_da, label_en=p.label_en, roles=tuple(p.roles))
                for code, p in model.purposes.items()}
    return PermissionTable(grants=MappingProxyType(grants), role_labels=MappingProxyType(labels),
                           purposes=MappingProxyType(purposes), source=source,
                           partner_fields=tuple(model.partner.shared_child_fields),
                           partner_steps=tuple(sorted(set(model.partner.intervention_steps))),
                           partner_create_steps=tuple(sorted(set(model.partner.intervention_create_steps))))


def load_permissions(path: str | Path | None = None) -> PermissionTable:
    """Load a permission table from a TOML file, or the shipped default when ``path`` is None.

    Raises:
        ConfigurationError: the file is unreadable, not TOML, or names an unknown role,
            resource, action or scope, lacks a ``why``, or repeats a grant: every problem, each
            naming the file, the key path (``roles.caseworker.grants[3].scope``) and the value.
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
PARTNER_INTERVENTION_STEPS: tuple[int, ...] = _DEFAULT.partner_steps
PARTNER_CREATE_STEPS: tuple[int, ...] = _DEFAULT.partner_create_steps
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
