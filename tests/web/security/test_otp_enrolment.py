"""Two-factor enrolment is not on trust (#14 item 5): an authenticator app is set up only within
the window opened when the account is made or an administrator resets the second factor. The old
code let anyone holding a password enrol their own phone at any time."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from trappen.web.audit.models import AuditEvent


def _code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def _enrol(user) -> tuple[int, Client]:
    client = Client()
    client.force_login(user)
    page = client.get("/security/otp/setup/")
    if page.status_code != 200:
        return page.status_code, client
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post("/security/otp/setup/", {"token": _code(device)}).status_code, client


def test_a_new_account_may_enrol_once_then_the_window_closes(scene):
    user = scene["users"]["caseworker"]
    assert _enrol(user)[0] == 302 and TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    user.refresh_from_db()
    assert user.otp_enrol_until is None


def test_after_the_window_no_app_is_set_up_on_the_password_alone(scene):
    user = scene["users"]["partner"]
    user.otp_enrol_until = timezone.now() - dt.timedelta(minutes=1)
    user.save()
    status, client = _enrol(user)
    assert status == 403 and not TOTPDevice.objects.filter(user=user).exists()
    assert "administrator" in client.get("/security/otp/setup/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_administrator_resets_a_lost_phone_and_opens_a_new_window(scene):
    user = scene["users"]["caseworker"]
    assert _enrol(user)[0] == 302
    admin = Client()
    admin.force_login(scene["users"]["admin"])
    assert admin.get(f"/users/{user.pk}/two-factor-reset/").status_code == 405  # POST only
    response = admin.post(f"/users/{user.pk}/two-factor-reset/")
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(endpoint="user_otp_reset", username="u_admin").exists()
    assert _enrol(user)[0] == 302  # the new phone
    leader = Client()
    leader.force_login(scene["users"]["teamleader"])
    assert leader.post(f"/users/{user.pk}/two-factor-reset/").status_code == 403  # user/change only
