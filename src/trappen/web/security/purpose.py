"""The purpose of opening a child's record: chosen when the child is not one of the user's own
cases, kept in the session for that child for ``settings.PURPOSE_HOURS`` hours, and written with
every audited read.

Use from a child view::

    from trappen.web.security.purpose import purpose_or_prompt
    purpose, prompt = purpose_or_prompt(request, child.pk)
    if prompt is not None:
        return prompt            # a redirect to the purpose form, back here afterwards
    audit_record(..., purpose=purpose)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from trappen.privacy.roles import PURPOSES

SESSION_KEY = "trappen_purposes"
OWN_CASE = "own_case"
PARTNER_LINK = "partner_link"
"""A partner's only way to a child is the link itself; it is audited as the purpose."""
API_HEADER = "X-Purpose"
CHOOSABLE = tuple(code for code in PURPOSES if code not in (OWN_CASE, PARTNER_LINK) and PURPOSES[code].roles)
"""Purposes some role may state for a child that is not their own case."""


def choosable_for(user: object) -> tuple[str, ...]:
    """The purposes ``user``'s role may state (permissions.toml ``[purposes] roles``): a purpose
    is never self-declared beyond the role's own."""
    role = getattr(user, "role", None)
    return tuple(code for code in CHOOSABLE if role in PURPOSES[code].roles)


def is_own_case(user: object, child_id: int) -> bool:
    """Whether ``user`` is the child's responsible caseworker today (an active assignment)."""
    from django.db.models import Q

    from trappen.web.register.models import Assignment

    today = timezone.localdate()
    return Assignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today), child_id=child_id,
        caseworker__user=user, start_date__lte=today).exists()


def chosen_purpose(request: HttpRequest, child_id: int) -> str | None:
    """The purpose stated in this session for ``child_id`` within the last
    ``settings.PURPOSE_HOURS`` hours, or ``None`` (then it is asked again)."""
    stored = request.session.get(SESSION_KEY, {}).get(str(child_id))
    if not isinstance(stored, list) or len(stored) != 2:
        return None
    code, stated = stored
    try:
        age = timezone.now() - datetime.fromisoformat(stated)
    except (TypeError, ValueError):
        return None
    return code if age < timedelta(hours=settings.PURPOSE_HOURS) else None


def remember_purpose(request: HttpRequest, child_id: int, code: str) -> None:
    """Keep ``code`` as the purpose for ``child_id`` for ``settings.PURPOSE_HOURS`` hours (or
    until the session ends)."""
    allowed = choosable_for(request.user)
    if code not in allowed:
        raise ValueError(f"purpose {code!r} is not one this role may state; allowed: {allowed}")
    purposes = dict(request.session.get(SESSION_KEY, {}))
    purposes[str(child_id)] = [code, timezone.now().isoformat()]
    request.session[SESSION_KEY] = purposes


def purpose_or_prompt(request: HttpRequest, child_id: int) -> tuple[str, HttpResponse | None]:
    """The purpose to audit, or a redirect to the purpose form when one must be chosen.

    Returns:
        ``("own_case", None)`` for the responsible caseworker; ``(code, None)`` when a purpose
        was chosen in this session; ``("", redirect)`` otherwise.
    """
    known = request.__dict__.setdefault("_trappen_own_case", {})  # asked once per child per request
    if child_id not in known:
        known[child_id] = is_own_case(request.user, child_id)
    if known[child_id]:
        return OWN_CASE, None
    if getattr(request.user, "role", None) == "partner":
        return PARTNER_LINK, None
    code = chosen_purpose(request, child_id)
    if code is not None:
        return code, None
    url = reverse("child_purpose", kwargs={"child_id": child_id})
    return "", redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


class PurposeRequired(Exception):
    """Raised when a child outside the user's own cases is opened before a purpose was chosen.

    ``response`` is the redirect to the purpose form; :func:`purpose_prompting` turns the
    exception into that response, so views stay thin.
    """

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("a purpose must be chosen before opening this child's record")
        self.response = response


def require_purpose(request: HttpRequest, child_id: int) -> str:
    """The purpose to audit for ``child_id``; raises :class:`PurposeRequired` when none is chosen."""
    code, prompt = purpose_or_prompt(request, child_id)
    if prompt is not None:
        raise PurposeRequired(prompt)
    return code


def purpose_prompting(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator: a :class:`PurposeRequired` raised inside ``view`` becomes its redirect."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PurposeRequired as exc:
            return exc.response

    return wrapper


def api_purpose(request: HttpRequest, user: object, child_id: int) -> str:
    """The purpose of an API read: ``own_case``, the partner link, or the ``X-Purpose`` header.

    Raises:
        PermissionDenied: the child is not the caller's own case and the header is missing or
            not one of the choosable purpose codes (the message names the header and codes).
    """
    from django.core.exceptions import PermissionDenied

    if is_own_case(user, child_id):
        return OWN_CASE
    if getattr(user, "role", None) == "partner":
        return PARTNER_LINK
    code = request.headers.get(API_HEADER, "").strip()
    allowed = choosable_for(user)
    if code not in allowed:
        raise PermissionDenied(
            f"this child is not your own case: send the header {API_HEADER} with one of the "
            f"purposes your role may state: {', '.join(allowed) or 'none'}")
    return code


def own_cases(user: object) -> QuerySet:
    """Children ``user`` is the responsible caseworker for today (active assignments)."""
    from django.db.models import Q

    from trappen.web.register.models import Assignment, Child

    today = timezone.localdate()
    assigned = Assignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today), caseworker__user=user,
        start_date__lte=today).values("child_id")
    return Child.objects.filter(pk__in=assigned)


def list_scope(request: HttpRequest, user: object, visible: QuerySet) -> tuple[QuerySet, str]:
    """An API list of children: which of ``visible`` to return and the purpose to audit.

    With a valid ``X-Purpose`` header every visible child (audited with that purpose); a
    partner their linked children (``partner_link``); otherwise only the caller's own cases.

    Raises:
        PermissionDenied: the header is present but not a choosable purpose code.
    """
    from django.core.exceptions import PermissionDenied

    code = request.headers.get(API_HEADER, "").strip()
    if code:
        allowed = choosable_for(user)
        if code not in allowed:
            raise PermissionDenied(f"purpose {code!r} in {API_HEADER} is not one your role may state; "
                                   f"allowed: {', '.join(allowed) or 'none'}")
        return visible, code
    if getattr(user, "role", None) == "partner":
        return visible, PARTNER_LINK
    return visible.filter(pk__in=own_cases(user).values("pk")), OWN_CASE
