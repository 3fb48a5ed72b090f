"""Reads for the user administration pages (``/users/``).

The administrator runs accounts, not cases: a partner's linked children are shown by their
pseudonymous ids only, never a name or CPR number (``permissions.toml`` grants the
administrator no child record).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Prefetch, QuerySet, Value, When
from django.utils.translation import get_language

from trappen.privacy.roles import default_permissions
from trappen.web.accounts.models import ROLES, User
from trappen.web.register.models import Caseworker, District, Team

__all__ = ["AccountFilter", "account_detail", "account_initial", "account_list", "district_choices", "post_choices",
           "role_choices", "role_label", "team_choices"]


def role_label(role: str, *, language: str | None = None) -> str:
    """The role's label in the permission table, Danish or English (the code if unlabelled)."""
    labels = default_permissions().role_labels.get(role)
    if labels is None:
        return role
    return labels[0] if (language or get_language() or "da").startswith("da") else labels[1]


def role_choices() -> list[tuple[str, str]]:
    """``(code, label)`` for every role, in the table's order."""
    return [(role, role_label(role)) for role in ROLES]


def district_choices() -> list[tuple[str, str]]:
    return [(code, f"{name} ({code})") for code, name in District.objects.order_by("code").values_list("code", "name")]


def team_choices() -> list[tuple[str, str]]:
    return [(code, f"{name} ({code})") for code, name in Team.objects.order_by("code").values_list("code", "name")]


def post_choices() -> list[tuple[str, str]]:
    """Every caseworker post as ``(id, "post 12 · district · team · FTE · held by")``."""
    rows = (Caseworker.objects.order_by("pk")
            .values_list("pk", "district_id", "team_id", "fte", "end_date", "user__username"))
    choices = []
    for pk, district, team, fte, end_date, holder in rows:
        label = f"#{pk} · {district} · {team} · {fte:g}"
        if end_date is not None:
            label += f" · ≤ {end_date:%Y-%m-%d}"
        if holder:
            label += f" · {holder}"
        choices.append((str(pk), label))
    return choices


@dataclass(frozen=True, kw_only=True)
class AccountFilter:
    """The list's filters: a role code (``""`` for all) and active ``"yes"``/``"no"``/``""``."""

    role: str = ""
    active: str = ""


def account_list(filters: AccountFilter) -> QuerySet[User]:
    """Accounts by username, with ``role_label`` (in the active language), districts, team and
    caseworker post for the list."""
    label = Case(*[When(role=code, then=Value(text)) for code, text in role_choices()],
                 default="role", output_field=CharField())
    qs = (User.objects.order_by("username").select_related("team", "caseworker").annotate(role_label=label)
          .prefetch_related(Prefetch("districts", queryset=District.objects.order_by("code"))))
    if filters.role in ROLES:
        qs = qs.filter(role=filters.role)
    if filters.active in ("yes", "no"):
        qs = qs.filter(is_active=filters.active == "yes")
    return qs


def account_detail(user_id: int) -> User | None:
    """One account with what the change form shows, or None."""
    return (User.objects.select_related("team", "caseworker")
            .prefetch_related("districts").filter(pk=user_id).first())


def account_initial(user: User) -> dict[str, object]:
    """The change form's initial values: role, district and team codes, post, FTE and the
    linked children's ids (ids only)."""
    post = getattr(user, "caseworker", None)
    child_ids = sorted(user.linked_children.values_list("pk", flat=True))
    return {"role": user.role,
            "districts": sorted(user.districts.values_list("code", flat=True)),
            "team": user.team.code if user.team else "",
            "post": str(post.pk) if post else "",
            "post_fte": post.fte if post else None,
            "linked_children": " ".join(map(str, child_ids))}
