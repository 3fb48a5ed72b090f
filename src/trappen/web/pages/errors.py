"""Error pages in the layout, translated, with a way back: 404, 403, CSRF failure and 500.

Wired in ``urls.py`` (``handler404/403/500``) and ``settings.CSRF_FAILURE_VIEW``. The 500 page is
rendered without the request context, so it needs neither the database (no session, no user)
nor anything that may have failed on the way.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

__all__ = ["csrf_failure", "page_not_found", "permission_denied", "server_error"]


def _back(request: HttpRequest) -> str | None:
    """The page the user came from, when it is one of ours and not this page."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                          require_https=request.is_secure()):
        return None
    return None if referer.endswith(request.get_full_path()) else referer


def _page(request: HttpRequest, *, status: int, title: str | Promise, text: str | Promise) -> HttpResponse:
    return render(request, "pages/error.html", {"status": status, "title": title, "text": text,
                                                "back": _back(request)}, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, status=404, title=_("Page not found"),
                 text=_("The page does not exist, or you have no access to it."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, status=403, title=_("No access"),
                 text=_("Your role does not give access to this page. Ask your administrator if you need it."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, status=403, title=_("The form could not be sent"),
                 text=_("The form had expired or was not sent from this site. Go back, reload the page "
                        "and send the form again."))


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page from the template alone: no request context, hence no database. When the
    database cannot be reached, a 503 with Retry-After and one log line (trappen.web.outage)."""
    from trappen.web.outage import current_outage, outage_page

    outage = current_outage()
    if outage is not None:
        return outage_page(outage)
    html = loader.get_template("pages/error.html").render({
        "status": 500, "bare": True, "home": reverse("home"), "title": _("Something went wrong"),
        "text": _("The page could not be shown because of an error on our side. It has been logged. "
                  "Try again in a moment.")})
    return HttpResponseServerError(html)
