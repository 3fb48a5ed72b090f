"""Second-factor writes: enrol an authenticator app, use and regenerate recovery codes.

Recovery codes are django-otp static tokens: each is deleted when it is used, and generating
new ones deletes every old one. Every enrolment, use and regeneration is audited.
"""

from __future__ import annotations

import logging
from base64 import b32encode

from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trappen.web.audit.services import audit_record

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
"""Codes per set: enough for months of a lost phone, few enough to write on paper (common practice)."""
RECOVERY_DEVICE_NAME = "recovery"


def totp_manual_key(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app takes it by hand: base32, in groups of four."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def recovery_code_display(token: str) -> str:
    """A stored code as shown to the user: upper case, split in two halves (``ABCD-EFGH``)."""
    half = len(token) // 2
    return f"{token[:half]}-{token[half:]}".upper()


def recovery_code_normalise(text: str) -> str:
    """What the user typed, as stored: without spaces or dashes, lower case."""
    return "".join(ch for ch in text if ch not in " -\t").lower()


def recovery_codes_remaining(*, user: object) -> int:
    """How many unused recovery codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


@transaction.atomic
def recovery_codes_regenerate(*, user: object, endpoint: str = "otp_recovery") -> list[str]:
    """Replace ``user``'s recovery codes with a new set; the old codes stop working. Returns the new codes."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME,
                                                   defaults={"confirmed": True})
    device.token_set.all().delete()
    tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in tokens])
    audit_record(actor=user, child_id=None, action="write", endpoint=endpoint,
                 purpose="recovery codes generated")
    logger.info("recovery codes generated", extra={"user_id": getattr(user, "pk", None)})
    return [recovery_code_display(token) for token in tokens]


@transaction.atomic
def enrolment_open(user: object) -> bool:
    """Whether ``user`` may set up an authenticator app now: within the window opened when the
    account was made or its second factor reset (``TRAPPEN_OTP_ENROL_HOURS``)."""
    from django.utils import timezone

    until = getattr(user, "otp_enrol_until", None)
    return until is not None and until > timezone.now()


def otp_enrol(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with its first code and log the session in with it; the enrolment
    window closes (a new app needs an administrator's reset).

    Returns the first set of recovery codes, or None when the code is wrong or the window closed.
    """
    if not enrolment_open(request.user) or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    from trappen.web.accounts.models import User

    User.objects.filter(pk=int(request.user.pk or 0)).update(otp_enrol_until=None)
    otp_login(request, device)
    audit_record(actor=request.user, child_id=None, action="write", endpoint="otp_setup",
                 purpose="second factor enrolled")
    return recovery_codes_regenerate(user=request.user, endpoint="otp_setup")


def otp_verify_token(*, request: HttpRequest, token: str) -> bool:
    """Log the session in with a current app code or, instead, one unused recovery code (then spent)."""
    user = request.user
    text = token.strip().replace(" ", "")
    if text.isdigit() and len(text) <= 8:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(text):
                otp_login(request, device)
                return True
        return False
    recovery = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True).first()
    if recovery is None or not recovery.verify_token(recovery_code_normalise(token)):
        return False
    otp_login(request, recovery)
    audit_record(actor=user, child_id=None, action="write", endpoint="otp_verify",
                 purpose="recovery code used")
    logger.info("recovery code used", extra={"user_id": getattr(user, "pk", None),
                                             "remaining": recovery_codes_remaining(user=user)})
    return True
