"""Writes to user accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from trappen.errors import InvalidInput, Problem, ProblemCollector
from trappen.privacy.roles import permission
from trappen.register import Register
from trappen.web.accounts.models import ROLES, User
from trappen.web.audit.services import audit_record
from trappen.web.register.models import Caseworker, Child, District, Team


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
                                    is_staff=role == "admin", is_superuser=role == "admin",
                                    otp_enrol_until=otp_enrol_window())
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
    user.otp_enrol_until = otp_enrol_window()  # a rebuilt demo: its logins may set up an app again
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
    from django.db.models import Q
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
            # children the post holds today and of school or daycare age (a partner is a school,
            # daycare or health visitor), never young adults from the post's history
            adult_born = today.replace(year=today.year - 18) if (today.month, today.day) != (2, 29) \
                else today.replace(year=today.year - 18, day=28)
            children = (Assignment.objects.filter(caseworker=post, start_date__lte=today,
                                                  child__birth_date__gt=adult_born)
                        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
                        .values_list("child_id", flat=True).order_by("child_id").distinct()[:partner_children])
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
    from trappen.web.dst.services import custody_holders_demo_create
    from trappen.web.register.services import register_bulk_load

    counts = register_bulk_load(register, seed=seed, progress=progress)
    custody_holders_demo_create()  # synthetic custody holders, so the demo can build an L201
    from trappen.web.offers.demo import demo_offers_load

    demo_offers_load(seed=seed)  # the synthetic offer catalogue, linked to the episodes (#17)
    return counts, demo_users_create()


# --- User administration (/users/, issue #15 item 7): the administrator's writes. Every write
# is checked against the permission table (user/create, user/change), validated as a whole
# (every problem named, nothing written on any), and audited with ids and field names (never a
# password). A partner's child links are audited per child, so the child's access log shows who
# was given access.

POST_ROLES = ("caseworker", "teamleader")
"""Roles that may hold a caseworker post (a team leader who carries cases holds one too)."""


def _require_user_grant(actor: object, action: str) -> None:
    from django.core.exceptions import PermissionDenied

    if permission(getattr(actor, "role", "") or "", "user", action) is None:
        raise PermissionDenied(f"no right to {action} user accounts")


def _account_problems(problems: ProblemCollector, *, user: User | None, role: str, district_codes: list[str],
                      team_code: str, post_id: int | None, post_fte: float | None,
                      linked_child_ids: list[int]) -> tuple[Team | None, Caseworker | None]:
    """Check role, districts, team, post and child links; add each problem; return team and post."""
    if role not in ROLES:
        problems.add(field="role", value=role, message=f"must be one of {', '.join(ROLES)}")
    known = set(District.objects.filter(code__in=district_codes).values_list("code", flat=True))
    for code in district_codes:
        if code not in known:
            problems.add(field="districts", value=code, message="unknown district")
    team = Team.objects.filter(code=team_code).first() if team_code else None
    if team_code and team is None:
        problems.add(field="team", value=team_code, message="unknown team")
    # the post row is locked until the write commits, so two administrators cannot both give it away
    post = (Caseworker.objects.select_for_update(of=("self",)).select_related("user").filter(pk=post_id).first()
            if post_id is not None else None)
    if post_id is not None:
        if post is None:
            problems.add(field="post", value=post_id, message="no caseworker post has this id")
        elif role not in POST_ROLES:
            problems.add(field="post", value=post_id, message="only caseworkers and team leaders hold a post")
        elif post.user is not None and post.user.is_active and (user is None or post.user.pk != user.pk):
            problems.add(field="post", value=post_id,
                         message=f"held by the active account {post.user.username}: unlink it there first")
        if post_fte is not None and not 0 < post_fte <= 1:
            problems.add(field="post_fte", value=post_fte, message="must be more than 0 and at most 1")
    found = set(Child.objects.filter(pk__in=linked_child_ids).values_list("pk", flat=True))
    for child_id in linked_child_ids:
        if child_id not in found:
            problems.add(field="linked_children", value=child_id, message="no child has this id")
    if linked_child_ids and role != "partner":
        problems.add(field="linked_children", value=" ".join(map(str, linked_child_ids)),
                     message="only partners are linked to children: clear the linked children first")
    return team, post


def _account_apply(user: User, *, role: str, district_codes: list[str], team: Team | None,
                   post: Caseworker | None, post_fte: float | None,
                   linked_child_ids: list[int]) -> tuple[list[str], list[int], list[int]]:
    """Write the validated values; return what changed (field names, with the post's and
    children's ids) for the audit trail."""
    changed = []
    if user.role != role:
        changed.append("role")
        user.role, user.is_staff, user.is_superuser = role, role == "admin", role == "admin"
    if user.team_id != (team.pk if team else None):
        changed.append("team")
        user.team = team
    user.save()
    if set(user.districts.values_list("code", flat=True)) != set(district_codes):
        changed.append("districts")
        user.districts.set(District.objects.filter(code__in=district_codes))
    held = Caseworker.objects.filter(user=user).first()
    if (held.pk if held else None) != (post.pk if post else None):
        if held is not None:
            held.user = None
            held.save(update_fields=["user"])
        if post is not None:
            previous = f" from user {post.user_id}" if post.user_id else ""
            post.user = user
            post.save(update_fields=["user"])
            changed.append(f"caseworker_post {held.pk if held else 'none'}->{post.pk}{previous}")
        else:
            changed.append(f"caseworker_post {held.pk if held else 'none'}->none")
    if post is not None and post_fte is not None and post.fte != post_fte:
        post.fte = post_fte
        post.save(update_fields=["fte"])
        changed.append(f"post_fte (post {post.pk})")
    before = set(user.linked_children.values_list("pk", flat=True))
    after = set(linked_child_ids)
    if before != after:
        changed.append("linked_children")
        user.linked_children.set(sorted(after))
    return changed, sorted(after - before), sorted(before - after)


def _audit_account(*, actor: object, user: User, endpoint: str, fields: list[str],
                   linked: Sequence[int] = (), unlinked: Sequence[int] = ()) -> None:
    audit_record(actor=actor, child_id=None, action="write", endpoint=endpoint,
                 purpose=f"user {user.pk}: {', '.join(fields) or 'no change'}")
    for child_id in linked:
        audit_record(actor=actor, child_id=child_id, action="write", endpoint="user_partner_link",
                     purpose=f"user {user.pk} linked")
    for child_id in unlinked:
        audit_record(actor=actor, child_id=child_id, action="write", endpoint="user_partner_unlink",
                     purpose=f"user {user.pk} unlinked")


@transaction.atomic
def user_account_create(*, actor: object, username: str, password: str, role: str,
                        district_codes: list[str], team_code: str = "", post_id: int | None = None,
                        post_fte: float | None = None, linked_child_ids: list[int] | None = None) -> User:
    """Create an account with its role, districts, team, caseworker post and (partners) child
    links; the password is checked by Django's validators. Audited (``user_create``).

    Raises:
        PermissionDenied: ``actor`` lacks user/create.
        InvalidInput: every problem at once (a taken username, a refused password, an unknown
            role, district, team, post or child id, a post held by another active account, an
            FTE out of range, child links for a role other than partner); nothing is written.
    """
    _require_user_grant(actor, "create")
    children = list(dict.fromkeys(linked_child_ids or []))
    problems = ProblemCollector()
    try:
        User.username_validator(username)
    except ValidationError as exc:
        problems.add(field="username", value=username, message=" ".join(exc.messages))
    else:
        if User.objects.filter(username=username).exists():
            problems.add(field="username", value=username, message="already taken")
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        problems.add(field="password", value="(hidden)", message=" ".join(exc.messages))
    team, post = _account_problems(problems, user=None, role=role, district_codes=district_codes,
                                   team_code=team_code, post_id=post_id, post_fte=post_fte,
                                   linked_child_ids=children)
    problems.raise_if_any(InvalidInput)
    user = user_create(username=username, role=role, password=password, validate=False)
    changed, linked, _ = _account_apply(user, role=role, district_codes=district_codes, team=team, post=post,
                                        post_fte=post_fte, linked_child_ids=children)
    fields = ["username", "password", "role", *changed]
    _audit_account(actor=actor, user=user, endpoint="user_create", fields=fields, linked=linked)
    return user


def _account_or_problem(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidInput(Problem(field="user", value=user_id, message="no account has this id"))
    return user


@transaction.atomic
def user_account_change(*, actor: object, user_id: int, role: str, district_codes: list[str],
                        team_code: str = "", post_id: int | None = None, post_fte: float | None = None,
                        linked_child_ids: list[int] | None = None) -> list[str]:
    """Change an account's role, districts, team, caseworker post (and its FTE) and child links.
    Audited (``user_change``) with the changed field names; returns them.

    Raises:
        PermissionDenied: ``actor`` lacks user/change.
        InvalidInput: every problem at once (as :func:`user_account_create`, and an administrator
            taking their own administrator role away); nothing is written.
    """
    _require_user_grant(actor, "change")
    user = _account_or_problem(user_id)
    children = list(dict.fromkeys(linked_child_ids or []))
    problems = ProblemCollector()
    team, post = _account_problems(problems, user=user, role=role, district_codes=district_codes,
                                   team_code=team_code, post_id=post_id, post_fte=post_fte,
                                   linked_child_ids=children)
    if user.pk == getattr(actor, "pk", None) and role != user.role:
        problems.add(field="role", value=role, message="you cannot change your own role (ask another administrator)")
    problems.raise_if_any(InvalidInput)
    fields, linked, unlinked = _account_apply(
        user, role=role, district_codes=district_codes, team=team, post=post, post_fte=post_fte,
        linked_child_ids=children)
    _audit_account(actor=actor, user=user, endpoint="user_change", fields=fields, linked=linked,
                   unlinked=unlinked)
    return fields


@transaction.atomic
def user_password_set(*, actor: object, user_id: int, password: str) -> User:
    """Set a new password, checked by Django's validators. Audited (``user_password_set``);
    the password itself is never stored in the trail.

    Raises:
        PermissionDenied: ``actor`` lacks user/change.
        InvalidInput: no such account, or the validators refuse the password (their reasons).
    """
    _require_user_grant(actor, "change")
    user = _account_or_problem(user_id)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(Problem(field="password", value="(hidden)", message=" ".join(exc.messages))) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    _audit_account(actor=actor, user=user, endpoint="user_password_set", fields=["password"])
    return user


def otp_enrol_window() -> dt.datetime:
    """The end of a new enrolment window: now + ``TRAPPEN_OTP_ENROL_HOURS``."""
    from django.conf import settings
    from django.utils import timezone

    return timezone.now() + dt.timedelta(hours=settings.TRAPPEN_OTP_ENROL_HOURS)


@transaction.atomic
def user_otp_reset(*, actor: object, user_id: int) -> User:
    """Remove a user's authenticator app and recovery codes (a lost phone) and open a new
    enrolment window; the user sets up a new app at the next login. Audited (``user_otp_reset``).

    Raises:
        PermissionDenied: ``actor`` lacks user/change.
        InvalidInput: no such account.
    """
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require_user_grant(actor, "change")
    user = _account_or_problem(user_id)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.otp_enrol_until = otp_enrol_window()
    user.save(update_fields=["otp_enrol_until"])
    _audit_account(actor=actor, user=user, endpoint="user_otp_reset", fields=["second factor"])
    return user


@transaction.atomic
def user_active_set(*, actor: object, user_id: int, active: bool) -> User:
    """Deactivate (``active=False``) or reactivate an account; never deleted, as the audit trail
    refers to it. A deactivated account cannot log in, and its sessions and API tokens stop
    working. Audited (``user_deactivate`` / ``user_reactivate``).

    Raises:
        PermissionDenied: ``actor`` lacks user/change.
        InvalidInput: no such account, or an administrator deactivating their own account.
    """
    _require_user_grant(actor, "change")
    user = _account_or_problem(user_id)
    if not active and user.pk == getattr(actor, "pk", None):
        raise InvalidInput(Problem(field="user", value=user.username,
                                   message="you cannot deactivate your own account"))
    changed = user.is_active != active
    if changed:
        user.is_active = active
        user.save(update_fields=["is_active"])
    _audit_account(actor=actor, user=user, endpoint="user_reactivate" if active else "user_deactivate",
                   fields=["is_active"] if changed else [])
    return user
