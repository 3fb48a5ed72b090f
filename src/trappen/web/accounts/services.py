"""Writes to user accounts."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from trappen.errors import InvalidInput, ProblemCollector
from trappen.register import Register
from trappen.web.accounts.models import ROLES, User
from trappen.web.register.models import District


@transaction.atomic
def user_create(*, username: str, role: str, password: str, district_codes: list[str] | None = None,
                validate: bool = True) -> User:
    """Create a user with a role and districts.

    Raises:
        InvalidInput: a taken username, an unknown role or district, or (with ``validate``)
            a password the validators refuse.
    """
    problems = ProblemCollector()
    codes = list(district_codes or [])
    if not username.strip():
        problems.add(field="username", value=username, message="a username is required")
    elif User.objects.filter(username=username).exists():
        problems.add(field="username", value=username, message="already taken")
    if role not in ROLES:
        problems.add(field="role", value=role, message=f"must be one of {', '.join(ROLES)}")
    known = set(District.objects.filter(code__in=codes).values_list("code", flat=True))
    for code in codes:
        if code not in known:
            problems.add(field="district", value=code, message="unknown district")
    if validate:
        try:
            validate_password(password, User(username=username))
        except ValidationError as exc:
            problems.add(field="password", value="(hidden)", message=" ".join(exc.messages))
    problems.raise_if_any(InvalidInput)
    user = User.objects.create_user(username=username, password=password, role=role,
                                    is_staff=role == "admin", is_superuser=role == "admin")
    if codes:
        user.districts.set(District.objects.filter(code__in=codes))
    return user


DEMO_PASSWORD_SUFFIX = "-demo"
"""Demo logins are ``<role>`` / ``<role>-demo``: for the local synthetic demo ONLY."""


def _demo_user(*, role: str, password: str, district_codes: list[str]) -> User:
    """The demo user for ``role``, created or reset in place (never deleted: a user who has
    acted is referenced from the audit trail, which protects it)."""
    user = User.objects.filter(username=role).first()
    if user is None:
        return user_create(username=role, role=role, password=password, validate=False,
                           district_codes=district_codes)
    user.role, user.is_staff, user.is_superuser, user.is_active = role, role == "admin", role == "admin", True
    user.set_password(password)
    user.team = None
    user.save()
    user.districts.set(District.objects.filter(code__in=district_codes))
    user.linked_children.clear()
    return user


@transaction.atomic
def demo_users_create(*, partner_children: int = 12) -> list[tuple[str, str, str]]:
    """One demo user per role, named after the role, with password ``<role>-demo``.

    The caseworker takes over the caseworker post with the most current children; the
    caseworker and the team leader get that post's district and team; the partner is linked to
    a few of those children. Existing users with these names are reset in place (their audit
    trail stays theirs). FOR THE SYNTHETIC DEMO ONLY.

    Returns:
        ``(username, role, password)`` for each user.
    """
    from django.db.models import Count, Q
    from django.utils import timezone

    from trappen.web.register.models import Assignment, Caseworker, Team

    today = timezone.localdate()
    current = Q(assignment__start_date__lte=today) & (
        Q(assignment__end_date__isnull=True) | Q(assignment__end_date__gt=today))
    post = (Caseworker.objects.annotate(n=Count("assignment", filter=current))
            .order_by("-n", "pk").first())
    district_codes = [post.district_id] if post else []
    team = Team.objects.filter(code=post.team_id).first() if post else None
    made = []
    for role in ROLES:
        password = role + DEMO_PASSWORD_SUFFIX
        user = _demo_user(role=role, password=password,
                          district_codes=district_codes if role in ("caseworker", "teamleader") else [])
        if role in ("caseworker", "teamleader") and team is not None:
            user.team = team
            user.save(update_fields=["team"])
        if role == "caseworker":
            others = Caseworker.objects.filter(user=user)
            (others.exclude(pk=post.pk) if post is not None else others).update(user=None)
            if post is not None:
                post.user = user
                post.save(update_fields=["user"])
        if role == "partner" and post is not None:
            children = (Assignment.objects.filter(caseworker=post).values_list("child_id", flat=True)
                        .order_by("child_id").distinct()[:partner_children])
            user.linked_children.set(list(children))
        made.append((role, role, password))
    return made


@transaction.atomic
def demo_database_replace(
        register: Register, *, seed: int, progress: Callable[[str, int], None] | None = None,
) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    """Replace the register with ``register`` and set the demo users up: one transaction, so a
    failure (or a killed process) leaves the previous database as it was, never half-done.

    Returns:
        Rows written per table, and the demo logins as :func:`demo_users_create` gives them.
    """
    from trappen.web.register.services import register_bulk_load

    counts = register_bulk_load(register, seed=seed, progress=progress)
    return counts, demo_users_create()
