"""An absolute session limit on top of the idle timeout.

The idle timeout (``TRAPPEN_SESSION_IDLE_MINUTES``) never ends a session that is used all day,
or a stolen session cookie kept alive by a script. This middleware records the login time in the
session and logs the user out ``SESSION_MAX_HOURS`` (``TRAPPEN_SESSION_MAX_HOURS``, default 10:
a working day with overtime) after it, with a notice on the login page.

It also keeps the idle clock: a request restarts it by saving the session (a new expiry), but
at most once every :data:`TOUCH_SECONDS`, not on every request (a database write per page).
The idle timeout is therefore kept to the minute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

LOGIN_AT = "trappen_login_at"
"""Session key: the login time, seconds since the epoch."""

SEEN_AT = "trappen_seen_at"
"""Session key: when the idle clock was last restarted (the session last saved for it)."""

TOUCH_SECONDS = 60
"""The idle clock is restarted at most this often (``SESSION_SAVE_EVERY_REQUEST`` is off)."""


class SessionLimitMiddleware:
    """Log out a session older than ``SESSION_MAX_HOURS`` since its login, and restart the idle
    clock at most once a minute (after MessageMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            if started is not None and time.time() - started > settings.SESSION_MAX_HOURS * 3600:
                logger.info("session: logged out at the absolute limit", extra={"user_id": request.user.pk})
                logout(request)
                messages.info(request, _("You have been logged in for the longest time allowed. "
                                         "Please log in again."))
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        # the login itself (request.user set by the view) or a session from before this limit
        if request.user.is_authenticated:
            now = int(time.time())
            if LOGIN_AT not in request.session:
                request.session[LOGIN_AT] = now
            if now - int(request.session.get(SEEN_AT, 0)) >= TOUCH_SECONDS:
                request.session[SEEN_AT] = now  # modified: saved with a new expiry
        return response
