"""The purpose of opening a child's record: chosen when the child is not one of the user's own
cases, kept in the session for that child, and written with every audited read.

Use from a child view::

    from trappen.web.security.purpose import purpose_or_prompt
    purpose, prompt = purpose_or_prompt(request, child.pk)
    if prompt is not None:
        return prompt            # a redirect to the purpose form, back here afterwards
    audit_record(..., purpose=purpose)
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from trappen.privacy.roles import PURPOSES

SESSION_KEY = "trappen_purposes"
OWN_CASE = "own_case"
CHOOSABLE = tuple(code for code in PURPOSES if code != OWN_CASE)
"""Purposes a user may state for a child that is not their own case."""


def is_own_case(user: object, child_id: int) -> bool:
    """Whether ``user`` is the child's responsible caseworker today (an active assignment)."""
    from django.db.models import Q

    from trappen.web.register.models import Assignment

    today = timezone.localdate()
    return Assignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today), child_id=child_id,
        caseworker__user=user, start_date__lte=today).exists()


def chosen_purpose(request: HttpRequest, child_id: int) -> str | None:
    """The purpose stated in this session for ``child_id``, or ``None``."""
    return request.session.get(SESSION_KEY, {}).get(str(child_id))


def remember_purpose(request: HttpRequest, child_id: int, code: str) -> None:
    """Keep ``code`` as this session's purpose for ``child_id`` (ends with the session)."""
    if code not in CHOOSABLE:
        raise ValueError(f"unknown purpose {code!r}; known: {CHOOSABLE}")
    purposes = dict(request.session.get(SESSION_KEY, {}))
    purposes[str(child_id)] = code
    request.session[SESSION_KEY] = purposes


def purpose_or_prompt(request: HttpRequest, child_id: int) -> tuple[str, HttpResponse | None]:
    """The purpose to audit, or a redirect to the purpose form when one must be chosen.

    Returns:
        ``("own_case", None)`` for the responsible caseworker; ``(code, None)`` when a purpose
        was chosen in this session; ``("", redirect)`` otherwise.
    """
    if is_own_case(request.user, child_id):
        return OWN_CASE, None
    code = chosen_purpose(request, child_id)
    if code is not None:
        return code, None
    url = reverse("child_purpose", kwargs={"child_id": child_id})
    return "", redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
