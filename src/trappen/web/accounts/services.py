"""Writes to user accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from trappen.errors import InvalidInput, ProblemCollector
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
