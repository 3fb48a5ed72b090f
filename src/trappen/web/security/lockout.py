"""Address lockout against password spraying (the second half of the login lockout).

django-axes locks a username *at one address* after ``AXES_FAILURE_LIMIT`` failures, so a
colleague or an attacker elsewhere cannot lock someone out. A sprayer tries a few passwords on
many usernames from one address, staying under that limit per account: this backend refuses
every login from an address with ``TRAPPEN_ADDRESS_FAILURE_LIMIT`` failures or more (over all
usernames and browsers) within the cool-off, shows the lockout page and logs the address (never
the usernames). The limit is well above the account limit so a municipal NAT's typos do not lock
the town hall.
"""

from __future__ import annotations

import datetime as dt
import logging

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)


def address_failures(ip_address: str) -> int:
    """Failed logins from ``ip_address`` within the cool-off, over all usernames and browsers."""
    since = timezone.now() - dt.timedelta(hours=getattr(settings, "AXES_COOLOFF_TIME", 1))
    total = (AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since)
             .aggregate(total=Sum("failures_since_start"))["total"])
    return total or 0


class AddressLockoutBackend:
    """Authentication backend (after axes', before the model backend) refusing spraying addresses."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: object) -> None:
        if request is None:
            return None
        ip_address = get_client_ip_address(request)
        if not ip_address:
            return None
        failures, limit = address_failures(ip_address), getattr(settings, "TRAPPEN_ADDRESS_FAILURE_LIMIT", 30)
        if failures >= limit:
            logger.warning("login: address locked for password spraying",
                           extra={"ip_address": ip_address, "failures": failures, "limit": limit})
            request.axes_locked_out = True  # type: ignore[attr-defined]  # AxesMiddleware shows the page
            raise PermissionDenied("address locked")
        return None
    # no get_user: this backend never logs anyone in (and the test client's force_login skips it)
