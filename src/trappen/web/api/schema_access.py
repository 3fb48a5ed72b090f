"""Who may read the OpenAPI document: a signed-in user (second factor given where required) or a
caller with a valid API token; anyone else gets the API's JSON 401.

The document lists every endpoint, parameter and field of the API, a map an outsider should not
get for free. Used as django-ninja's ``docs_decorator`` (wraps the schema view and, were it on,
the docs page).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from trappen.web.api.services import token_user
from trappen.web.security.middleware import otp_required_for


def _allowed(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if (user is not None and user.is_authenticated
            and (not otp_required_for(user) or user.is_verified())):
        return True
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token_user(token.strip()) is not None


def signed_in_or_token(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view`` only to a signed-in user or an API token holder; else 401 (JSON)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not _allowed(request):
            return JsonResponse({"detail": "Unauthorized", "problems": []}, status=401)
        return view(request, *args, **kwargs)

    return wrapped
