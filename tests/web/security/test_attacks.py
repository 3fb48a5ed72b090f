"""Attacks: stored XSS in every free-text field, CSRF on every form, formula injection in
exports, oversized uploads, and `check --deploy` with production settings."""

from __future__ import annotations

import csv
import io
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.test import Client
from tests.web.security.test_role_matrix import _fill, _rolled_back, page_patterns

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


class _Markup(HTMLParser):
    """Collects what a browser would execute: event-handler attributes and script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for attr, value in attrs:
            if attr.startswith("on"):
                self.found.append(f"<{tag} {attr}={value}>")
        if tag == "script":
            self._script_type = dict(attrs).get("type") or "text/javascript"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_type = None

    def handle_data(self, data: str) -> None:
        # JSON data islands (json_script) escape "<" so they cannot close the element
        if self._script_type not in (None, "application/json") and "alert" in data:
            self.found.append(f"script: {data[:60]}")


def injected_markup(body: str) -> list[str]:
    """Executable markup the payload produced in ``body`` (empty when escaped)."""
    parser = _Markup()
    parser.feed(body)
    return parser.found


@pytest.fixture
def poisoned(scene):
    """Every free-text field of the scene's in-scope child set to an XSS payload."""
    from trappen.web.register.models import District, Episode, Team

    child = scene["inside"]
    child.name = XSS
    child.save()
    Episode.objects.filter(child=child).update(provider=XSS, justification={"1": XSS, "2": XSS})
    District.objects.filter(code="N").update(name=XSS)
    Team.objects.filter(code="T1").update(name=XSS)
    return scene


@pytest.mark.parametrize("role", ["caseworker", "teamleader", "partner", "admin"])
def test_free_text_is_escaped_on_every_page(poisoned, role):
    client = Client(raise_request_exception=False)
    client.force_login(poisoned["users"][role])
    if role == "teamleader":  # not the leader's own case: state a purpose first
        client.post(f"/security/children/{poisoned['ids']['in']['child_id']}/purpose/",
                    {"purpose": "team_leader_review"})
    shown = []
    for name, route in page_patterns():
        url = _fill(route, poisoned["ids"]["in"])
        response = _rolled_back(lambda url=url: client.get(url))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        body = response.content.decode()
        assert not injected_markup(body), f"{name} renders a payload as markup: {injected_markup(body)}"
        if ESCAPED in body:
            shown.append(name)
    if role == "admin":  # administrators see no case content at all
        assert "child_detail" not in shown, shown
    else:
        assert "child_detail" in shown or role == "partner" and shown, shown


def test_every_post_needs_a_csrf_token(scene):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(scene["users"]["caseworker"])
    accepted = []
    for name, route in page_patterns():
        url = _fill(route, scene["ids"]["in"])
        response = _rolled_back(lambda url=url: client.post(url, {"x": "1"}))
        if response.status_code not in (403, 405):
            accepted.append(f"{name}: {response.status_code}")
    assert not accepted, accepted
    anon = Client(enforce_csrf_checks=True)
    assert anon.post("/login/", {"username": "u_caseworker", "password": "x"}).status_code == 403


def test_the_api_ignores_session_cookies(scene):
    """The API is CSRF-exempt because it authenticates by bearer token only: a browser's
    session cookie (which a forged cross-site request would carry) opens nothing."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(scene["users"]["caseworker"])
    assert client.get("/api/v1/children").status_code == 401
    child_id = scene["ids"]["in"]["child_id"]
    body = f'{{"child_id": {child_id}, "notifier_kind": "school", "received_at": "2025-06-01T09:00:00Z"}}'
    assert client.post("/api/v1/notifications", body, content_type="application/json").status_code == 401


def test_dashboard_exports_neutralise_formulas(scene):
    from trappen.web.dashboards.selectors import DASHBOARDS
    from trappen.web.register.models import District

    District.objects.filter(code="N").update(name="=HYPERLINK(\"http://x\",\"y\")")
    District.objects.filter(code="S").update(name="@SUM(1+1)")
    client = Client(raise_request_exception=False)
    client.force_login(scene["users"]["teamleader"])
    checked = 0
    for key in DASHBOARDS:
        response = client.get(f"/dashboards/{key}/", {"format": "csv"})
        if response.status_code != 200 or "csv" not in response["Content-Type"]:
            continue
        for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@"):
                    float(cell)  # only numbers may start like a formula
            checked += 1
    assert checked > 0


def test_no_form_accepts_files_and_large_bodies_are_refused(scene, settings):
    import importlib

    for module in ("trappen.web.pages.forms", "trappen.web.casework.forms", "trappen.web.security.views",
                   "trappen.web.audit.views"):
        mod = importlib.import_module(module)
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, forms.BaseForm) and obj is not forms.Form:
                fields = getattr(obj, "base_fields", {})
                assert not any(isinstance(f, forms.FileField) for f in fields.values()), obj
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    client = Client(raise_request_exception=False)
    client.force_login(scene["users"]["caseworker"])
    child = scene["ids"]["in"]["child_id"]
    big = client.post(f"/children/{child}/notifications/new/", {"note": "x" * (2 * 1024 * 1024)})
    assert big.status_code in (400, 403)
    upload = client.post(f"/children/{child}/notifications/new/",
                         {"a": io.BytesIO(b"1"), "b": io.BytesIO(b"2")})
    assert upload.status_code in (400, 403)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    from trappen.privacy.cpr import generate_key

    root = Path(__file__).resolve().parents[3]
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HOME": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "trappen.web.settings", "SECRET_KEY": secrets.token_urlsafe(50),
           "TRAPPEN_CPR_KEY": generate_key(), "ALLOWED_HOSTS": "trappen.example.dk",
           "TRAPPEN_SSL_REDIRECT": "1", "TRAPPEN_HSTS_SECONDS": "31536000",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONPATH": str(root / "src")}
    cmd = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    # and it refuses to start with the development key
    env["SECRET_KEY"] = ""
    refused = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr


def test_ids_beyond_a_64_bit_key_are_404_not_500(scene):
    huge = 2**70
    client = Client(raise_request_exception=False)
    client.force_login(scene["users"]["caseworker"])
    assert client.get(f"/children/{huge}/").status_code == 404
    api = Client(raise_request_exception=False).get(
        f"/api/v1/children/{huge}/deadlines", headers={"Authorization": f"Bearer {scene['tokens']['caseworker']}"})
    assert api.status_code == 404 and api.json()["detail"] == "not found"
    assert client.get(f"/children/{2**63 - 1}/").status_code == 404  # the largest key: a normal miss


def _settings_probe(env_extra: dict[str, str], tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[3]
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HOME": str(tmp_path), "TRAPPEN_DEMO": "1",
           "DJANGO_SETTINGS_MODULE": "trappen.web.settings", "PYTHONPATH": str(root / "src"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env_extra}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


def test_oidc_is_an_option_enabled_by_environment(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "from django.urls import reverse; "
            "print(s.OIDC_ENABLED, 'mozilla_django_oidc' in s.INSTALLED_APPS, "
            "s.AUTHENTICATION_BACKENDS[-1].rsplit('.', 1)[-1], s.OIDC_CREATE_USER, "
            "reverse('oidc_authentication_init'), s.TRAPPEN_REQUIRE_OTP)")
    full = {f"TRAPPEN_OIDC_{k}": f"https://idp.example.dk/{k.lower()}" for k in (
        "AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "USER_ENDPOINT", "JWKS_ENDPOINT")}
    on = _settings_probe({"TRAPPEN_OIDC_CLIENT_ID": "trappen", "TRAPPEN_OIDC_CLIENT_SECRET": "s",
                          **full}, tmp_path, code)
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == ["True", "True", "OIDCAuthenticationBackend", "False",
                                 "/security/oidc/authenticate/", "False"]
    half = _settings_probe({"TRAPPEN_OIDC_CLIENT_ID": "trappen"}, tmp_path, code)
    assert half.returncode != 0 and "TRAPPEN_OIDC_CLIENT_SECRET" in half.stderr
    off = _settings_probe({"TRAPPEN_REQUIRE_OTP": "1"}, tmp_path,
                          "import django; django.setup(); from django.conf import settings as s; "
                          "print(s.OIDC_ENABLED, 'mozilla_django_oidc' in s.INSTALLED_APPS, s.TRAPPEN_REQUIRE_OTP)")
    assert off.stdout.split() == ["False", "False", "True"], off.stderr


def test_otp_is_required_by_default_in_production(tmp_path):
    from trappen.privacy.cpr import generate_key

    prod = _settings_probe({"TRAPPEN_DEMO": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                            "TRAPPEN_CPR_KEY": generate_key(), "ALLOWED_HOSTS": "x.example.dk"},
                           tmp_path, "import django; django.setup(); from django.conf import settings as s; "
                                     "print(s.TRAPPEN_REQUIRE_OTP, s.SESSION_COOKIE_SECURE)")
    assert prod.stdout.split() == ["True", "True"], prod.stderr
