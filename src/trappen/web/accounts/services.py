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
"""Demo logins are ``<username>`` / ``<username>-demo``: for the local synthetic demo ONLY."""


def _demo_user(*, role: str, password: str, district_codes: list[str], username: str = "") -> User:
    """The demo user ``username`` (default: named after ``role``), created or reset in place
    (never deleted: a user who has acted is referenced from the audit trail, which protects it)."""
    username = username or role
    user = User.objects.filter(username=username).first()
    if user is None:
        return user_create(username=username, role=role, password=password, validate=False,
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
    """One demo user per role, named after the role, with password ``<username>-demo``.

    The team leader leads the team with the most caseworker posts; the caseworker takes over
    that team's busiest post, keeping about 25 children (the surplus moves to the team's other
    posts, :func:`~trappen.web.accounts.demo_team.demo_caseload_balance`), and each other post
    gets a caseworker login ``caseworker2``, ``caseworker3``, ...; the partner is linked to a few
    of the caseworker's children. Existing users with these names are reset in place (their
    audit trail stays theirs). FOR THE SYNTHETIC DEMO ONLY.

    Returns:
        ``(username, role, password)`` for each user.
    """
    from django.utils import timezone

    from trappen.web.accounts.demo_team import demo_caseload_balance, demo_team_posts
    from trappen.web.register.models import Assignment, Caseworker

    today = timezone.localdate()
    team, posts = demo_team_posts(on=today)
    post = posts[0] if posts else None
    demo_caseload_balance(posts, on=today)
    district_codes = [post.district_id] if post else []
    demo_names = list(ROLES) + [f"caseworker{k}" for k in range(2, len(posts) + 1)]
    # the demo caseworker logins hold exactly the team's posts, one each
    Caseworker.objects.filter(user__username__in=demo_names).update(user=None)
    made = []
    for role in ROLES:
        password = role + DEMO_PASSWORD_SUFFIX
        user = _demo_user(role=role, password=password,
                          district_codes=district_codes if role in ("caseworker", "teamleader") else [])
        if role in ("caseworker", "teamleader") and team is not None:
            user.team = team
            user.save(update_fields=["team"])
        if role == "caseworker" and post is not None:
            post.user = user
            post.save(update_fields=["user"])
        if role == "partner" and post is not None:
            children = (Assignment.objects.filter(caseworker=post).values_list("child_id", flat=True)
                        .order_by("child_id").distinct()[:partner_children])
            user.linked_children.set(list(children))
        made.append((role, role, password))
    for k, other in enumerate(posts[1:], start=2):
        username = f"caseworker{k}"
        password = username + DEMO_PASSWORD_SUFFIX
        user = _demo_user(role="caseworker", username=username, password=password,
                          district_codes=[other.district_id])
        user.team = team
        user.save(update_fields=["team"])
        other.user = user
        other.save(update_fields=["user"])
        made.append((username, "caseworker", password))
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
