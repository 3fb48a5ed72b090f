"""Writes for investment cases. Every save validates the TOML with the core first
(:func:`trappen.economics.case_from_dict`), so a stored case always evaluates."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from trappen._config import parse_toml
from trappen.economics import InvestmentCase as CoreCase
from trappen.economics import case_from_dict
from trappen.privacy.roles import permission
from trappen.web.investments.models import InvestmentCase

__all__ = ["case_copy", "case_save", "case_set_adopted", "parse_case_text", "require"]


def require(user: object, action: str) -> None:
    """403 unless the user's role holds ``investment``/``action`` in the permission table."""
    if permission(getattr(user, "role", "") or "", "investment", action) is None:
        raise PermissionDenied(f"no right to {action} investment cases")


def parse_case_text(text: str) -> CoreCase:
    """The core case from TOML text; :class:`InvalidInput` naming the key (or the TOML line)."""
    return case_from_dict(parse_toml(text, field="(toml)"))


@transaction.atomic
def case_save(*, user: object, toml_text: str, case: InvestmentCase | None = None) -> InvestmentCase:
    """Create (``case`` None) or change a case after validating its TOML; the name comes from
    ``[case] name``."""
    require(user, "create" if case is None else "change")
    core = parse_case_text(toml_text)
    if case is None:
        return InvestmentCase.objects.create(name=core.name[:200], toml_text=toml_text, created_by=user)
    case.name = core.name[:200]
    case.toml_text = toml_text
    case.save()
    return case


@transaction.atomic
def case_copy(*, user: object, case: InvestmentCase) -> InvestmentCase:
    """A new, not adopted case with the same TOML, owned by ``user``."""
    require(user, "create")
    return InvestmentCase.objects.create(name=f"{case.name} (copy)"[:200], toml_text=case.toml_text,
                                         created_by=user)


@transaction.atomic
def case_set_adopted(*, user: object, case: InvestmentCase, adopted: bool) -> InvestmentCase:
    """Mark a case adopted (its plan is then tracked against realised spending) or not."""
    require(user, "change")
    case.adopted = adopted
    case.save(update_fields=["adopted", "updated_at"])
    return case
