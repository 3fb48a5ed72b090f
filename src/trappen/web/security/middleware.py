"""Require a verified one-time password for the roles that need one (``OTP_REQUIRED_ROLES``:
every role).

With ``TRAPPEN_REQUIRE_OTP`` on, a logged-in user whose session is not OTP-verified is sent to
the enrolment page (no device yet) or the verify page, for every URL except those two, logout,
static files and the language switch. The API is not affected: it authenticates with bearer
tokens, which are created only right after a second factor (trappen.web.security.tokens).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_NAMES = ("otp_setup", "otp_verify", "logout", "login", "set_language")


def otp_required_for(user: object) -> bool:
    """Whether ``user`` must pass a one-time password before using the app."""
    return (getattr(settings, "TRAPPEN_REQUIRE_OTP", False)
            and getattr(user, "is_authenticated", False)
            and getattr(user, "role", None) in settings.OTP_REQUIRED_ROLES)


class RequireOTPMiddleware:
    """Redirect users who need a second factor and have not given one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if otp_required_for(user) and not user.is_verified():  # type: ignore[union-attr]
            path = request.path_info
            exempt = {reverse(name) for name in EXEMPT_NAMES}
            if (path not in exempt and not path.startswith(settings.STATIC_URL)
                    and not path.startswith("/api/")):
                from django_otp import devices_for_user

                has_device = any(True for _ in devices_for_user(user, confirmed=True))
                return redirect("otp_verify" if has_device else "otp_setup")
        return self.get_response(request)


MAX_ID = 2**63 - 1
"""The largest id a 64-bit database key can hold (BigAutoField)."""
_DIGITS = re.compile(r"\d{19,}")


class OversizedIdMiddleware:
    """Answer 404 for a path carrying a number beyond any database id.

    Django's ``int`` path converter accepts any length; such a number reaching the database
    (the refused-access audit row, a lookup) overflows the driver and would be a 500. Guessing
    ids is answered exactly like a missing child: 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for match in _DIGITS.finditer(request.path_info):
            if int(match.group()) > MAX_ID:
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": "not found", "problems": []}, status=404)
                raise Http404("no such record")
        return self.get_response(request)
