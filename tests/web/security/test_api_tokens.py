"""API tokens (#14 item 5): they expire, carry scopes, are rate-limited (django-ninja throttling)
and are created only right after a second factor. The old tokens never expired, wrote with any
token, had no limit and were made without a second factor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from trappen.errors import InvalidInput
from trappen.web.api.models import ApiToken
from trappen.web.api.services import token_create, token_hash
from trappen.web.audit.models import AuditEvent


def _get(token: str, url: str = "/api/v1/children") -> object:
    return Client().get(url, headers={"Authorization": f"Bearer {token}"})


def test_an_expired_token_is_refused(scene):
    token = scene["tokens"]["caseworker"]
    assert _get(token).status_code == 200
    ApiToken.objects.filter(token_sha256=token_hash(token)).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _get(token).status_code == 401


def test_a_new_token_expires_after_the_set_days_and_refuses_more_than_the_maximum(scene, settings):
    token = token_create(username="u_caseworker", scopes=("read",))
    row = ApiToken.objects.get(token_sha256=token_hash(token))
    expected = timezone.now() + dt.timedelta(days=settings.TRAPPEN_API_TOKEN_DAYS)
    assert abs((row.expires_at - expected).total_seconds()) < 60 and row.scopes == "read"
    with pytest.raises(InvalidInput, match="days"):
        token_create(username="u_caseworker", days=settings.TRAPPEN_API_TOKEN_MAX_DAYS + 1)
    with pytest.raises(InvalidInput, match="scopes"):
        token_create(username="u_caseworker", scopes=("admin",))


def test_a_read_only_token_cannot_write(scene):
    token = token_create(username="u_caseworker", scopes=("read",))
    child = scene["ids"]["in"]["child_id"]
    assert _get(token).status_code == 200
    response = Client().post("/api/v1/notifications", {"child_id": child, "received_at": timezone.now().isoformat(),
                                                       "notifier_kind": "school"},
                             content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and "write" in response.json()["detail"]


@override_settings(TRAPPEN_API_RATE="3/m")
def test_calls_beyond_the_rate_get_429_with_retry_after(scene):
    token = token_create(username="u_caseworker", scopes=("read",))
    assert [_get(token).status_code for _ in range(3)] == [200, 200, 200]
    refused = _get(token)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert _get(scene["tokens"]["teamleader"]).status_code == 200  # per token, not for everyone


def _verify(client: Client, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post("/security/otp/verify/", {"token": f"{totp.token():06d}"})
    assert response.status_code == 302


def test_a_token_is_created_only_right_after_a_second_factor(scene):
    client = Client()
    client.force_login(scene["users"]["caseworker"])
    form = {"name": "Fagsystem", "days": 30, "write": ""}
    refused = client.post("/security/tokens/", form)
    assert refused.status_code == 302 and refused["Location"] == "/security/otp/setup/"
    before = ApiToken.objects.count()
    _verify(client, scene["users"]["caseworker"])
    made = client.post("/security/tokens/", form, follow=True)
    assert made.status_code == 200 and ApiToken.objects.count() == before + 1
    row = ApiToken.objects.latest("pk")
    assert (row.name, row.scopes, row.user_id) == ("Fagsystem", "read", scene["users"]["caseworker"].pk)
    assert AuditEvent.objects.filter(endpoint="api_token", username="u_caseworker").exists()
    page = made.content.decode()
    assert "Fagsystem" in page
    bad = client.post("/security/tokens/", {"name": "x", "days": 100_000})
    assert bad.status_code == 200 and ApiToken.objects.count() == before + 1  # a form error, nothing made
    client.post(f"/security/tokens/{row.pk}/revoke/")
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None


def test_nobody_revokes_another_users_token(scene):
    victim = ApiToken.objects.filter(user=scene["users"]["caseworker"]).first()
    client = Client()
    client.force_login(scene["users"]["teamleader"])
    client.post(f"/security/tokens/{victim.pk}/revoke/")
    assert ApiToken.objects.get(pk=victim.pk).revoked_at is None
