"""Response headers that keep personal data out of caches and browser features out of reach.

* ``Permissions-Policy`` on every response (static files too): Trappen uses no camera,
  microphone, location, payment, USB or other powerful browser feature, so none may be used.
* ``Cache-Control: no-store`` (Django's never-cache set) on every response to a signed-in user and
  every API response: child pages, My day, downloads and API reads carry personal data that must
  not stay in a browser, proxy or shared-PC cache after logout. Static files stay cacheable; the
  anonymous login page is never-cache already.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking"))
"""Every feature off; source: W3C Permissions Policy and the OWASP Secure Headers project."""


class ResponseHeadersMiddleware:
    """Add the Permissions-Policy, and no-store on responses that may carry personal data.

    Placed right after SecurityMiddleware, before WhiteNoise, so static files get the policy too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        path = request.path_info
        if not path.startswith(settings.STATIC_URL) and (
                path.startswith("/api/") or getattr(getattr(request, "user", None), "is_authenticated", False)):
            add_never_cache_headers(response)
        return response
