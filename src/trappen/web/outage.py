"""A database outage answers 503 with Retry-After and one log line, not a traceback per request.

When PostgreSQL restarts (or SQLite is locked past its timeout), every request that touches the
database fails with Django's ``OperationalError``/``InterfaceError``. The 500 handler
(:func:`trappen.web.pages.errors.server_error`) and the API's error handler ask
:func:`is_outage`; for an outage they answer 503 with ``Retry-After:
TRAPPEN_RETRY_AFTER_SECONDS`` and call :func:`log_outage`, which writes one line per process when
the outage is first seen and at most one more every :data:`LOG_EVERY_SECONDS` while it lasts,
with the count of requests answered 503 since the last line. Django's own error log of the
request is suppressed for these responses (``_has_been_logged``), and a session that cannot be
saved for the same reason is an outage too (:class:`OutageSessionMiddleware`), not a 400.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("trappen.outage")
LOG_EVERY_SECONDS = 30.0

_lock = threading.Lock()
_last_logged = 0.0
_unlogged = 0


def is_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` means the database cannot be reached (not a bug in a query)."""
    return isinstance(exc, (OperationalError, InterfaceError))


def current_outage() -> BaseException | None:
    """The exception being handled, when it is an outage (for the 500 handler, which gets no
    exception argument)."""
    exc = sys.exc_info()[1]
    return exc if is_outage(exc) else None


def log_outage(exc: BaseException) -> None:
    """One line for the first 503 of an outage, then at most one every LOG_EVERY_SECONDS."""
    global _last_logged, _unlogged
    with _lock:
        _unlogged += 1
        now = time.monotonic()
        if now - _last_logged < LOG_EVERY_SECONDS:
            return
        count, _unlogged, _last_logged = _unlogged, 0, now
    first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    logger.error("database unavailable: answered %d request(s) 503 with Retry-After (%s: %s)",
                 count, type(exc).__name__, first_line)


def outage_page(exc: BaseException) -> HttpResponse:
    """The 503 page for an outage, from the template alone (no request context: no database)."""
    from django.template import loader
    from django.urls import reverse
    from django.utils.translation import gettext as _

    html = loader.get_template("pages/error.html").render({
        "status": 503, "bare": True, "home": reverse("home"), "title": _("Briefly unavailable"),
        "text": _("Trappen cannot reach its database just now. Nothing you sent is lost if you "
                  "send it again in a moment.")})
    return mark_outage(HttpResponse(html, status=503), exc)


def _outage_in_chain(exc: BaseException) -> BaseException | None:
    seen: BaseException | None = exc
    while seen is not None:
        if is_outage(seen):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class OutageSessionMiddleware(SessionMiddleware):
    """Django's session middleware, except that a session that cannot be saved because the
    database is away is an outage (503, one log line), not a "session interrupted" 400 with three
    chained tracebacks in the log."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except SessionInterrupted as exc:
            outage = _outage_in_chain(exc)
            if outage is None:
                raise
            return outage_page(outage)


def mark_outage(response: HttpResponse, exc: BaseException) -> HttpResponse:
    """Give ``response`` its Retry-After, log the outage, and keep Django from logging it again."""
    from django.conf import settings

    response["Retry-After"] = str(settings.TRAPPEN_RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response
    log_outage(exc)
    return response
