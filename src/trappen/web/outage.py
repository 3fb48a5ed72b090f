"""A database outage answers 503 with Retry-After and one log line, not a traceback per request.

When PostgreSQL restarts (or SQLite is locked past its timeout), every request that touches the
database fails with Django's ``OperationalError``/``InterfaceError``. The 500 handler
(:func:`trappen.web.pages.errors.server_error`) and the API's error handler ask
:func:`is_outage`; for an outage they answer 503 with ``Retry-After:
TRAPPEN_RETRY_AFTER_SECONDS`` and call :func:`log_outage`, which writes one line per process when
the outage is first seen and at most one more every :data:`LOG_EVERY_SECONDS` while it lasts,
with the count of requests answered 503 since the last line. Django's own error log of the
request is suppressed for these responses (``_has_been_logged``).
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

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


def mark_outage(response: HttpResponse, exc: BaseException) -> HttpResponse:
    """Give ``response`` its Retry-After, log the outage, and keep Django from logging it again."""
    from django.conf import settings

    response["Retry-After"] = str(settings.TRAPPEN_RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response
    log_outage(exc)
    return response
