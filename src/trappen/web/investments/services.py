"""Writes for investment cases. Every save validates the TOML with the core first
(:func:`trappen.economics.case_from_dict`), so a stored case always evaluates."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trappen._config import parse_toml
from trappen.economics import InvestmentCase as CoreCase
from trappen.economics import case_from_dict
from trappen.errors import EditConflict, Problem
from trappen.privacy.roles import permission
from trappen.web.audit.services import audit_record
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
def case_save(*, user: object, toml_text: str, case: InvestmentCase | None = None,
              version: int | None = None) -> InvestmentCase:
    """Create (``case`` None) or change a case after validating its TOML; the name comes from
    ``[case] name``.

    ``version`` is the case's version the user's page was opened at (optimistic locking);
    ``None`` skips that check, but the write is ``UPDATE … WHERE version = v`` either way.

    Raises:
        InvalidInput: the TOML does not validate (key or line named); nothing is written.
        EditConflict: the case was saved by someone else since ``version`` (or while saving);
            nothing is written, ``current_version`` is the version to save against after review.
    """
    require(user, "create" if case is None else "change")
    core = parse_case_text(toml_text)
    if case is None:
        created = InvestmentCase.objects.create(name=core.name[:200], toml_text=toml_text, created_by=user)
        _audit(user, "investment_case_create", created)
        return created

    def conflict(current: InvestmentCase) -> EditConflict:
        return EditConflict([Problem(field="toml_text", value=f"{current.name} ({current.updated_at:%Y-%m-%d %H:%M})",
                                     message="the case was saved by someone else while you edited it")],
                            current_version=current.version)

    if version is not None and version != case.version:
        raise conflict(InvestmentCase.objects.get(pk=case.pk))
    now = timezone.now()
    rows = InvestmentCase.objects.filter(pk=case.pk, version=case.version).update(
        name=core.name[:200], toml_text=toml_text, version=case.version + 1, updated_at=now)
    if rows == 0:
        raise conflict(InvestmentCase.objects.get(pk=case.pk))
    case.name, case.toml_text, case.version, case.updated_at = core.name[:200], toml_text, case.version + 1, now
    _audit(user, "investment_case_change", case)
    return case


def _audit(user: object, endpoint: str, case: InvestmentCase) -> None:
    """One audit row per write: the case's id, never its name or text (free text)."""
    audit_record(actor=user, child_id=None, action="write", endpoint=endpoint, purpose=f"investment case {case.pk}")


@transaction.atomic
def case_copy(*, user: object, case: InvestmentCase) -> InvestmentCase:
    """A new, not adopted case with the same TOML, owned by ``user``."""
    require(user, "create")
    copy = InvestmentCase.objects.create(name=f"{case.name} (copy)"[:200], toml_text=case.toml_text,
                                         created_by=user)
    _audit(user, "investment_case_copy", copy)
    return copy


@transaction.atomic
def case_set_adopted(*, user: object, case: InvestmentCase, adopted: bool) -> InvestmentCase:
    """Mark a case adopted (its plan is then tracked against realised spending) or not."""
    require(user, "change")
    case.adopted = adopted
    case.save(update_fields=["adopted", "updated_at"])
    _audit(user, "investment_case_adopt" if adopted else "investment_case_unadopt", case)
    return case
